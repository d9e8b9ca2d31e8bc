package dev.kfptribuo.io;

import com.google.cloud.NoCredentials;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

/**
 * The process-wide Cloud Storage client, created on first use so that local-only runs never load
 * the client library.
 *
 * <p>Credentials come from Application Default Credentials. When the environment variable
 * {@code STORAGE_EMULATOR_HOST} is set (the convention of the Cloud Storage emulators and of the
 * Go and Python clients, e.g. {@code http://127.0.0.1:4443}), the client talks to that host
 * without credentials instead.
 */
public final class GcsClient {
    /** Environment variable naming a Cloud Storage emulator endpoint. */
    public static final String EMULATOR_HOST_ENV = "STORAGE_EMULATOR_HOST";

    private GcsClient() {}

    private static final class Holder {
        static final Storage STORAGE = create(System.getenv(EMULATOR_HOST_ENV));
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
