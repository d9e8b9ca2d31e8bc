package dev.kfptribuo.io;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/**
 * The process-wide Cloud Storage client, created on first use so that local-only runs never load
 * the client library.
 *
 * <p>Credentials come from Application Default Credentials. When an emulator endpoint is named
 * (e.g. {@code http://127.0.0.1:4443}; a bare {@code host:port} means plain HTTP), the client talks
 * to that host without credentials instead. The endpoint comes from the Java system property
 * {@code kfptribuo.storage.emulatorHost} if it is set and not blank (so that tests can point the
 * client at an emulator they start), else from the environment variable
 * {@code STORAGE_EMULATOR_HOST} (the convention of the Cloud Storage emulators and of the Go and
 * Python clients). Both are read once, when the client is first created; later changes have no
 * effect.
 */
public final class GcsClient {
    /** Environment variable naming a Cloud Storage emulator endpoint. */
    public static final String EMULATOR_HOST_ENV = "STORAGE_EMULATOR_HOST";
    /** Java system property naming a Cloud Storage emulator endpoint; wins over the variable. */
    public static final String EMULATOR_HOST_PROPERTY = "kfptribuo.storage.emulatorHost";

    private GcsClient() {}

    private static final class Holder {
        static final Storage STORAGE = create(emulatorHost());
    }

    /** @return the emulator endpoint from the system property or else the variable; may be null */
    static String emulatorHost() {
        String property = System.getProperty(EMULATOR_HOST_PROPERTY);
        return property != null && !property.isBlank() ? property : System.getenv(EMULATOR_HOST_ENV);
    }

    /** @return the shared client */
    public static Storage get() {
        return Holder.STORAGE;
    }

    static Storage create(String emulatorHost) {
        if (emulatorHost == null || emulatorHost.isBlank()) {
            return StorageOptions.getDefaultInstance().getService();
        }
        String host = emulatorHost.contains("://") ? emulatorHost : "http://" + emulatorHost;
        return StorageOptions.newBuilder()
                .setHost(host)
                .setProjectId("emulator")
                .setCredentials(NoCredentials.getInstance())
                .build()
                .getService();
    }
}
