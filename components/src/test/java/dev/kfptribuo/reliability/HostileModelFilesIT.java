package dev.kfptribuo.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import dev.kfptribuo.TestData;
import dev.kfptribuo.data.Table;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.model.BinaryLoss;
import dev.kfptribuo.model.Hyperparameters;
import dev.kfptribuo.model.JobDirWriter;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.model.ModelTraining;
import dev.kfptribuo.model.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.math.protos.DenseTensorProto;
import org.tribuo.math.protos.LinearParametersProto;
import org.tribuo.protos.core.ModelProto;

/**
 * A manifest and a model file are input like any other: crafted ones are refused with one error
 * naming the file, before anything is read from elsewhere, hangs or allocates what they declare.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileModelFilesIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path shared;
    private static Path jobDir;

    @TempDir Path dir;

    @BeforeAll
    static void saveAModel() throws IOException {
        Table train = TestData.read(TestData.slice(shared, "train.csv", 0, 2000));
        Hyperparameters hyperparameters = new Hyperparameters(BinaryLoss.LOG, 1e-4, 5, 1e-3, 5, 1);
        TrainingResult result = ModelTraining.train(train, hyperparameters, (e, l, a, t) -> {});
        jobDir = shared.resolve("job");
        JobDirWriter.save(
                new ModelBundle(
                        result.model(),
                        ModelTraining.manifest(result, hyperparameters, train, 1, Instant.EPOCH)),
                List.of(Location.parse(jobDir.toString())));
    }

    /** A copy of the job dir whose manifest names another model file, with that file's digest. */
    private Path withModelFile(String file, byte[] digestOf) throws IOException {
        Path copy = dir.resolve("job-copy");
        Files.createDirectories(copy);
        ObjectNode manifest =
                (ObjectNode) JSON.readTree(jobDir.resolve(ModelBundle.MANIFEST_FILE).toFile());
        ((ObjectNode) manifest.get("model"))
                .put("file", file)
                .put("sha256", digestOf == null ? "0".repeat(64) : ModelBundle.sha256(digestOf));
        Files.writeString(copy.resolve(ModelBundle.MANIFEST_FILE), manifest.toString());
        return copy;
    }

    private static IOException load(Path dir) {
        return assertThrows(
                IOException.class, () -> ModelBundle.load(Location.parse(dir.toString())));
    }

    private byte[] modelBytes() throws IOException {
        return Files.readAllBytes(
                jobDir.resolve(
                        ModelBundle.readManifest(Location.parse(jobDir.toString()))
                                .model()
                                .file()));
    }

    @Test
    void aManifestNamingAFileOutsideTheJobDirIsRefused() throws IOException {
        Path outside = Files.write(dir.resolve("elsewhere.tribuo"), modelBytes());
        for (String file :
                List.of(
                        "../elsewhere.tribuo",
                        outside.toString(),
                        "/dev/zero",
                        "a/b/c.tribuo",
                        "",
                        "./x")) {
            IOException e = load(withModelFile(file, modelBytes()));
            assertTrue(
                    e.getMessage()
                            .contains(
                                    "names the file '"
                                            + file
                                            + "', which is not a file inside the job dir"),
                    e.getMessage());
        }
    }

    @Test
    void aLinkAFifoOrADirectoryInsideTheJobDirIsNotAModelFile()
            throws IOException, InterruptedException {
        Path copy = withModelFile("fifo.tribuo", null);
        Process mkfifo =
                new ProcessBuilder("mkfifo", copy.resolve("fifo.tribuo").toString()).start();
        assertEquals(0, mkfifo.waitFor());
        IOException fifo = load(copy);
        assertTrue(
                fifo.getMessage().contains("fifo.tribuo: not a regular file"), fifo.getMessage());

        Path link = withModelFile("link.tribuo", modelBytes());
        Files.createSymbolicLink(
                link.resolve("link.tribuo"),
                Files.write(dir.resolve("target.tribuo"), modelBytes()));
        assertTrue(load(link).getMessage().contains("link.tribuo: not a regular file"));

        Path directory = withModelFile("dir.tribuo", null);
        Files.createDirectory(directory.resolve("dir.tribuo"));
        assertTrue(load(directory).getMessage().contains("dir.tribuo: not a regular file"));
    }

    @Test
    void aModelDeclaringAHugeWeightMatrixIsRefusedBeforeAnyAllocation() throws IOException {
        ModelProto model = ModelProto.parseFrom(modelBytes());
        ClassificationLinearSGDProto sgd =
                model.getSerializedData().unpack(ClassificationLinearSGDProto.class);
        LinearParametersProto parameters =
                sgd.getParams().getSerializedData().unpack(LinearParametersProto.class);
        DenseTensorProto weights =
                parameters.getWeightMatrix().getSerializedData().unpack(DenseTensorProto.class);
        // 65536 x 65536 declared, a few values stored: the int product overflows past Tribuo's
        // check.
        DenseTensorProto crafted =
                weights.toBuilder()
                        .clearDimensions()
                        .addDimensions(65536)
                        .addDimensions(65536)
                        .setValues(ByteString.copyFrom(new byte[64]))
                        .build();
        ModelProto craftedModel =
                model.toBuilder()
                        .setSerializedData(
                                Any.pack(
                                        sgd.toBuilder()
                                                .setParams(
                                                        sgd.getParams().toBuilder()
                                                                .setSerializedData(
                                                                        Any.pack(
                                                                                parameters
                                                                                        .toBuilder()
                                                                                        .setWeightMatrix(
                                                                                                parameters
                                                                                                        .getWeightMatrix()
                                                                                                        .toBuilder()
                                                                                                        .setSerializedData(
                                                                                                                Any
                                                                                                                        .pack(
                                                                                                                                crafted)))
                                                                                        .build())))
                                                .build()))
                        .build();
        byte[] bytes = craftedModel.toByteArray();
        assertTrue(bytes.length < 20_000, "a small file: " + bytes.length);
        Path copy = withModelFile("crafted.tribuo", bytes);
        Files.write(copy.resolve("crafted.tribuo"), bytes);
        IOException e = load(copy);
        assertTrue(
                e.getMessage().contains("crafted.tribuo: declares weights of shape [65536, 65536]"),
                e.getMessage());
    }

    @Test
    void aModelFileOfTheWrongSizeOrContentIsNamed() throws IOException {
        byte[] garbage = new byte[1000];
        Path copy = withModelFile("garbage.tribuo", garbage);
        Files.write(copy.resolve("garbage.tribuo"), garbage);
        IOException e = load(copy);
        assertTrue(e.getMessage().contains("garbage.tribuo: not a Tribuo model"), e.getMessage());
    }

    /** A copy of the whole job dir: manifest, model and ONNX files, in their bundle directory. */
    private Path copyOfJobDir() throws IOException {
        Path copy = dir.resolve("whole-copy");
        try (var files = Files.walk(jobDir)) {
            for (Path file : files.toList()) {
                Path to = copy.resolve(jobDir.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(file, to);
                }
            }
        }
        return copy;
    }

    @Test
    void aTruncatedOrMissingOnnxFileIsRefusedThoughOnlyItsDigestIsRead() throws IOException {
        Path truncated = copyOfJobDir();
        Path onnx =
                truncated.resolve(
                        ModelBundle.readManifest(Location.parse(truncated.toString()))
                                .onnx()
                                .file());
        byte[] bytes = Files.readAllBytes(onnx);
        Files.write(onnx, java.util.Arrays.copyOf(bytes, 100));
        assertEquals(
                onnx + ": SHA-256 does not match manifest.json (an interrupted or mixed save?)",
                load(truncated).getMessage());

        Files.delete(onnx);
        IOException missing = load(truncated);
        assertTrue(missing instanceof java.io.FileNotFoundException, missing.toString());
        assertTrue(
                missing.getMessage().contains(onnx.getFileName().toString()), missing.getMessage());

        Files.write(onnx, bytes);
        ModelBundle.load(Location.parse(truncated.toString())); // whole again: loads
    }

    @Test
    void aManifestThatIsNullOrLacksAFieldReadersNeedIsNamed() throws IOException {
        Path copy = copyOfJobDir();
        Path manifestFile = copy.resolve(ModelBundle.MANIFEST_FILE);
        String original = Files.readString(manifestFile);
        Files.writeString(manifestFile, "null");
        assertEquals(
                manifestFile + ": not a valid manifest: null, where a JSON object belongs",
                load(copy).getMessage());
        for (String field :
                List.of(
                        "label_column",
                        "labels",
                        "input_columns",
                        "features",
                        "numeric_columns",
                        "categorical_columns")) {
            ObjectNode manifest = (ObjectNode) JSON.readTree(original);
            manifest.remove(field);
            Files.writeString(manifestFile, manifest.toString());
            assertEquals(
                    manifestFile + ": not a valid manifest: \"" + field + "\" is missing or null",
                    load(copy).getMessage());
            manifest.putNull(field);
            Files.writeString(manifestFile, manifest.toString());
            assertEquals(
                    manifestFile + ": not a valid manifest: \"" + field + "\" is missing or null",
                    load(copy).getMessage());
        }
    }
}
