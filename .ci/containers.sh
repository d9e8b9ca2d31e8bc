# Shared by .ci/container-tests and bench/images/run (source it; bash). Offline container tooling:
# Debian's docker-registry on 127.0.0.1, a Java 17 base image made from this machine's JDK, podman
# with the runc runtime. Nothing here reaches a network other than Debian's package archive.
#
# Functions set or read these variables:
#   CT_WORK       scratch folder (registry storage, base image layout, podman storage); required
#   CT_REGISTRY   host:port of the registry once ct_start_registry has run
#   CT_BASE_IMAGE the base image reference, pinned by digest, once ct_make_base_image has run

CT_APT_PACKAGES=(docker-registry podman runc umoci skopeo curl jq)

ct_log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }

# Installs the Debian packages the container steps use, when any is missing (idempotent).
ct_install_packages() {
    local missing=() p
    for p in "${CT_APT_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [[ ! -d "$(ct_java_home)/jmods" ]]; then
        missing+=("openjdk-17-jdk-headless")
    fi
    if ((${#missing[@]})); then
        ct_log "apt-get install ${missing[*]}"
        local sudo=""
        [[ $(id -u) -eq 0 ]] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The JDK 17 the base image is made from: the one on PATH.
ct_java_home() {
    local java
    java="$(readlink -f "$(command -v java)")"
    dirname "$(dirname "$java")"
}

# Starts docker-registry on a free 127.0.0.1 port with throwaway storage under $CT_WORK and no auth.
# Waits at most 20 s for it to answer. Sets CT_REGISTRY and CT_REGISTRY_PID; ct_stop_registry ends it.
ct_start_registry() {
    local port dir="$CT_WORK/registry"
    mkdir -p "$dir/storage"
    for port in $(seq 5000 5100); do
        ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || break
    done
    cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: kfp-tribuo-ci-throwaway
YAML
    docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
    CT_REGISTRY_PID=$!
    CT_REGISTRY="127.0.0.1:$port"
    local i
    for i in $(seq 1 100); do
        if curl -fsS -o /dev/null "http://$CT_REGISTRY/v2/" 2>/dev/null; then
            ct_log "registry on $CT_REGISTRY (pid $CT_REGISTRY_PID)"
            return 0
        fi
        kill -0 "$CT_REGISTRY_PID" 2>/dev/null || break
        sleep 0.2
    done
    ct_log "registry did not start; its log:"
    cat "$dir/registry.log" >&2
    return 1
}

ct_stop_registry() {
    if [[ -n "${CT_REGISTRY_PID:-}" ]] && kill -0 "$CT_REGISTRY_PID" 2>/dev/null; then
        kill "$CT_REGISTRY_PID" 2>/dev/null || true
        local i
        for i in $(seq 1 50); do
            kill -0 "$CT_REGISTRY_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$CT_REGISTRY_PID" 2>/dev/null || true
        wait "$CT_REGISTRY_PID" 2>/dev/null || true
    fi
    CT_REGISTRY_PID=""
}

# Makes a Java 17 base image offline and pushes it to $CT_REGISTRY/$1 (default kfp-tribuo-ci/jre17):
# a jlinked runtime of this machine's JDK (with its default CDS archive) at /opt/java/openjdk, the
# shared libraries it links (ldd), /etc/passwd and /etc/group with a nonroot user 65532, /tmp 1777.
# One layer, made with umoci, copied with skopeo. Sets CT_BASE_IMAGE to the pushed image by digest.
ct_make_base_image() {
    local repo="${1:-kfp-tribuo-ci/jre17}" dir="$CT_WORK/base" jdk
    jdk="$(ct_java_home)"
    rm -rf "$dir" && mkdir -p "$dir/rootfs"
    local root="$dir/rootfs" java_home="$dir/rootfs/opt/java/openjdk"
    "$jdk/bin/jlink" --module-path "$jdk/jmods" \
        --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.management,jdk.charsets,jdk.naming.dns \
        --strip-debug --no-header-files --no-man-pages --compress=0 --generate-cds-archive \
        --output "$java_home" >"$dir/jlink.log" 2>&1 || { cat "$dir/jlink.log" >&2; return 1; }
    # Shared libraries of the launcher and of the runtime's headless native libraries.
    local lib libs
    libs=$(find "$java_home/bin/java" "$java_home/lib" -type f \( -name java -o -name '*.so' \) \
            ! -name 'libawt_xawt.so' ! -name 'libjawt.so' ! -name 'libsplashscreen.so' \
            ! -name 'libfontmanager.so' ! -name 'liblcms.so' ! -name 'libjsound.so' \
            -exec ldd {} \; 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u)
    for lib in $libs; do
        case "$lib" in "$root"/*) continue ;; esac
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    # The dynamic loader at the path the binaries name, and the /lib64 -> /lib/x86_64-linux-gnu layout.
    mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/bin"
    chmod 1777 "$root/tmp"
    printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
    printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
    ln -s /opt/java/openjdk/bin/java "$root/bin/java"
    # One reproducible layer: sorted names, fixed times, numeric root ownership.
    (cd "$root" && tar --sort=name --mtime='@0' --owner=0 --group=0 --numeric-owner -cf "$dir/layer.tar" .)
    umoci init --layout "$dir/oci"
    umoci new --image "$dir/oci:jre17"
    umoci raw add-layer --image "$dir/oci:jre17" --history.created 1970-01-01T00:00:00Z \
        --history.created_by "jlink of $("$jdk/bin/java" -version 2>&1 | head -1 | tr -d \")" "$dir/layer.tar"
    umoci config --no-history --image "$dir/oci:jre17" --created 1970-01-01T00:00:00Z \
        --os linux --architecture amd64 \
        --config.env PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --config.env JAVA_HOME=/opt/java/openjdk --config.user 65532:65532
    skopeo copy -q --dest-tls-verify=false --format v2s2 "oci:$dir/oci:jre17" "docker://$CT_REGISTRY/$repo:latest"
    local digest
    digest=$(skopeo inspect --tls-verify=false --format '{{.Digest}}' "docker://$CT_REGISTRY/$repo:latest")
    CT_BASE_IMAGE="$CT_REGISTRY/$repo@$digest"
    ct_log "base image $CT_BASE_IMAGE ($(du -m "$dir/layer.tar" | cut -f1) MB uncompressed)"
}

# podman with its own storage and network configuration under $CT_WORK (nothing left behind, nothing
# shared with other podman users of the machine), the runc runtime (crun refuses
# this VM's hybrid cgroups), cgroupfs (no systemd), file events (no journald), and the ulimits a
# JVM wants.
ct_podman() {
    local sub=$1
    shift
    local flags=()
    if [[ $sub == run ]]; then
        # A bounded run: the container is killed after CT_RUN_TIMEOUT seconds (default 600).
        flags=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768 --timeout "${CT_RUN_TIMEOUT:-600}")
    fi
    podman --root "$CT_WORK/podman/root" --runroot "$CT_WORK/podman/runroot" --runtime runc \
        --cgroup-manager cgroupfs --events-backend file --tmpdir "$CT_WORK/podman/tmp" \
        --network-config-dir "$CT_WORK/podman/networks" \
        "$sub" "${flags[@]}" "$@"
}

# Removes every container and image of ct_podman's storage and unmounts it (its folder goes with
# $CT_WORK); touches no other podman storage or network.
ct_podman_reset() {
    [[ -d "$CT_WORK/podman/root" ]] || return 0
    ct_podman rm -a -f >/dev/null 2>&1 || true
    ct_podman rmi -a -f >/dev/null 2>&1 || true
    ct_podman system reset -f >/dev/null 2>&1 || true
}

# The git commit of the working tree (HEAD), or "unknown" outside a git checkout: the images'
# org.opencontainers.image.revision label when they are built from a snapshot (-Dgit.commit.id).
ct_source_revision() {
    git rev-parse --verify -q HEAD 2>/dev/null || echo unknown
}

# Writes the project's sources as a tar to $1: the files git tracks or would track (.gitignore'd
# build outputs, virtualenvs and runs left out), as they are in the working tree now.
ct_snapshot_sources() {
    local dest=$1
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard \
            | while IFS= read -r -d '' f; do [[ -e "$f" ]] && printf '%s\0' "$f"; done \
            | tar --null -T - -cf "$dest"
    else
        tar --exclude='./.git' --exclude='./bench/out' --exclude='./bench/.venv*' --exclude='./runs' \
            --exclude='./*/target' --exclude='./target' -cf "$dest" .
    fi
}
