package dev.kfptribuo.localrun.pipeline;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kfptribuo.cli.Programs;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.localrun.run.Console;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import dev.kfptribuo.registry.ModelRegistryReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The run's last lines: how to serve the version of the model deployed last, and a curl line that
 * asks it for a prediction of the first testing row, as printed. The port and route are those
 * bin/serve takes from the environment ({@code $AIP_HTTP_PORT}, {@code $AIP_PREDICT_ROUTE}), else
 * 8080 and {@code /predict}.
 */
public final class ServeInstructions {
    /** One-line JSON with a space after each colon and comma, as a person types it. */
    private static final ObjectWriter COMPACT =
            new ObjectMapper()
                    .writer(
                            new MinimalPrettyPrinter() {
                                private static final long serialVersionUID = 1L;

                                @Override
                                public void writeObjectFieldValueSeparator(JsonGenerator g)
                                        throws IOException {
                                    g.writeRaw(": ");
                                }

                                @Override
                                public void writeObjectEntrySeparator(JsonGenerator g)
                                        throws IOException {
                                    g.writeRaw(", ");
                                }
                            });

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Console console;
    private final Path home;
    private final Path registry;
    private final String modelId;
    private final Map<String, String> env;

    /**
     * @param console the run's lines
     * @param home the repository's root (bin/serve is there)
     * @param registry the local model registry
     * @param modelId the model's id
     * @param env the environment (the AIP_* variables bin/serve reads)
     */
    public ServeInstructions(
            Console console, Path home, Path registry, String modelId, Map<String, String> env) {
        this.console = console;
        this.home = home;
        this.registry = registry;
        this.modelId = modelId;
        this.env = env;
    }

    /**
     * Prints the lines, or why there is nothing to serve.
     *
     * @param testing the run's testing split
     * @param deployedHere the version directory this run published, or null
     */
    public void print(Path testing, Path deployedHere) {
        ModelRegistryReader.Version served;
        try {
            served = new ModelRegistryReader(registry).current(modelId);
        } catch (IOException e) {
            console.say("nothing to serve: %s", e.getMessage());
            return;
        }
        String instance;
        try {
            instance = firstInstance(served.directory(), testing);
        } catch (IOException | RuntimeException e) {
            console.say("serve: no instance for a curl line: %s", Programs.describe(e));
            return;
        }
        String port = variable("AIP_HTTP_PORT", "8080");
        String route = variable("AIP_PREDICT_ROUTE", "/predict");
        boolean ours =
                deployedHere != null
                        && served.directory().toString().equals(deployedHere.toString());
        console.say(
                "serve %s/%s (%s) and ask it about the first testing row:",
                served.modelId(),
                served.versionId(),
                ours ? "deployed by this run" : "deployed before this run");
        console.say(
                "  %s --registry %s --model %s",
                shell(Console.shown(home.resolve("bin").resolve("serve"))),
                shell(Console.shown(registry)),
                shell(served.modelId()));
        console.say(
                "  curl -s %s -H 'Content-Type: application/json' -d %s",
                shell("localhost:" + port + route), shell("{\"instances\": [" + instance + "]}"));
    }

    /** The first row of the testing split as a JSON object of the served model's input columns. */
    private static String firstInstance(Path versionDir, Path testing) throws IOException {
        Manifest manifest = ModelBundle.readManifest(Location.parse(versionDir.toString()));
        List<String> header;
        List<String> row;
        try (Reader reader = Files.newBufferedReader(testing, StandardCharsets.UTF_8);
                CSVParser csv = CSVFormat.DEFAULT.builder().setHeader().get().parse(reader)) {
            header = csv.getHeaderNames();
            Iterator<CSVRecord> first = csv.iterator();
            if (!first.hasNext()) {
                throw new IOException(testing + ": no row");
            }
            row = first.next().toList();
        }
        ObjectNode instance = JSON.createObjectNode();
        for (String column : manifest.inputColumns()) {
            int c = header.indexOf(column);
            if (c < 0 || c >= row.size()) {
                throw new IOException(testing + ": no column " + column);
            }
            String cell = row.get(c);
            if (manifest.categoricalColumns().containsKey(column)) {
                instance.put(column, cell);
            } else {
                try {
                    instance.put(column, new BigDecimal(cell.strip()));
                } catch (NumberFormatException e) {
                    instance.put(column, cell);
                }
            }
        }
        return COMPACT.writeValueAsString(instance);
    }

    /**
     * @param word a word for a POSIX shell
     * @return it as it is when it holds only safe characters, else in single quotes
     */
    static String shell(String word) {
        if (word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private String variable(String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}
