package dev.kfptribuo.model;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.protos.DenseTensorProto;
import org.tribuo.math.protos.LinearParametersProto;
import org.tribuo.math.protos.ParametersProto;
import org.tribuo.math.protos.TensorProto;
import org.tribuo.protos.core.ModelProto;

/**
 * The checks a job dir's files pass before they are used, because a manifest and a model file are
 * input like any other: a file the manifest names must be a regular file inside the job dir, of
 * bounded size, and a model's declared weights must have the shape the manifest says.
 */
final class ModelFiles {
    /** A path segment: a plain name, neither {@code .} nor {@code ..}. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    private ModelFiles() {}

    /**
     * @param dir the job dir
     * @param file a path the manifest names
     * @param manifest the manifest, for errors
     * @return the file's location
     * @throws IOException unless the path is one or two plain names (a file, or a bundle directory
     *     and a file), and, locally, a regular file (not a link, a FIFO or a device) inside the dir
     */
    static Location resolve(Location dir, String file, Location manifest) throws IOException {
        String[] segments = file == null ? new String[0] : file.split("/", -1);
        boolean plain = segments.length >= 1 && segments.length <= 2;
        for (String segment : segments) {
            plain &= SEGMENT.matcher(segment).matches();
        }
        if (!plain) {
            throw new IOException(
                    manifest
                            + ": names the file '"
                            + file
                            + "', which is not a file inside the job dir");
        }
        Location location = dir;
        for (String segment : segments) {
            location = location.resolve(segment);
        }
        if (!location.isGcs()) {
            Path path = location.localPath();
            if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(
                        location
                                + ": not a regular file (a link, a directory, a FIFO or a device),"
                                + " so not a model file");
            }
        }
        return location;
    }

    /**
     * @param location a file
     * @param maxBytes the most it may hold
     * @return its stored bytes
     * @throws java.io.FileNotFoundException if it does not exist
     * @throws IOException if it cannot be read or is larger than {@code maxBytes}
     */
    static byte[] read(Location location, long maxBytes) throws IOException {
        try (InputStream in = new InputFile(location).openRaw()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new IOException(
                        location
                                + ": larger than "
                                + (maxBytes >> 20)
                                + " MiB, not a file of a saved model");
            }
            return bytes;
        }
    }

    /**
     * Checks the weights a model file declares against the manifest, before Tribuo allocates them:
     * a crafted file can declare a 65536 x 65536 matrix in a few bytes (the int product overflows
     * past Tribuo's own size check).
     *
     * @param proto the parsed model file
     * @param manifest its manifest
     * @param location the file, for errors
     * @throws IOException unless it is a linear SGD classifier whose dense weights are {@code
     *     labels × (features + 1)} with exactly that many values
     */
    static void checkShape(ModelProto proto, Manifest manifest, Location location)
            throws IOException {
        if (!proto.getClassName().equals(LinearSGDModel.class.getName())) {
            throw new IOException(
                    location + ": not a linear SGD classifier (" + proto.getClassName() + ")");
        }
        try {
            ParametersProto parameters =
                    proto.getSerializedData()
                            .unpack(ClassificationLinearSGDProto.class)
                            .getParams();
            if (!parameters.getClassName().equals(LinearParameters.class.getName())) {
                throw new IOException(
                        location
                                + ": parameters of class "
                                + parameters.getClassName()
                                + ", not linear");
            }
            TensorProto weights =
                    parameters
                            .getSerializedData()
                            .unpack(LinearParametersProto.class)
                            .getWeightMatrix();
            if (!weights.getClassName().equals(DenseMatrix.class.getName())) {
                throw new IOException(
                        location
                                + ": weights of class "
                                + weights.getClassName()
                                + ", not a dense matrix");
            }
            DenseTensorProto tensor = weights.getSerializedData().unpack(DenseTensorProto.class);
            long rows = manifest.labels().size();
            long columns = manifest.features().size() + 1L;
            if (tensor.getDimensionsCount() != 2
                    || tensor.getDimensions(0) != rows
                    || tensor.getDimensions(1) != columns
                    || tensor.getValues().size() != rows * columns * Double.BYTES) {
                throw new IOException(
                        location
                                + ": declares weights of shape "
                                + tensor.getDimensionsList()
                                + " with "
                                + tensor.getValues().size()
                                + " bytes; the manifest's "
                                + rows
                                + " labels and "
                                + manifest.features().size()
                                + " features need ["
                                + rows
                                + ", "
                                + columns
                                + "] and "
                                + rows * columns * Double.BYTES
                                + " bytes");
            }
        } catch (InvalidProtocolBufferException e) {
            throw new IOException(
                    location + ": not a Tribuo linear SGD model file: " + e.getMessage(), e);
        }
    }
}
