package dev.kfptribuo.localrun.tuning;

import dev.kfptribuo.hypertune.HypertuneReporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A stand-in trainer for the tuning service's tests, run as a process: {@code --mode=ok} reports
 * metric {@code k / 10} through cloudml-hypertune's file, {@code crash} exits 1 after a usage
 * error's two lines, {@code silent} exits 0 without a metric, {@code sigterm} dies of SIGTERM. It
 * records its arguments and environment in its job dir, and how many trials were running when it
 * started (marker files in {@code --live DIR}).
 */
public final class FakeTrainer {
    private FakeTrainer() {}

    public static void main(String[] args) throws Exception {
        String mode = value(args, "--mode=");
        String k = value(args, "--k=");
        Path live = Path.of(next(args, "--live"));
        Path jobDir = Path.of(next(args, "--job-dir"));
        Files.createDirectories(jobDir);
        Files.write(jobDir.resolve("args.txt"), List.of(args), StandardCharsets.UTF_8);
        Files.writeString(
                jobDir.resolve("env.txt"),
                System.getenv(HypertuneReporter.TRIAL_ID_ENV)
                        + "\n"
                        + System.getenv(HypertuneReporter.METRIC_FILE_ENV)
                        + "\n");
        Files.createDirectories(live);
        Path marker = live.resolve(System.getenv(HypertuneReporter.TRIAL_ID_ENV));
        Files.createFile(marker);
        try (var running = Files.list(live)) {
            Files.writeString(jobDir.resolve("concurrent.txt"), Long.toString(running.count()));
        }
        Thread.sleep(400);
        Files.delete(marker);
        switch (mode) {
            case "crash":
                System.err.println("train: error: simulated crash");
                System.err.println("Try 'train --help' for more information.");
                System.exit(1);
                break;
            case "silent":
                break;
            case "sigterm":
                // Dies of SIGTERM, as a trial the terminal's signal reached.
                new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid()))
                        .start()
                        .waitFor();
                Thread.sleep(60_000);
                break;
            default:
                HypertuneReporter.fromEnvironment(System.getenv())
                        .report("accuracy", Integer.parseInt(k) / 10.0, 7);
        }
    }

    private static String value(String[] args, String prefix) {
        for (String a : args) {
            if (a.startsWith(prefix)) {
                return a.substring(prefix.length());
            }
        }
        throw new IllegalArgumentException("no " + prefix);
    }

    private static String next(String[] args, String flag) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(flag)) {
                return args[i + 1];
            }
        }
        throw new IllegalArgumentException("no " + flag);
    }
}
