package dev.kfptribuo.cli;

import dev.kfptribuo.io.Containment;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.Location;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Refuses a command's output files that lie where the command reads or writes: an output inside the
 * job dir train saves to could overwrite its manifest or be deleted by the save, one inside a model
 * directory or equal to an input file would change what the command (or the next step) reads. A
 * command names its places and then checks its outputs, before it reads anything.
 *
 * <p>Places are compared as {@link Containment} does (gs:// by bucket and prefix; local paths with
 * their links resolved as far as they exist). A refusal is a usage error (exit 2) naming the output
 * and the place: {@code --job-dir-output JD/manifest.json lies inside --job-dir JD; train saves the
 * model there, so give the output a path outside it}.
 */
public final class OutputPlaces {
    private final CommandSpec spec;
    private final List<Place> places = new ArrayList<>();

    /**
     * A place the command uses: its flag, where it is, whether a directory, what the command does
     * there.
     */
    private record Place(String flag, Location location, boolean directory, String use) {}

    /**
     * @param spec the command, for its usage errors
     */
    public OutputPlaces(CommandSpec spec) {
        this.spec = spec;
    }

    /**
     * @param flag what names it, e.g. {@code --job-dir} or {@code $AIP_MODEL_DIR}
     * @param dir the directory
     * @param use what the command does there, e.g. {@code train saves the model there}
     * @return this
     */
    public OutputPlaces directory(String flag, Location dir, String use) {
        places.add(new Place(flag, dir, true, use));
        return this;
    }

    /**
     * @param flag what names them, e.g. {@code --dataset-path}
     * @param files files the command reads
     * @param use what the command does with them, e.g. {@code evaluate-model reads it}
     * @return this
     */
    public OutputPlaces files(String flag, List<InputFile> files, String use) {
        for (InputFile file : files) {
            places.add(new Place(flag, file.location(), false, use));
        }
        return this;
    }

    /**
     * @param outputs each output's flag (e.g. {@code --job-dir-output}) and path; null paths are
     *     outputs not asked for
     * @throws ParameterException naming the first output that is, or lies inside, a place
     * @throws IOException if a local path cannot be resolved
     */
    public void check(Map<String, String> outputs) throws IOException {
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            if (output.getValue() == null) {
                continue;
            }
            Location path = Location.parse(output.getValue());
            for (Place place : places) {
                if (Containment.within(path, place.location())) {
                    boolean same = Containment.within(place.location(), path);
                    throw new ParameterException(
                            spec.commandLine(),
                            output.getKey()
                                    + " "
                                    + output.getValue()
                                    + (same ? " is " : " lies inside ")
                                    + place.flag()
                                    + " "
                                    + place.location()
                                    + "; "
                                    + place.use()
                                    + ", so give the output "
                                    + (place.directory() ? "a path outside it" : "another path"));
                }
            }
        }
    }
}
