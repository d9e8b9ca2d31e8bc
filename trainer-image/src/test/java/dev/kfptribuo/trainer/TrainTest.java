package dev.kfptribuo.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kfptribuo.hypertune.HypertuneReporter;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end tests of the {@code train} program through its seam {@link Train#run}, on real
 * covertype rows: flag spellings, tuning and final mode outputs, bad input, and saving whole or not
 * at all.
 */
class TrainTest {
    /** The lab's data, relative to the module directory surefire runs in. */
    private static final Path SOURCE = Path.of("../data/covertype/covertype_small.csv");

    private static final int TRAIN_ROWS = 2000;
    private static final int VALID_ROWS = 500;
    private static final int FIELDS = 13;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;

    private static String header;
    private static List<String> dataRows;
    private static Path train;
    private static Path valid;

    @TempDir Path tmp;

    private Path jobDir;
    private Path metricFile;

    @BeforeAll
    static void writeData() throws IOException {
        // Tribuo logs at INFO through java.util.logging; main() silences it, run() does not.
        Logger.getLogger("").setLevel(Level.WARNING);
        List<String> lines = Files.readAllLines(SOURCE, StandardCharsets.UTF_8);
        header = lines.get(0);
        assertEquals(FIELDS, header.split(",", -1).length, "covertype header: " + header);
        dataRows = List.copyOf(lines.subList(1, 1 + TRAIN_ROWS + VALID_ROWS));
        train = writeCsv(shared.resolve("train.csv"), header, trainRows());
        valid = writeCsv(shared.resolve("valid.csv"), header, validRows());
    }

    @BeforeEach
    void paths() {
        jobDir = tmp.resolve("job");
        metricFile = tmp.resolve("hypertune").resolve("output.metrics");
    }

    // ---------------------------------------------------------------- flag forms

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--job-dir DIR", "--job_dir DIR", "--job-dir=DIR", "--job_dir=DIR"})
    void jobDirFlagForms(String form) throws IOException {
        List<String> args = new ArrayList<>(base());
        for (String token : form.split(" ")) {
            args.add(token.replace("DIR", jobDir.toString()));
        }

        Run run = train(args);

        run.assertSuccess();
        assertTrue(run.out.contains("mode=final"), run.out);
        assertModelSaved(jobDir);
        assertFalse(Files.exists(metricFile), "final mode writes no hypertune file");
    }

    @ParameterizedTest(name = "[{0}] {1} -> tuning={2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "--hptune True   | first | true",
                "--hptune=True   | first | true",
                "--hptune true   | last  | true",
                "--hptune=1      | first | true",
                "--hptune=0      | last  | false",
                "--hptune        | first | true", // bare, followed by another flag
                "--hptune        | last  | true", // bare, the last argument
                "--hptune False  | first | false",
                "--hptune=False  | last  | false",
                "--hptune=false  | first | false",
                "--nohptune      | first | false",
                "--nohptune      | last  | false",
            })
    void hptuneFlagForms(String flags, String position, boolean tuning) throws IOException {
        List<String> args = new ArrayList<>();
        List<String> flagTokens = Arrays.asList(flags.strip().split("\\s+"));
        if (position.equals("first")) {
            args.addAll(flagTokens);
        }
        args.addAll(base());
        args.addAll(List.of("--job-dir", jobDir.toString()));
        if (position.equals("last")) {
            args.addAll(flagTokens);
        }

        Run run = train(args);

        run.assertSuccess();
        if (tuning) {
            assertTrue(run.out.contains("mode=tuning"), run.out);
            assertEquals(1, readMetricLines().size());
            assertNoModel(jobDir);
        } else {
            assertTrue(run.out.contains("mode=final"), run.out);
            assertModelSaved(jobDir);
            assertFalse(Files.exists(metricFile));
        }
    }

    @Test
    void noHptuneFlagMeansFinalMode() throws IOException {
        Run run = train(withJobDir(base()));

        run.assertSuccess();
        assertTrue(run.out.contains("mode=final"), run.out);
        assertModelSaved(jobDir);
    }

    @Test
    void hptuneTrueAndNohptuneContradict() throws IOException {
        Run run = train(withJobDir(base(), "--hptune", "True", "--nohptune"));

        run.assertUsageError("--nohptune");
        assertNothingWritten();
    }

    /**
     * How the flags of {@link #everyFlagInFinalMode} and {@link #everyFlagInTuningMode} are spelt.
     */
    enum Style {
        /** {@code --name value}, canonical (underscore) names. */
        SPACE,
        /** {@code --name=value}, canonical names. */
        EQUALS,
        /** {@code --name value}, hyphenated alias names. */
        ALIAS_SPACE,
        /** {@code --name=value}, hyphenated alias names. */
        ALIAS_EQUALS;

        List<String> flag(String canonical, String alias, String value) {
            String name = this == ALIAS_SPACE || this == ALIAS_EQUALS ? alias : canonical;
            return this == EQUALS || this == ALIAS_EQUALS
                    ? List.of(name + "=" + value)
                    : List.of(name, value);
        }
    }

    /**
     * Every flag of final mode in one run, on a copy of the data whose label and one categorical
     * column are renamed, so that the manifest shows each flag took effect.
     */
    @ParameterizedTest
    @EnumSource(Style.class)
    void everyFlagInFinalMode(Style style) throws IOException {
        Run run = train(everyFlag(style, "False", "unused_in_final"));

        run.assertSuccess();
        assertTrue(
                run.out.contains("mode=final loss=hinge alpha=0.001 max_iter=4 tol=none rows=2500"),
                run.out);
        JsonNode manifest = assertModelSaved(jobDir);
        JsonNode hp = manifest.get("hyperparameters");
        assertEquals("hinge", hp.get("loss").asText());
        assertEquals(0.001, hp.get("alpha").asDouble());
        assertEquals(4, hp.get("max_iter").asInt());
        assertTrue(hp.get("tol").isNull(), "tol none is recorded as null: " + hp);
        assertEquals(3, hp.get("n_iter_no_change").asInt());
        assertEquals(42, hp.get("seed").asLong());
        assertEquals(4, manifest.get("training").get("epochs_run").asInt());
        assertEquals(TRAIN_ROWS + VALID_ROWS, manifest.get("training").get("rows").asLong());
        assertEquals("Label", manifest.get("label_column").asText());
        assertEquals(List.of("Area", "Soil_Type"), fieldNames(manifest.get("categorical_columns")));
        assertFalse(Files.exists(metricFile));
    }

    @ParameterizedTest
    @EnumSource(Style.class)
    void everyFlagInTuningMode(Style style) throws IOException {
        Run run = train(everyFlag(style, "True", "my_metric"));

        run.assertSuccess();
        assertTrue(
                run.out.contains(
                        "mode=tuning loss=hinge alpha=0.001 max_iter=4 tol=none rows=2000"),
                run.out);
        JsonNode metric = JSON.readTree(readMetricLines().get(0));
        assertTrue(metric.has("my_metric"), metric.toString());
        assertFalse(metric.has("accuracy"), metric.toString());
        assertEquals("4", metric.get("global_step").asText(), "global_step is the epochs run");
        assertNoModel(jobDir);
    }

    /**
     * Every flag of train spelt in {@code style}, on {@link #renamedData} (label Label, categorical
     * columns Area and Soil_Type): 4 epochs of hinge loss at alpha 0.001, no tolerance, seed 42.
     */
    private List<String> everyFlag(Style style, String hptune, String metricTag)
            throws IOException {
        Path[] renamed = renamedData();
        List<String> args = new ArrayList<>();
        args.addAll(style.flag("--job-dir", "--job_dir", jobDir.toString()));
        args.addAll(
                style.flag(
                        "--training_dataset_path",
                        "--training-dataset-path",
                        renamed[0].toString()));
        args.addAll(
                style.flag(
                        "--validation_dataset_path",
                        "--validation-dataset-path",
                        renamed[1].toString()));
        args.addAll(style.flag("--alpha", "--alpha", "0.001"));
        args.addAll(style.flag("--max_iter", "--max-iter", "4"));
        args.addAll(style.flag("--hptune", "--hptune", hptune));
        args.addAll(style.flag("--tol", "--tol", "none"));
        args.addAll(style.flag("--n_iter_no_change", "--n-iter-no-change", "3"));
        args.addAll(style.flag("--loss", "--loss", "hinge"));
        args.addAll(style.flag("--seed", "--seed", "42"));
        args.addAll(
                style.flag(
                        "--hyperparameter_metric_tag", "--hyperparameter-metric-tag", metricTag));
        args.addAll(style.flag("--label_column", "--label-column", "Label"));
        args.addAll(style.flag("--categorical_columns", "--categorical-columns", "Area,Soil_Type"));
        return args;
    }

    @ParameterizedTest(name = "--max_iter {0} --alpha {1}")
    @CsvSource({"5, 1e-4", "5.0, 0.0001", "5e0, 1E-04", "'5E0', 1e-04"})
    void numericSpellings(String maxIter, String alpha) throws IOException {
        Run run =
                train(
                        withJobDir(
                                dataArgs(
                                        train,
                                        valid,
                                        "--max_iter",
                                        maxIter,
                                        "--alpha",
                                        alpha,
                                        "--tol",
                                        "none")));

        run.assertSuccess();
        JsonNode manifest = assertModelSaved(jobDir);
        assertEquals(5, manifest.get("hyperparameters").get("max_iter").asInt());
        assertEquals(1e-4, manifest.get("hyperparameters").get("alpha").asDouble());
        assertEquals(5, manifest.get("training").get("epochs_run").asInt());
        assertTrue(run.out.contains("epoch 5/5 "), run.out);
    }

    @ParameterizedTest(name = "--max_iter {0}")
    @ValueSource(strings = {"5.5", "5e-1", "five", "1e10"})
    void maxIterMustBeAWholeNumber(String value) throws IOException {
        Run run = train(withJobDir(dataArgs(train, valid, "--max_iter", value)));

        run.assertUsageError("--max_iter", value);
        assertNothingWritten();
    }

    @Test
    void unknownFlagIsAUsageError() throws IOException {
        Run run = train(withJobDir(base(), "--bogus", "1"));

        run.assertUsageError("Unknown option", "--bogus");
        assertNothingWritten();
    }

    /**
     * When picocli finds a flag close to the unknown one it prints that suggestion instead of the
     * usage (its default parameter-exception handler).
     */
    @Test
    void misspeltFlagIsAUsageErrorWithASuggestion() throws IOException {
        Run run = train(withJobDir(base(), "--max_itr", "5"));

        assertEquals(2, run.code, run.err);
        assertTrue(run.errLines().get(0).contains("--max_itr"), run.err);
        assertTrue(run.err.contains("--max_iter"), run.err);
        assertFalse(run.out.contains("mode="), run.out);
        assertNothingWritten();
    }

    @Test
    void hptuneWithAValueThatIsNotABooleanIsAUsageError() throws IOException {
        Run equals = train(withJobDir(base(), "--hptune=maybe"));
        // With a separate value picocli leaves a non-boolean for positional parameters.
        Run space = train(withJobDir(base(), "--hptune", "maybe"));
        Run stray = train(withJobDir(base(), "extra"));

        equals.assertUsageError("--hptune", "maybe");
        space.assertUsageError("--hptune: expected True or False", "'maybe'");
        stray.assertUsageError("unexpected argument 'extra'");
        assertNothingWritten();
    }

    @Test
    void tolNoneRunsEveryEpoch() throws IOException {
        Path stoppingDir = tmp.resolve("stopping");
        Run stopping = train(eightEpochsWithTol(stoppingDir, "1e6"));
        Run all = train(eightEpochsWithTol(jobDir, "none"));

        // A huge tolerance stops every class after its first epoch without "improvement"...
        stopping.assertSuccess();
        JsonNode stopped = assertModelSaved(stoppingDir).get("training");
        assertEquals(2, stopped.get("epochs_run").asInt(), stopped.toString());
        assertTrue(stopped.get("converged").asBoolean());
        assertTrue(stopping.out.contains("trained: epochs=2 converged=true"), stopping.out);
        // ...and none switches stopping off: all max_iter epochs run.
        all.assertSuccess();
        JsonNode ran = assertModelSaved(jobDir).get("training");
        assertEquals(8, ran.get("epochs_run").asInt(), ran.toString());
        assertFalse(ran.get("converged").asBoolean());
        assertTrue(all.out.contains("epoch 8/8 "), all.out);
        assertTrue(all.out.contains("trained: epochs=8 converged=false"), all.out);
    }

    /** Up to 8 epochs into {@code dir}, stopping after 1 epoch without an improvement of tol. */
    private static List<String> eightEpochsWithTol(Path dir, String tol) {
        return dataArgs(
                train,
                valid,
                "--job-dir",
                dir.toString(),
                "--max_iter",
                "8",
                "--n_iter_no_change",
                "1",
                "--tol",
                tol);
    }

    @Test
    void hingeLossTrainsALoadableModel() throws IOException {
        Run run = train(withJobDir(base(), "--loss", "hinge"));

        run.assertSuccess();
        assertTrue(run.out.contains("loss=hinge"), run.out);
        JsonNode manifest = assertModelSaved(jobDir);
        assertEquals("hinge", manifest.get("hyperparameters").get("loss").asText());
        ModelBundle loaded = ModelBundle.load(Location.parse(jobDir.toString()));
        assertEquals("hinge", loaded.manifest().hyperparameters().loss());
    }

    @Test
    void helpListsTheFlagsAndExitsZero() throws IOException {
        Run run = train(List.of("--help"));

        assertEquals(0, run.code, run.err);
        assertTrue(run.out.contains("--job-dir"), run.out);
        assertTrue(run.out.contains("--job_dir"), run.out);
        assertTrue(run.out.contains("--hptune"), run.out);
        assertTrue(run.out.contains("--training_dataset_path"), run.out);
        assertEquals("", run.err);
        assertNothingWritten();
    }

    // ---------------------------------------------------------------- tuning and final mode

    @Test
    void tuningModeReportsAccuracyAndSavesNoModel() throws IOException {
        Path aipDir = tmp.resolve("aip");
        Run run =
                train(
                        Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()),
                        withJobDir(base(), "--hptune", "True"));

        run.assertSuccess();
        List<String> lines = readMetricLines();
        assertEquals(1, lines.size(), lines.toString());
        JsonNode metric = JSON.readTree(lines.get(0));
        assertEquals(
                List.of("accuracy", "checkpoint_path", "global_step", "timestamp", "trial"),
                fieldNames(metric));
        assertEquals("0", metric.get("trial").asText(), "the trial id defaults to 0");
        assertEquals("5", metric.get("global_step").asText());
        assertEquals("", metric.get("checkpoint_path").asText());
        assertTrue(metric.get("accuracy").isTextual(), "cloudml-hypertune writes str(float)");
        double accuracy = Double.parseDouble(metric.get("accuracy").asText());
        assertTrue(accuracy > 0.3 && accuracy <= 1, "accuracy " + accuracy);
        Matcher printed =
                Pattern.compile("validation accuracy=([0-9.]+) rows=" + VALID_ROWS)
                        .matcher(run.out);
        assertTrue(printed.find(), run.out);
        assertEquals(Double.parseDouble(printed.group(1)), accuracy, 1e-6);
        assertTrue(run.out.contains("reported as 'accuracy' in " + metricFile), run.out);
        assertNoModel(jobDir);
        assertNoModel(aipDir);
    }

    @Test
    void tuningModeWithCustomTagAndTrialId() throws IOException {
        Run run =
                train(
                        Map.of(HypertuneReporter.TRIAL_ID_ENV, "17"),
                        withJobDir(
                                base(),
                                "--hptune=True",
                                "--hyperparameter_metric_tag",
                                "val_accuracy"));

        run.assertSuccess();
        JsonNode metric = JSON.readTree(readMetricLines().get(0));
        assertEquals(
                List.of("checkpoint_path", "global_step", "timestamp", "trial", "val_accuracy"),
                fieldNames(metric));
        assertEquals("17", metric.get("trial").asText());
        assertNoModel(jobDir);
    }

    @Test
    void tuningModeNeedsValidationData() throws IOException {
        Run run = train(withJobDir(trainingArgs(train, "--max_iter", "5", "--hptune", "True")));

        run.assertUsageError("--validation_dataset_path");
        assertNothingWritten();
    }

    @Test
    void finalModeSavesToJobDirAndAipModelDir() throws IOException {
        Path aipDir = tmp.resolve("aip").resolve("model");
        Run run = train(Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()), withJobDir(base()));

        run.assertSuccess();
        JsonNode manifest = assertModelSaved(jobDir);
        JsonNode aipManifest = assertModelSaved(aipDir);
        assertArrayEquals(
                Files.readAllBytes(jobDir.resolve(manifest.at("/model/file").asText())),
                Files.readAllBytes(aipDir.resolve(aipManifest.at("/model/file").asText())));
        assertEquals(manifest, aipManifest);
        assertEquals(TRAIN_ROWS + VALID_ROWS, manifest.get("training").get("rows").asLong());
        assertEquals("Cover_Type", manifest.get("label_column").asText());
        assertEquals(
                List.of("Soil_Type", "Wilderness_Area"),
                fieldNames(manifest.get("categorical_columns")));
        assertEquals(7, manifest.get("labels").size(), manifest.get("labels").toString());
        assertInputs(
                manifest, List.of(train, valid), List.of((long) TRAIN_ROWS, (long) VALID_ROWS));
        assertFalse(Files.exists(metricFile));
        ModelBundle loaded = ModelBundle.load(Location.parse(aipDir.toString()));
        assertEquals(TRAIN_ROWS + VALID_ROWS, loaded.manifest().training().rows());
    }

    @Test
    void finalModeWithOnlyAipModelDir() throws IOException {
        Path aipDir = tmp.resolve("aip");
        Run run = train(Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()), base());

        run.assertSuccess();
        assertModelSaved(aipDir);
        assertNoModel(jobDir);
    }

    @Test
    void jobDirOutputNamesTheSavedModelDirForKfp() throws IOException {
        Path output = tmp.resolve("outputs").resolve("job_dir").resolve("data");
        Run run = train(withJobDir(base(), "--job-dir-output", output.toString()));

        run.assertSuccess();
        assertModelSaved(jobDir);
        assertEquals(jobDir.toString(), Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    void jobDirOutputFallsBackToAipModelDir() throws IOException {
        Path aipDir = tmp.resolve("aip");
        Path output = tmp.resolve("job_dir.txt");
        List<String> args = new ArrayList<>(base());
        args.addAll(List.of("--job_dir_output", output.toString()));
        Run run = train(Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()), args);

        run.assertSuccess();
        assertModelSaved(aipDir);
        assertEquals(aipDir.toString(), Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    void aMetricFileThatCannotBeWrittenFailsTuningBeforeTheFit() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("hp-blocker"), "a file, not a directory");
        Path metric = blocker.resolve("output.metrics");
        List<String> args = new ArrayList<>(base());
        args.addAll(List.of("--hptune", "True"));
        Run run = train(Map.of(HypertuneReporter.METRIC_FILE_ENV, metric.toString()), args);
        run.assertRuntimeError(
                "$CLOUD_ML_HP_METRIC_FILE (the hypertune metric file, default "
                        + HypertuneReporter.DEFAULT_METRIC_FILE
                        + "): "
                        + metric.toAbsolutePath()
                        + ": cannot be written, "
                        + blocker.toAbsolutePath()
                        + " is not a directory");
        assertFalse(run.out.contains("mode="), "nothing trained: " + run.out);
    }

    @Test
    void aDatasetPathThatIsADirectoryIsNamed() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a-directory.csv"));
        train(withJobDir(dataArgs(dir, valid, "--max_iter", "5")))
                .assertRuntimeError(dir + ": is a directory, not a file");
        assertNoModel(jobDir);
    }

    @Test
    void anUnwritableJobDirOutputFailsBeforeTrainingAndSavesNoModel() throws IOException {
        Path blocker =
                Files.writeString(tmp.resolve("blocker"), "a file where a directory is needed");
        Run run =
                train(
                        withJobDir(
                                base(), "--job-dir-output", blocker.resolve("job_dir").toString()));
        run.assertRuntimeError("blocker is not a directory");
        assertFalse(run.out.contains("mode="), "nothing trained: " + run.out);
        assertNoModel(jobDir);
    }

    @Test
    void jobDirOutputInTuningModeIsAUsageError() throws IOException {
        Path output = tmp.resolve("job_dir.txt");
        Run run =
                train(
                        withJobDir(
                                base(), "--hptune", "True", "--job-dir-output", output.toString()));

        run.assertUsageError("--job-dir-output");
        assertFalse(Files.exists(output));
        assertNothingWritten();
    }

    @Test
    void finalModeWithoutAnyModelDirIsAUsageError() throws IOException {
        Run run = train(base());

        run.assertUsageError("--job-dir", TrainCommand.AIP_MODEL_DIR);
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0} ''")
    @CsvSource(
            delimiter = '|',
            value = {
                "--job-dir                 | --job-dir                 | a job dir",
                "--job_dir                 | --job-dir                 | a job dir",
                "--training_dataset_path   | --training_dataset_path   | a file or a wildcard of files",
                "--training-dataset-path   | --training_dataset_path   | a file or a wildcard of files",
                "--validation_dataset_path | --validation_dataset_path | a file or a wildcard of files",
                "--job-dir-output          | --job-dir-output          | a file",
            })
    void anEmptyPathIsAUsageErrorNamingItsFlag(String flag, String named, String what)
            throws IOException {
        Map<String, String> values =
                new java.util.LinkedHashMap<>(
                        Map.of(
                                "--job-dir",
                                jobDir.toString(),
                                "--training_dataset_path",
                                train.toString(),
                                "--validation_dataset_path",
                                valid.toString()));
        values.keySet().removeIf(key -> key.replace('_', '-').equals(flag.replace('_', '-')));
        List<String> args = new ArrayList<>();
        values.forEach((key, value) -> args.addAll(List.of(key, value)));
        args.addAll(List.of(flag, ""));

        Run run = train(args);

        run.assertUsageError();
        assertEquals(
                "train: error: " + named + " is empty: give " + what + ", local or gs://",
                run.errLines().get(0));
        assertEquals(2, run.errLines().size(), run.err);
        assertNothingWritten();
        assertFalse(Files.exists(jobDir), "no job dir made");
    }

    @Test
    void aPathOfAnotherSchemeIsAUsageErrorNamingItsFlag() throws IOException {
        Run run =
                train(
                        withJobDir(
                                trainingArgs(
                                        train, "--validation_dataset_path=s3://bucket/valid.csv")));

        run.assertUsageError();
        assertEquals(
                "train: error: --validation_dataset_path: unsupported URI scheme in s3://bucket/valid.csv "
                        + "(use a local path or gs://)",
                run.errLines().get(0));
        assertFalse(Files.exists(jobDir), "no job dir made");
    }

    // ---------------------------------------------------------------- outputs where train writes
    // or reads

    @ParameterizedTest(name = "JD/{0}")
    @ValueSource(
            strings = {
                "manifest.json",
                "",
                ".",
                "model-20260101T000000000Z-00000000/model.tribuo",
                "kfp/job_dir"
            })
    void anOutputInsideTheJobDirIsAUsageErrorBeforeAnythingIsRead(String inside)
            throws IOException {
        String output = inside.isEmpty() ? jobDir.toString() : jobDir.resolve(inside).toString();
        Run run = train(withJobDir(base(), "--job-dir-output", output));

        run.assertUsageError();
        assertEquals(
                List.of(
                        "train: error: --job-dir-output "
                                + output
                                + (inside.matches("\\.?") ? " is" : " lies inside")
                                + " --job-dir "
                                + jobDir
                                + "; train saves the model there, so give the output a path outside it",
                        "Try 'train --help' for more information."),
                run.errLines());
        assertEquals("", run.out, "nothing read");
        assertFalse(Files.exists(jobDir), "no job dir made");
    }

    @Test
    void anOutputOnTheManifestOfASavedModelLeavesTheModelAsItWas() throws IOException {
        train(withJobDir(base())).assertSuccess();
        byte[] manifest = Files.readAllBytes(jobDir.resolve(ModelBundle.MANIFEST_FILE));
        List<String> entries = list(jobDir);

        Run run =
                train(
                        withJobDir(
                                base(),
                                "--job-dir-output",
                                jobDir.resolve(ModelBundle.MANIFEST_FILE).toString()));

        run.assertUsageError("--job-dir-output", "lies inside --job-dir " + jobDir);
        assertArrayEquals(manifest, Files.readAllBytes(jobDir.resolve(ModelBundle.MANIFEST_FILE)));
        assertEquals(entries, list(jobDir));
    }

    @Test
    void theJobDirIsComparedWithItsLinksResolved() throws IOException {
        Path real = Files.createDirectories(tmp.resolve("real"));
        Path link = Files.createSymbolicLink(tmp.resolve("link"), real);

        Run throughLink =
                train(
                        trainingArgs(
                                train,
                                "--job-dir",
                                link.toString(),
                                "--job-dir-output",
                                real.resolve("out/job_dir").toString()));
        throughLink.assertUsageError("lies inside --job-dir " + link);
        Run intoLink =
                train(
                        trainingArgs(
                                train,
                                "--job-dir",
                                real.toString(),
                                "--job-dir-output",
                                link.resolve("x/../job_dir").toString()));
        intoLink.assertUsageError("lies inside --job-dir " + real);
        assertEquals(List.of(), list(real));
    }

    @Test
    void anOutputInsideAipModelDirOrAGsJobDirIsRefusedToo() throws IOException {
        Path aipDir = tmp.resolve("aip");
        Run aip =
                train(
                        Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()),
                        withJobDir(
                                base(), "--job-dir-output", aipDir.resolve("job_dir").toString()));
        aip.assertUsageError(
                "--job-dir-output "
                        + aipDir.resolve("job_dir")
                        + " lies inside $AIP_MODEL_DIR "
                        + aipDir
                        + "; train saves the model there");
        assertFalse(Files.exists(aipDir));
        assertFalse(Files.exists(jobDir));

        Run gcs =
                train(
                        trainingArgs(
                                train,
                                "--job-dir",
                                "gs://bucket/jobs/1/",
                                "--job-dir-output",
                                "gs://bucket/jobs/1/kfp/job_dir"));
        gcs.assertUsageError(
                "--job-dir-output gs://bucket/jobs/1/kfp/job_dir lies inside --job-dir gs://bucket/jobs/1/");
    }

    @Test
    void anOutputOnAnInputFileIsRefused() throws IOException {
        Path copy = Files.copy(valid, tmp.resolve("valid.csv"));
        byte[] before = Files.readAllBytes(copy);
        Run run = train(withJobDir(dataArgs(train, copy), "--job-dir-output", copy.toString()));

        run.assertUsageError(
                "--job-dir-output "
                        + copy
                        + " is --validation_dataset_path "
                        + copy
                        + "; train reads it, so give the output another path");
        assertArrayEquals(before, Files.readAllBytes(copy));
        assertFalse(Files.exists(jobDir));
    }

    // ---------------------------------------------------------------- bad input

    /** One bad input: the files it writes and what the one-line error must say. */
    enum BadInput {
        MISSING_FILE(1, dir -> Inputs.badTraining(dir.resolve("absent.csv"), "no such file")),
        EMPTY_FILE(
                1,
                dir ->
                        Inputs.badTraining(
                                Files.write(dir.resolve("empty.csv"), new byte[0]), "empty")),
        HEADER_WITHOUT_LABEL_COLUMN(1, dir -> withoutLabelColumn(dir, "", "line 1:")),
        HEADER_WITHOUT_LABEL_COLUMN_AFTER_BLANK_LINES(
                1, dir -> withoutLabelColumn(dir, "\n\n", "line 3:")),
        // Elevation renamed: scoring would count it as a missing feature, a silent wrong metric.
        VALIDATION_COLUMNS_DIFFER(
                1,
                dir ->
                        Inputs.badValidation(
                                writeCsv(
                                        dir.resolve("renamed.csv"),
                                        header.replace("Elevation", "Elev"),
                                        validRows()),
                                "its columns differ from those of " + train,
                                "Elev",
                                "Elevation")),
        NON_NUMERIC_CELL(
                1,
                dir ->
                        Inputs.badTraining(
                                trainWithCell(dir, 100, 0, "abc"),
                                "line 102, column Elevation",
                                "abc")),
        NON_FINITE_CELL(
                1,
                dir ->
                        Inputs.badTraining(
                                trainWithCell(dir, 200, 1, "Infinity"),
                                "line 202, column Aspect",
                                "Infinity")),
        BLANK_NUMERIC_CELL(
                1,
                dir ->
                        Inputs.badTraining(
                                trainWithCell(dir, 50, 2, ""), "line 52, column Slope", "blank")),
        TOO_FEW_FIELDS(
                1,
                dir -> {
                    List<String> rows = new ArrayList<>(trainRows());
                    rows.set(10, rows.get(10).substring(0, rows.get(10).lastIndexOf(',')));
                    Path file = writeCsv(dir.resolve("short.csv"), header, rows);
                    return Inputs.badTraining(file, "line 12:", "expected 13 fields, found 12");
                }),
        TOO_MANY_FIELDS(
                1,
                dir -> {
                    List<String> rows = new ArrayList<>(trainRows());
                    rows.set(11, rows.get(11) + ",9");
                    Path file = writeCsv(dir.resolve("long.csv"), header, rows);
                    return Inputs.badTraining(file, "line 13:", "expected 13 fields, found 14");
                }),
        BLANK_LABEL(
                1,
                dir ->
                        Inputs.badTraining(
                                trainWithCell(dir, 20, FIELDS - 1, " "),
                                "line 22, column Cover_Type",
                                "blank")),
        /** A blank line is skipped but still counts: the error names the physical line. */
        BAD_CELL_AFTER_A_BLANK_LINE(
                1,
                dir -> {
                    List<String> rows = new ArrayList<>(trainRows());
                    rows.set(30, replaceField(rows.get(30), 0, "abc"));
                    rows.add(5, ""); // physical line 7; data row 30 moves to line 33
                    Path file = writeCsv(dir.resolve("blankline.csv"), header, rows);
                    return Inputs.badTraining(file, "line 33, column Elevation");
                }),
        BAD_CELL_IN_VALIDATION_FILE(
                1,
                dir -> {
                    List<String> rows = new ArrayList<>(validRows());
                    rows.set(7, replaceField(rows.get(7), 1, "north"));
                    Path file = writeCsv(dir.resolve("badvalid.csv"), header, rows);
                    return Inputs.badValidation(file, "line 9, column Aspect", "north");
                }),
        WILDCARD_MATCHING_NOTHING(
                1,
                dir -> {
                    String pattern = dir.resolve("nothing-*.csv").toString();
                    return new Inputs(pattern, valid.toString(), pattern, "no file matches");
                }),
        WILDCARD_IN_A_DIRECTORY(
                2,
                dir -> {
                    String pattern = dir.resolve("shard*").resolve("data.csv").toString();
                    return new Inputs(
                            pattern, valid.toString(), "--training_dataset_path", "wildcards");
                });

        final int exitCode;
        private final Preparation preparation;

        BadInput(int exitCode, Preparation preparation) {
            this.exitCode = exitCode;
            this.preparation = preparation;
        }

        Inputs prepare(Path dir) throws IOException {
            return preparation.prepare(dir);
        }

        /** Writes the input's files into a directory. */
        private interface Preparation {
            Inputs prepare(Path dir) throws IOException;
        }
    }

    /**
     * @param training the --training_dataset_path argument
     * @param validation the --validation_dataset_path argument
     * @param expected fragments the error line must contain
     */
    record Inputs(String training, String validation, String... expected) {
        /**
         * A bad training file with the good validation data: the error names the file, then more.
         */
        static Inputs badTraining(Path file, String... more) {
            return new Inputs(file.toString(), valid.toString(), naming(file, more));
        }

        /** The good training data with a bad validation file: the error names it, then more. */
        static Inputs badValidation(Path file, String... more) {
            return new Inputs(train.toString(), file.toString(), naming(file, more));
        }

        private static String[] naming(Path file, String... more) {
            List<String> expected = new ArrayList<>(List.of(file.toString()));
            expected.addAll(List.of(more));
            return expected.toArray(String[]::new);
        }
    }

    /**
     * The training rows without their last column, the label Cover_Type, in a file whose header
     * follows {@code before}: the error names the header's line and the label.
     */
    private static Inputs withoutLabelColumn(Path dir, String before, String line)
            throws IOException {
        List<String> rows =
                trainRows().stream().map(r -> r.substring(0, r.lastIndexOf(','))).toList();
        Path file =
                writeCsv(
                        dir.resolve("nolabel.csv"),
                        before + header.substring(0, header.lastIndexOf(',')),
                        rows);
        return Inputs.badTraining(file, line, "Cover_Type");
    }

    static Stream<Arguments> badInputs() {
        return Arrays.stream(BadInput.values())
                .flatMap(bad -> Stream.of(Arguments.of(bad, "final"), Arguments.of(bad, "tuning")));
    }

    @ParameterizedTest(name = "{0} in {1} mode")
    @MethodSource("badInputs")
    void badInputFailsWithOneLineAndWritesNothing(BadInput bad, String mode) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("in"));
        Inputs inputs = bad.prepare(dir);
        Path aipDir = tmp.resolve("aip");
        List<String> args =
                dataArgs(
                        inputs.training(),
                        inputs.validation(),
                        "--max_iter",
                        "5",
                        "--job-dir",
                        jobDir.toString());
        if (mode.equals("tuning")) {
            args.add("--hptune");
        }

        Run run = train(Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()), args);

        if (bad.exitCode == 1) {
            run.assertRuntimeError(inputs.expected());
        } else {
            run.assertUsageError(inputs.expected());
        }
        assertNothingWritten();
        assertNoModel(aipDir);
    }

    @ParameterizedTest(name = "{0} {1} in {2} mode")
    @CsvSource({
        "--alpha, 0, final",
        "--alpha, 0, tuning",
        "--alpha, -1, final",
        "--alpha, -1, tuning",
        "--alpha, 1e400, final",
        "--alpha, abc, final",
        "--max_iter, 0, final",
        "--max_iter, 0, tuning",
        "--max_iter, -3, final",
        "--n_iter_no_change, 0, final",
        "--loss, squared, final",
        "--tol, nan, final",
        "--tol, -1, final",
        "--tol, -1e-9, tuning",
    })
    void badHyperparameterIsAUsageError(String flag, String value, String mode) throws IOException {
        List<String> args = dataArgs(train, valid, "--job-dir", jobDir.toString(), flag, value);
        if (mode.equals("tuning")) {
            args.add("--hptune=True");
        }

        Run run = train(args);

        run.assertUsageError(flag);
        assertNothingWritten();
    }

    @Test
    void badHyperparameterInEqualsFormIsAUsageError() throws IOException {
        Run run = train(withJobDir(base(), "--alpha=-1"));

        run.assertUsageError("--alpha", "-1");
        assertNothingWritten();
    }

    /**
     * A fit whose loss becomes non-finite. {@code --alpha} alone cannot do it: with the 'optimal'
     * schedule the learning rate never exceeds about alpha^-1/4 (1e75 for alpha 1e-300, 7e80 for
     * the smallest double), so the loss stays finite. Two Elevation values of 1e308, far apart so
     * that Tribuo's running mean stays finite, make the column's sum, and so the standardised
     * features and the loss, non-finite.
     */
    @ParameterizedTest
    @ValueSource(strings = {"final", "tuning"})
    void divergingFitFailsAndWritesNothing(String mode) throws IOException {
        List<String> rows = new ArrayList<>(trainRows());
        rows.set(0, replaceField(rows.get(0), 0, "1e308"));
        rows.set(rows.size() - 1, replaceField(rows.get(rows.size() - 1), 0, "1e308"));
        Path file = writeCsv(tmp.resolve("huge.csv"), header, rows);
        List<String> args =
                dataArgs(file, valid, "--max_iter", "5", "--job-dir", jobDir.toString());
        if (mode.equals("tuning")) {
            args.add("--hptune");
        }

        Run run = train(args);

        run.assertRuntimeError("diverged", "not finite");
        assertFalse(run.out.contains("trained:"), run.out);
        assertNothingWritten();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"train.csv.gz", "train-gzip-without-suffix.csv"})
    void gzipTrainingFileWorks(String name) throws IOException {
        Path gz = tmp.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(train, out);
        }
        assertEquals(0x1f, Files.readAllBytes(gz)[0] & 0xff);

        Run run = train(withJobDir(dataArgs(gz, valid, "--max_iter", "5")));

        run.assertSuccess();
        assertTrue(
                run.out.contains("read training data: " + TRAIN_ROWS + " rows from 1 file(s)"),
                run.out);
        JsonNode manifest = assertModelSaved(jobDir);
        assertEquals(TRAIN_ROWS + VALID_ROWS, manifest.get("training").get("rows").asLong());
        // The checksum covers the stored (compressed) bytes.
        assertInputs(manifest, List.of(gz, valid), List.of((long) TRAIN_ROWS, (long) VALID_ROWS));
    }

    @Test
    void wildcardOfShardsEachWithAHeaderWorks() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("export"));
        List<String> rows = trainRows();
        // Written out of order: the reader must sort them.
        Path shard2 =
                writeCsv(dir.resolve("data-000000000002.csv"), header, rows.subList(1400, 2000));
        Path shard0 = writeCsv(dir.resolve("data-000000000000.csv"), header, rows.subList(0, 700));
        Path shard1 =
                writeCsv(dir.resolve("data-000000000001.csv"), header, rows.subList(700, 1400));
        Files.writeString(dir.resolve("other.csv"), "not,matched\n");
        Files.writeString(dir.resolve("data-000000000003.csv.bak"), "not,matched\n");

        Run run = train(withJobDir(trainingArgs(dir.resolve("data-*.csv"), "--max_iter", "5")));

        run.assertSuccess();
        assertTrue(
                run.out.contains("read training data: " + TRAIN_ROWS + " rows from 3 file(s)"),
                run.out);
        JsonNode manifest = assertModelSaved(jobDir);
        assertEquals(TRAIN_ROWS, manifest.get("training").get("rows").asLong());
        assertInputs(manifest, List.of(shard0, shard1, shard2), List.of(700L, 700L, 600L));
    }

    @Test
    void emptyShardsOfAWildcardAreSkippedButANamedEmptyFileIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("export-with-empty"));
        List<String> rows = trainRows();
        Path shard0 = writeCsv(dir.resolve("data-000000000000.csv"), header, rows.subList(0, 1200));
        Path empty = Files.write(dir.resolve("data-000000000001.csv"), new byte[0]);
        Path headerOnly = writeCsv(dir.resolve("data-000000000002.csv"), header, List.of());
        Path shard3 =
                writeCsv(dir.resolve("data-000000000003.csv"), header, rows.subList(1200, 2000));

        Run run = train(withJobDir(trainingArgs(dir.resolve("data-*.csv"), "--max_iter", "5")));

        run.assertSuccess();
        assertTrue(
                run.out.contains("read training data: " + TRAIN_ROWS + " rows from 4 file(s)"),
                run.out);
        assertInputs(
                assertModelSaved(jobDir),
                List.of(shard0, empty, headerOnly, shard3),
                List.of(1200L, 0L, 0L, 800L));

        Path otherJobDir = tmp.resolve("job-of-empty");
        Run named = train(trainingArgs(empty, "--job-dir", otherJobDir.toString()));
        named.assertRuntimeError(empty + ": the file is empty");
        assertNoModel(otherJobDir);
        Run namedHeaderOnly = train(trainingArgs(headerOnly, "--job-dir", otherJobDir.toString()));
        namedHeaderOnly.assertRuntimeError(headerOnly + ": no data rows (only a header)");
        assertNoModel(otherJobDir);
    }

    @Test
    void aTextColumnNamesTheFlagsThatDeclareItAndIgnoreColumnsLeavesItOut() throws IOException {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < TRAIN_ROWS; i++) {
            rows.add(trainRows().get(i) + ",\"note " + (i % 3) + ", free text\",id-" + i);
        }
        Path withText = writeCsv(tmp.resolve("with-text.csv"), header + ",note,id", rows);

        Run refused = train(withJobDir(trainingArgs(withText, "--max_iter", "5")));
        refused.assertRuntimeError(
                "with-text.csv: line 2, column note: \"note 0, free text\" is not a number",
                "--categorical_columns note",
                "--ignore_columns note");
        assertNoModel(jobDir);

        Run run =
                train(
                        withJobDir(
                                trainingArgs(
                                        withText,
                                        "--max_iter",
                                        "5",
                                        "--ignore_columns",
                                        "note,id")));
        run.assertSuccess();
        JsonNode manifest = assertModelSaved(jobDir);
        assertEquals("[\"note\",\"id\"]", manifest.get("ignored_columns").toString());
        assertEquals(12, manifest.get("input_columns").size());
        assertFalse(manifest.get("features").toString().contains("note"));

        Run categorical =
                train(
                        trainingArgs(
                                withText,
                                "--max_iter",
                                "5",
                                "--job-dir",
                                tmp.resolve("job-note").toString(),
                                "--categorical_columns",
                                "Wilderness_Area,Soil_Type,note",
                                "--ignore_columns",
                                "id"));
        categorical.assertSuccess();
        assertTrue(
                assertModelSaved(tmp.resolve("job-note"))
                        .get("features")
                        .toString()
                        .contains("note@note 1, free text"));
    }

    @Test
    void ignoreColumnsMustNameColumnsOfTheData() throws IOException {
        Run missing = train(withJobDir(base(), "--ignore_columns", "no_such_column"));
        missing.assertRuntimeError("the header has no ignored column no_such_column");
        assertNoModel(jobDir);
        train(withJobDir(base(), "--ignore_columns", "Cover_Type"))
                .assertUsageError("--ignore_columns names the label column");
        train(withJobDir(base(), "--ignore_columns", "Soil_Type"))
                .assertUsageError(
                        "column Soil_Type is in both --categorical_columns and --ignore_columns");
    }

    // ---------------------------------------------------------------- whole or not at all

    @Test
    void jobDirThatIsARegularFileFailsAndWritesNothing() throws IOException {
        Path occupied = Files.writeString(tmp.resolve("occupied"), "not a directory\n");
        Path aipDir = tmp.resolve("aip");

        Run run =
                train(
                        Map.of(TrainCommand.AIP_MODEL_DIR, aipDir.toString()),
                        dataArgs(
                                train, valid, "--max_iter", "5", "--job-dir", occupied.toString()));

        run.assertRuntimeError(occupied.toString());
        assertFalse(run.out.contains("model saved"), run.out);
        assertEquals("not a directory\n", Files.readString(occupied));
        assertNoModel(aipDir);
        assertNoBundleFilesUnder(tmp);
        assertFalse(Files.exists(metricFile));
    }

    /** The same with the blocked directory second: the first must not keep a model either. */
    @Test
    void aipModelDirThatIsARegularFileFailsAndWritesNothing() throws IOException {
        Path occupied = Files.writeString(tmp.resolve("occupied"), "not a directory\n");

        Run run =
                train(Map.of(TrainCommand.AIP_MODEL_DIR, occupied.toString()), withJobDir(base()));

        run.assertRuntimeError(occupied.toString());
        assertFalse(run.out.contains("model saved"), run.out);
        assertEquals("not a directory\n", Files.readString(occupied));
        assertNoModel(jobDir);
        assertNoBundleFilesUnder(tmp);
    }

    // ---------------------------------------------------------------- a failed run leaves nothing

    @Test
    void aFailedRunIntoAFreshJobDirLeavesNothingBehind() throws IOException {
        Path bad = trainWithCell(tmp, 40, 0, "abc");
        Path parent = Files.createDirectories(tmp.resolve("runs"));
        Path fresh = parent.resolve("a/b/job");

        assertFailsOnLine42(bad, fresh);

        assertFalse(
                Files.exists(parent.resolve("a")),
                "neither the lock file nor the directories train made");
        assertTrue(Files.isDirectory(parent), "a directory that was there stays");
    }

    @Test
    void aFailedRunIntoAnExistingJobDirLeavesItAsItWas() throws IOException {
        Path bad = trainWithCell(tmp, 40, 0, "abc");
        train(withJobDir(base())).assertSuccess();
        Map<String, Long> before = fileSizes(jobDir);
        byte[] manifest = Files.readAllBytes(jobDir.resolve(ModelBundle.MANIFEST_FILE));

        assertFailsOnLine42(bad, jobDir);

        Map<String, Long> after = fileSizes(jobDir);
        assertEquals(
                before.keySet(),
                after.keySet(),
                "the lock file, which was there, stays; nothing is added");
        assertArrayEquals(manifest, Files.readAllBytes(jobDir.resolve(ModelBundle.MANIFEST_FILE)));

        Path yours = Files.createDirectories(tmp.resolve("yours"));
        Files.writeString(yours.resolve("notes.txt"), "mine");
        assertFailsOnLine42(bad, yours);
        assertEquals(
                List.of("notes.txt"),
                list(yours),
                "an existing dir keeps its files and gets no lock file");
    }

    /** A run on training data whose data row 40 is not a number, into {@code dir}: it fails. */
    private void assertFailsOnLine42(Path bad, Path dir) {
        train(trainingArgs(bad, "--job-dir", dir.toString(), "--max_iter", "5"))
                .assertRuntimeError(
                        "line 42, column Elevation: \"abc\" is not a number (the rows before it"
                                + " hold numbers there: a typo? If the column is text, declare it"
                                + " with --categorical_columns Elevation");
    }

    /** The size of each regular file under {@code dir}, by its path relative to it. */
    private static Map<String, Long> fileSizes(Path dir) throws IOException {
        Map<String, Long> sizes = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                sizes.put(dir.relativize(file).toString(), Files.size(file));
            }
        }
        return sizes;
    }

    // ---------------------------------------------------------------- helpers

    /** What one run of the program did. */
    record Run(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().filter(line -> !line.isBlank()).toList();
        }

        void assertSuccess() {
            assertEquals(0, code, () -> "exit code; err:\n" + err + "\nout:\n" + out);
            assertEquals("", err, "err of a successful run");
        }

        /** Exit 1 with exactly one line on err holding every fragment. */
        void assertRuntimeError(String... fragments) {
            assertEquals(1, code, () -> "exit code; err:\n" + err + "\nout:\n" + out);
            List<String> lines = errLines();
            assertEquals(1, lines.size(), () -> "one error line, got:\n" + err);
            String line = lines.get(0);
            assertTrue(line.startsWith("train: error: "), line);
            assertContainsAll(line, fragments);
        }

        /**
         * Exit 2, a first err line holding every fragment, then a pointer to --help (not the
         * usage).
         */
        void assertUsageError(String... fragments) {
            assertEquals(2, code, () -> "exit code; err:\n" + err + "\nout:\n" + out);
            List<String> lines = errLines();
            assertFalse(lines.isEmpty(), "an error message on err");
            assertContainsAll(lines.get(0), fragments);
            assertEquals(
                    "Try 'train --help' for more information.", lines.get(lines.size() - 1), err);
            assertFalse(err.contains("Usage: train"), () -> "no usage on err:\n" + err);
            assertFalse(out.contains("mode="), () -> "no training on a usage error:\n" + out);
        }

        private static void assertContainsAll(String line, String... fragments) {
            for (String fragment : fragments) {
                assertTrue(
                        line.contains(fragment), () -> "'" + fragment + "' missing from: " + line);
            }
        }
    }

    private Run train(List<String> args) {
        return train(Map.of(), args);
    }

    private Run train(Map<String, String> extraEnv, List<String> args) {
        Map<String, String> env = new HashMap<>();
        env.put(HypertuneReporter.METRIC_FILE_ENV, metricFile.toString());
        env.putAll(extraEnv);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code;
        try (PrintWriter outWriter = new PrintWriter(out);
                PrintWriter errWriter = new PrintWriter(err)) {
            code = Train.run(args.toArray(String[]::new), outWriter, errWriter, Map.copyOf(env));
        }
        return new Run(code, out.toString(), err.toString());
    }

    /** Training and validation data, at most 5 epochs; no mode flag, no job dir. */
    private static List<String> base() {
        return List.copyOf(dataArgs(train, valid, "--max_iter", "5"));
    }

    /** {@code --training_dataset_path training}, then {@code more}. */
    private static List<String> trainingArgs(Path training, String... more) {
        List<String> args =
                new ArrayList<>(List.of("--training_dataset_path", training.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** {@code --training_dataset_path training --validation_dataset_path validation}, then more. */
    private static List<String> dataArgs(Path training, Path validation, String... more) {
        return dataArgs(training.toString(), validation.toString(), more);
    }

    private static List<String> dataArgs(String training, String validation, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--training_dataset_path",
                                training,
                                "--validation_dataset_path",
                                validation));
        args.addAll(List.of(more));
        return args;
    }

    private List<String> withJobDir(List<String> args, String... more) {
        List<String> all = new ArrayList<>(args);
        all.add("--job-dir");
        all.add(jobDir.toString());
        all.addAll(List.of(more));
        return all;
    }

    private static List<String> trainRows() {
        return dataRows.subList(0, TRAIN_ROWS);
    }

    private static List<String> validRows() {
        return dataRows.subList(TRAIN_ROWS, TRAIN_ROWS + VALID_ROWS);
    }

    private static Path writeCsv(Path file, String header, List<String> rows) throws IOException {
        StringBuilder text = new StringBuilder(header).append('\n');
        for (String row : rows) {
            text.append(row).append('\n');
        }
        return Files.writeString(file, text);
    }

    private static String replaceField(String row, int field, String value) {
        String[] fields = row.split(",", -1);
        fields[field] = value;
        return String.join(",", fields);
    }

    /**
     * The training rows with one cell replaced; the file's line of data row {@code row} is row + 2.
     */
    private static Path trainWithCell(Path dir, int row, int field, String value)
            throws IOException {
        List<String> rows = new ArrayList<>(trainRows());
        rows.set(row, replaceField(rows.get(row), field, value));
        return writeCsv(dir.resolve("bad-" + row + "-" + field + ".csv"), header, rows);
    }

    /**
     * Training and validation data with the label renamed Label and Wilderness_Area renamed Area.
     */
    private Path[] renamedData() throws IOException {
        String renamed = header.replace("Cover_Type", "Label").replace("Wilderness_Area", "Area");
        return new Path[] {
            writeCsv(tmp.resolve("renamed-train.csv"), renamed, trainRows()),
            writeCsv(tmp.resolve("renamed-valid.csv"), renamed, validRows()),
        };
    }

    private List<String> readMetricLines() throws IOException {
        assertTrue(Files.isRegularFile(metricFile), "hypertune file " + metricFile);
        return Files.readAllLines(metricFile).stream().filter(line -> !line.isBlank()).toList();
    }

    /**
     * Checks a saved bundle: exactly the model and the manifest (no temporary files), the
     * manifest's checksum matching the model's bytes.
     *
     * @return the parsed manifest
     */
    private static JsonNode assertModelSaved(Path dir) throws IOException {
        List<String> entries = list(dir);
        assertEquals(3, entries.size(), entries.toString());
        assertEquals(
                List.of(JobDirWriter.LOCK_FILE, ModelBundle.MANIFEST_FILE), entries.subList(0, 2));
        String bundle = entries.get(2);
        assertTrue(bundle.matches("model-\\d{8}T\\d{9}Z-[0-9a-f]{8}"), bundle);
        assertEquals(
                List.of(ModelBundle.ONNX_FILE, ModelBundle.MODEL_FILE), list(dir.resolve(bundle)));
        JsonNode manifest = JSON.readTree(dir.resolve(ModelBundle.MANIFEST_FILE).toFile());
        assertEquals(bundle + "/" + ModelBundle.MODEL_FILE, manifest.at("/model/file").asText());
        assertEquals(
                sha256(dir.resolve(bundle).resolve(ModelBundle.MODEL_FILE)),
                manifest.at("/model/sha256").asText());
        assertEquals(bundle + "/" + ModelBundle.ONNX_FILE, manifest.at("/onnx/file").asText());
        assertEquals(
                sha256(dir.resolve(bundle).resolve(ModelBundle.ONNX_FILE)),
                manifest.at("/onnx/sha256").asText());
        return manifest;
    }

    /**
     * No model: nothing in the dir, or only the lock file a train run leaves (it stays for the
     * next).
     */
    private static void assertNoModel(Path dir) throws IOException {
        assertTrue(
                !Files.exists(dir)
                        || list(dir).isEmpty()
                        || list(dir).equals(List.of(JobDirWriter.LOCK_FILE)),
                () -> dir + " should hold no model: " + safeList(dir));
    }

    private void assertNothingWritten() throws IOException {
        assertNoModel(jobDir);
        assertFalse(Files.exists(metricFile), "hypertune file " + metricFile);
        assertNoBundleFilesUnder(tmp);
    }

    private static void assertNoBundleFilesUnder(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<Path> found =
                    files.filter(Files::isRegularFile)
                            .filter(
                                    p -> {
                                        String name = p.getFileName().toString();
                                        return name.contains(ModelBundle.MODEL_FILE)
                                                || name.contains(ModelBundle.MANIFEST_FILE)
                                                || name.endsWith(".tmp")
                                                || name.contains("metrics");
                                    })
                            .toList();
            assertEquals(List.of(), found, "files left under " + root);
        }
    }

    private static void assertInputs(JsonNode manifest, List<Path> files, List<Long> rows)
            throws IOException {
        JsonNode inputs = manifest.get("inputs");
        assertNotNull(inputs);
        assertEquals(files.size(), inputs.size(), inputs.toString());
        for (int i = 0; i < files.size(); i++) {
            JsonNode input = inputs.get(i);
            assertEquals(files.get(i).toString(), input.get("uri").asText());
            assertEquals(rows.get(i).longValue(), input.get("rows").asLong(), input.toString());
            assertEquals(sha256(files.get(i)), input.get("sha256").asText(), input.toString());
        }
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String safeList(Path dir) {
        try {
            return list(dir).toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
