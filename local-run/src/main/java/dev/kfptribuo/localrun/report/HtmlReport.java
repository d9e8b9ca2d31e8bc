package dev.kfptribuo.localrun.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.PythonFloats;
import dev.kfptribuo.localrun.io.AtomicFiles;
import dev.kfptribuo.localrun.run.RunLog;
import dev.kfptribuo.model.Manifest;
import dev.kfptribuo.model.ModelBundle;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no script, nothing fetched)
 * that shows a run at a glance: the deploy decision, the steps and their times, the split, the
 * trials as charts of each hyperparameter against the metric, the best run, the final model, the
 * evaluation with its confusion matrix, and links to every step's files.
 *
 * <p>It is built from the run directory's files alone ({@code run.json}, {@code split.json}, {@code
 * trials.json}, the programs' KFP outputs, the final model's {@code manifest.json} read as {@link
 * Manifest}, {@code decision.json}), so a failed or interrupted run gets a report of what it
 * reached.
 */
public final class HtmlReport {
    private static final String STYLE =
            String.join(
                    "\n",
                    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2330;margin:0;background:#f5f6f8}",
                    "main{max-width:1080px;margin:0 auto;padding:20px 28px 48px}",
                    "h1{font-size:22px;margin:8px 0 2px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dce3;padding-bottom:4px}",
                    ".sub{color:#5b6473;margin:0 0 14px}",
                    ".decision{border-radius:8px;padding:14px 18px;margin:14px 0;font-size:16px;border:1px solid}",
                    ".decision.deployed{background:#e8f6ec;border-color:#7cc592}.decision.kept{background:#f3f4f6;border-color:#b9bec8}",
                    ".decision.failed{background:#fdecec;border-color:#e08b8b}",
                    ".decision b{font-size:18px}",
                    "table{border-collapse:collapse;margin:6px 0 10px;background:#fff}",
                    "th,td{border:1px solid #dde1e7;padding:4px 9px;text-align:left;vertical-align:top}th{background:#eef0f4;font-weight:600}",
                    "td.num{text-align:right;font-variant-numeric:tabular-nums}",
                    "tr.best td{background:#fff4dc;font-weight:600}tr.failed td{color:#a33}",
                    ".status-succeeded{color:#1f7a3a;font-weight:600}.status-failed{color:#b42318;font-weight:600}",
                    ".status-running{color:#8a6d00;font-weight:600}.status-interrupted{color:#b42318;font-weight:600}",
                    ".timebar{display:inline-block;height:10px;background:#6c8ebf;border-radius:2px;vertical-align:middle}",
                    ".charts{display:flex;flex-wrap:wrap;gap:14px}",
                    "svg.chart{background:#fff;border:1px solid #dde1e7;border-radius:6px}",
                    "svg .plot{fill:#fbfbfd;stroke:#c9ced8}svg .grid{stroke:#e6e9ee}svg .tick{font-size:11px;fill:#5b6473}",
                    "svg .axis{font-size:12px;fill:#1d2330}svg .label{font-size:10px;fill:#5b6473}",
                    "svg .point circle{fill:#4e79a7;fill-opacity:.85;stroke:#fff}svg .best circle{fill:#e15759}",
                    "svg .best .label{fill:#e15759;font-weight:600}svg .bar{fill:#6c8ebf}",
                    "td.cm{text-align:right;min-width:44px;font-variant-numeric:tabular-nums}",
                    "code,pre{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}pre{background:#fff;border:1px solid #dde1e7;padding:8px;overflow:auto}",
                    ".muted{color:#6b7280}a{color:#2957a4}");

    private final Path runDir;
    private final Html h;

    private HtmlReport(Path runDir, Html h) {
        this.runDir = runDir;
        this.h = h;
    }

    /**
     * Writes the report of a run.
     *
     * @param runDir the run directory
     * @param target where the page goes (atomically)
     * @throws IOException if the run's files cannot be read or the page written
     */
    public static void write(Path runDir, Path target) throws IOException {
        StringWriter out = new StringWriter();
        Html h = new Html(out);
        new HtmlReport(runDir, h).render();
        h.finish();
        AtomicFiles.writeString(target, out.toString());
    }

    private void render() throws IOException {
        RunLog log = RunLog.read(runDir.resolve("run.json"));
        h.doctype();
        h.open("html", "lang", "en");
        h.open("head");
        h.empty("meta", "charset", "utf-8");
        h.empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1");
        h.element("title", "Continuous training run " + log.runId);
        h.element("style", STYLE);
        h.close();
        h.open("body").open("main");
        h.element("h1", "Continuous training run " + log.runId);
        h.element(
                "p",
                "Source "
                        + log.settings.get("source")
                        + " · started "
                        + shortTime(log.startedAt)
                        + " · "
                        + (log.finishedAt == null
                                ? "not finished"
                                : String.format(Locale.ROOT, "%.1f s in all", log.seconds))
                        + " · status "
                        + log.status,
                "class",
                "sub");
        decision(log);
        steps(log);
        split();
        JsonNode trials = json("2-tune/trials.json");
        tuning(trials);
        best(trials);
        model();
        evaluation();
        files(log);
        h.close().close().close();
    }

    // ---- sections -----------------------------------------------------------------------------

    private void decision(RunLog log) throws IOException {
        JsonNode decision = json("6-deploy/decision.json");
        RunLog.Step failed =
                log.steps.stream()
                        .filter(s -> "failed".equals(s.status) || "interrupted".equals(s.status))
                        .findFirst()
                        .orElse(null);
        if (decision != null && decision.path("deployed").asBoolean()) {
            h.open("div", "class", "decision deployed");
            h.element("b", "Deployed. ");
            h.text(decision.path("reason").asText());
            h.close();
        } else if (decision != null && failed == null) {
            h.open("div", "class", "decision kept");
            h.element("b", "Not deployed. ");
            h.text(decision.path("reason").asText().replaceFirst("^not deployed: ", ""));
            h.close();
        } else if (failed != null) {
            h.open("div", "class", "decision failed");
            h.element(
                    "b",
                    ("interrupted".equals(failed.status)
                                    ? "Run interrupted at step "
                                    : "Run failed at step ")
                            + failed.number
                            + " ("
                            + failed.name
                            + "). ");
            h.text(failed.error + (decision == null ? " Nothing was deployed." : ""));
            h.close();
        } else {
            h.open("div", "class", "decision kept");
            h.element("b", "No decision yet. ");
            h.text("The run did not reach the deploy step.");
            h.close();
        }
    }

    private void steps(RunLog log) {
        h.element("h2", "Steps");
        double max = log.steps.stream().mapToDouble(s -> s.seconds).max().orElse(1);
        h.open("table");
        h.open("tr")
                .element("th", "#")
                .element("th", "step")
                .element("th", "status")
                .element("th", "time")
                .element("th", "")
                .element("th", "result")
                .close();
        for (RunLog.Step s : log.steps) {
            h.open("tr");
            h.element("td", s.number, "class", "num");
            h.open("td").element("a", s.name, "href", s.dir + "/").close();
            h.element("td", s.status, "class", "status-" + s.status);
            h.element("td", String.format(Locale.ROOT, "%.1f s", s.seconds), "class", "num");
            h.open("td");
            h.open(
                            "span",
                            "class",
                            "timebar",
                            "style",
                            String.format(
                                    Locale.ROOT,
                                    "width:%.0fpx",
                                    max > 0 ? 4 + 140 * s.seconds / max : 4))
                    .close();
            h.close();
            h.element("td", s.error != null ? s.error : s.summary);
            h.close();
        }
        h.close();
    }

    private void split() throws IOException {
        JsonNode split = json("1-split/split.json");
        if (split == null) {
            return;
        }
        h.element("h2", "Split");
        h.open("p")
                .text(
                        String.format(
                                Locale.ROOT,
                                "%,d rows of %s, each in lot MOD(ABS(FARM_FINGERPRINT(TO_JSON_STRING(row))), %d); column types %s: ",
                                split.path("rows").asLong(),
                                split.path("source").asText(),
                                split.path("num_lots").asInt(),
                                split.path("schema_inferred").asBoolean() ? "inferred" : "given"));
        h.element("code", split.path("schema").asText()).close();
        h.open("table");
        h.open("tr")
                .element("th", "split")
                .element("th", "lots")
                .element("th", "rows")
                .element("th", "query")
                .close();
        for (JsonNode s : split.path("splits")) {
            List<String> lots = new ArrayList<>();
            s.path("lots").forEach(l -> lots.add(l.asText()));
            h.open("tr")
                    .element("td", s.path("name").asText())
                    .element("td", String.join(", ", lots))
                    .element(
                            "td",
                            String.format(Locale.ROOT, "%,d", s.path("rows").asLong()),
                            "class",
                            "num")
                    .open("td")
                    .element("code", s.path("query").asText())
                    .close()
                    .close();
        }
        h.close();
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        List<String> valueLabels = new ArrayList<>();
        Map<Integer, String> owner = new LinkedHashMap<>();
        for (JsonNode s : split.path("splits")) {
            s.path("lots")
                    .forEach(
                            l ->
                                    owner.merge(
                                            l.asInt(),
                                            s.path("name").asText(),
                                            (a, b) -> a + "+" + b));
        }
        JsonNode perLot = split.path("rows_per_lot");
        for (int lot = 0; lot < perLot.size(); lot++) {
            labels.add("lot " + lot + (owner.containsKey(lot) ? " · " + owner.get(lot) : ""));
            values.add(perLot.get(lot).asDouble());
            valueLabels.add(String.format(Locale.ROOT, "%,d", perLot.get(lot).asLong()));
        }
        SvgChart.bars(h, "rows per lot", labels, values, valueLabels);
    }

    private void tuning(JsonNode study) {
        if (study == null) {
            return;
        }
        h.element("h2", "Tuning");
        String tag = study.path("metric_tag").asText();
        int parallel = study.path("max_parallel_trials").asInt();
        h.element(
                "p",
                String.format(
                        Locale.ROOT,
                        "%d trials, %d at a time, %s %s; search: %s, seed %d%s. Each trial is a "
                                + "train process; its metric is read back from its cloudml-hypertune file.",
                        study.path("trials").size(),
                        parallel,
                        study.path("goal").asText(),
                        tag,
                        study.path("search").asText(),
                        study.path("seed").asLong(),
                        study.path("early_stopping").asBoolean()
                                ? "; early stopping requested (a trial reports one final measurement, so none is stopped)"
                                : ""));
        String bestId = text("3-best-run/outputs/trial_id");
        List<JsonNode> done = new ArrayList<>();
        study.path("trials")
                .forEach(
                        t -> {
                            if ("SUCCEEDED".equals(t.path("state").asText())) {
                                done.add(t);
                            }
                        });
        h.open("div", "class", "charts");
        for (JsonNode param : study.path("params")) {
            String name = param.path("name").asText();
            SvgChart.Axis axis = axis(param);
            List<SvgChart.Point> points = new ArrayList<>();
            for (JsonNode t : done) {
                JsonNode v = t.path("hyperparameters").path(name);
                double x =
                        axis.kind() == SvgChart.Kind.CATEGORY
                                ? axis.categories().indexOf(category(param, v))
                                : v.asDouble();
                points.add(
                        new SvgChart.Point(
                                x,
                                t.path("metric").asDouble(),
                                t.path("trial_id").asText(),
                                t.path("trial_id").asText().equals(bestId),
                                "trial "
                                        + t.path("trial_id").asText()
                                        + ": "
                                        + name
                                        + "="
                                        + v.asText()
                                        + ", "
                                        + tag
                                        + "="
                                        + t.path("metric").asText()));
            }
            if (!points.isEmpty()) {
                SvgChart.scatter(
                        h,
                        name
                                + " ("
                                + param.path("type").asText().toLowerCase(Locale.ROOT)
                                + scaleNote(param)
                                + ")",
                        axis,
                        tag,
                        points);
            }
        }
        h.close();
        h.open("table");
        h.open("tr").element("th", "trial");
        study.path("params").forEach(p -> h.element("th", p.path("name").asText()));
        h.element("th", tag)
                .element("th", "step")
                .element("th", "time")
                .element("th", "state")
                .close();
        for (JsonNode t : study.path("trials")) {
            String id = t.path("trial_id").asText();
            String state = t.path("state").asText();
            h.open(
                    "tr",
                    "class",
                    id.equals(bestId) ? "best" : "FAILED".equals(state) ? "failed" : null);
            h.open("td").element("a", id, "href", t.path("dir").asText() + "/").close();
            study.path("params")
                    .forEach(
                            p -> {
                                String value =
                                        t.path("hyperparameters")
                                                .path(p.path("name").asText())
                                                .asText();
                                h.element(
                                        "td",
                                        shortNumber(p, value),
                                        "class",
                                        "num",
                                        "title",
                                        value);
                            });
            h.element(
                    "td",
                    t.path("metric").isNumber()
                            ? String.format(Locale.ROOT, "%.4f", t.path("metric").asDouble())
                            : "",
                    "class",
                    "num");
            h.element("td", t.path("training_step").asText(""), "class", "num");
            h.element(
                    "td",
                    String.format(Locale.ROOT, "%.1f s", t.path("seconds").asDouble()),
                    "class",
                    "num");
            h.element(
                    "td",
                    state
                            + (t.path("error").isTextual() ? ": " + t.path("error").asText() : "")
                            + (id.equals(bestId) ? " · best" : ""));
            h.close();
        }
        h.close();
    }

    private void best(JsonNode study) throws IOException {
        String trial = text("3-best-run/outputs/trial_id");
        if (trial == null) {
            return;
        }
        h.element("h2", "Best run");
        h.open("p")
                .text("retrieve-best-run chose trial ")
                .element("b", trial)
                .text(
                        " with "
                                + (study == null ? "metric" : study.path("metric_tag").asText())
                                + " = "
                                + text("3-best-run/outputs/metric_value")
                                + " and hyperparameters ")
                .element("code", text("3-best-run/outputs/hyperparameters.json"))
                .text(", read from the study's projects.jobs.get document (")
                .element("a", "job.json", "href", "2-tune/job.json")
                .text(").")
                .close();
    }

    private void model() {
        Manifest manifest;
        try {
            manifest =
                    ModelBundle.readManifest(
                            Location.parse(runDir.resolve("4-train/job-dir").toString()));
        } catch (IOException e) {
            return; // no final model (yet), or none that can be read
        }
        Manifest.Training fit = manifest.training();
        Manifest.HyperparameterValues hp = manifest.hyperparameters();
        h.element("h2", "Final model");
        h.element(
                "p",
                String.format(
                        Locale.ROOT,
                        "Trained on training + validation, %,d rows: %d epochs (%s), loss %.4f, "
                                + "%.1f s of fitting. loss=%s alpha=%s max_iter=%d tol=%s. Tribuo %s, %d features, model SHA-256 %s.",
                        fit.rows(),
                        fit.epochsRun(),
                        fit.converged() ? "converged" : "max_iter reached",
                        fit.finalLoss(),
                        fit.seconds(),
                        hp.loss(),
                        PythonFloats.repr(hp.alpha()),
                        hp.maxIter(),
                        hp.tol(),
                        manifest.tribuoVersion(),
                        manifest.features().size(),
                        manifest.model().sha256().substring(0, 12) + "…"));
    }

    private void evaluation() throws IOException {
        JsonNode metrics = json("5-evaluate/outputs/mlpipeline-metrics.json");
        JsonNode ui = json("5-evaluate/outputs/mlpipeline-ui-metadata.json");
        if (metrics == null) {
            return;
        }
        h.element("h2", "Evaluation on the testing split");
        h.open("p")
                .text("evaluate-model: ")
                .element(
                        "b",
                        text("5-evaluate/outputs/metric_name")
                                + " = "
                                + text("5-evaluate/outputs/metric_value"))
                .close();
        JsonNode baseline = json("5-evaluate/baseline.json");
        if (baseline != null && text("5-evaluate/outputs/metric_improvement") != null) {
            if (baseline.path("baseline").isTextual()) {
                h.open("p")
                        .text("baseline " + baseline.path("description").asText() + ": ")
                        .element(
                                "b",
                                text("5-evaluate/outputs/metric_name")
                                        + " = "
                                        + text("5-evaluate/outputs/baseline_metric_value"))
                        .text(", improvement " + text("5-evaluate/outputs/metric_improvement"))
                        .close();
            } else {
                h.open("p")
                        .text("no baseline (" + baseline.path("description").asText() + ")")
                        .close();
            }
        }
        h.open("div", "class", "charts");
        if (ui != null) {
            for (JsonNode output : ui.path("outputs")) {
                if ("confusion_matrix".equals(output.path("type").asText())) {
                    confusionMatrix(output);
                }
            }
        }
        h.open("div");
        h.open("table");
        h.open("tr").element("th", "metric").element("th", "value").close();
        for (JsonNode m : metrics.path("metrics")) {
            h.open("tr")
                    .element("td", m.path("name").asText())
                    .element(
                            "td",
                            String.format(Locale.ROOT, "%.4f", m.path("numberValue").asDouble()),
                            "class",
                            "num")
                    .close();
        }
        h.close();
        h.close();
        h.close();
        if (ui != null) {
            for (JsonNode output : ui.path("outputs")) {
                if ("table".equals(output.path("type").asText())) {
                    h.open("table");
                    h.open("tr");
                    output.path("header").forEach(c -> h.element("th", c.asText()));
                    h.close();
                    for (CSVRecord row : csv(output.path("source").asText())) {
                        h.open("tr");
                        row.forEach(cell -> h.element("td", cell, "class", "num"));
                        h.close();
                    }
                    h.close();
                }
            }
        }
    }

    private void confusionMatrix(JsonNode output) throws IOException {
        List<String> labels = new ArrayList<>();
        output.path("labels").forEach(l -> labels.add(l.asText()));
        long[][] counts = new long[labels.size()][labels.size()];
        long[] rowTotals = new long[labels.size()];
        for (CSVRecord row : csv(output.path("source").asText())) {
            int t = labels.indexOf(row.get(0));
            int p = labels.indexOf(row.get(1));
            if (t >= 0 && p >= 0) {
                counts[t][p] = Long.parseLong(row.get(2));
                rowTotals[t] += counts[t][p];
            }
        }
        h.open("table");
        h.open("tr").element("th", "true \\ predicted");
        labels.forEach(l -> h.element("th", l));
        h.element("th", "recall").close();
        for (int t = 0; t < labels.size(); t++) {
            h.open("tr").element("th", labels.get(t));
            for (int p = 0; p < labels.size(); p++) {
                double share = rowTotals[t] == 0 ? 0 : (double) counts[t][p] / rowTotals[t];
                String color = t == p ? "rgba(46,139,87,%.2f)" : "rgba(214,69,65,%.2f)";
                h.element(
                        "td",
                        counts[t][p],
                        "class",
                        "cm",
                        "title",
                        String.format(Locale.ROOT, "%.1f%% of true %s", 100 * share, labels.get(t)),
                        "style",
                        "background:"
                                + String.format(
                                        Locale.ROOT, color, Math.min(0.85, 0.08 + share * 0.9)));
            }
            h.element(
                    "td",
                    rowTotals[t] == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT, "%.3f", (double) counts[t][t] / rowTotals[t]),
                    "class",
                    "num");
            h.close();
        }
        h.close();
    }

    private void files(RunLog log) {
        h.element("h2", "Files");
        h.open("p")
                .text("Everything the run read and wrote is in ")
                .element("code", runDir.toString())
                .text(
                        ": each step's directory holds its command line (command.txt), its logs and its outputs; ")
                .element("a", "run.json", "href", "run.json")
                .text(" holds the settings.")
                .close();
        h.open("pre").text(String.valueOf(log.settings.get("hypertune_settings")).strip()).close();
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * A DOUBLE value with 4 significant digits (the full value is in the cell's tooltip); others as
     * they are.
     */
    private static String shortNumber(JsonNode param, String value) {
        if (!param.path("type").asText().equals("DOUBLE")) {
            return value;
        }
        try {
            return dev.kfptribuo.io.PythonFloats.repr(
                    new java.math.BigDecimal(value)
                            .round(new java.math.MathContext(4))
                            .doubleValue());
        } catch (NumberFormatException e) {
            return value;
        }
    }

    private static String shortTime(String instant) {
        return instant == null ? "" : instant.replaceFirst("\\.\\d+Z$", "Z").replace('T', ' ');
    }

    private static SvgChart.Axis axis(JsonNode param) {
        String type = param.path("type").asText();
        if (type.equals("DISCRETE")) {
            List<String> categories = new ArrayList<>();
            param.path("discreteValues")
                    .forEach(v -> categories.add(discreteText(param, v.asDouble())));
            return new SvgChart.Axis(SvgChart.Kind.CATEGORY, 0, 0, categories);
        }
        if (type.equals("CATEGORICAL")) {
            List<String> categories = new ArrayList<>();
            param.path("categoricalValues").forEach(v -> categories.add(v.asText()));
            return new SvgChart.Axis(SvgChart.Kind.CATEGORY, 0, 0, categories);
        }
        String scale = param.path("scale").asText();
        SvgChart.Kind kind =
                scale.equals("UNIT_LOG_SCALE") ? SvgChart.Kind.LOG : SvgChart.Kind.LINEAR;
        return new SvgChart.Axis(
                kind, param.path("min").asDouble(), param.path("max").asDouble(), List.of());
    }

    private static String category(JsonNode param, JsonNode value) {
        return param.path("type").asText().equals("DISCRETE")
                ? discreteText(param, value.asDouble())
                : value.asText();
    }

    private static String discreteText(JsonNode param, double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15
                ? Long.toString((long) v)
                : dev.kfptribuo.io.PythonFloats.repr(v);
    }

    private static String scaleNote(JsonNode param) {
        String scale = param.path("scale").asText("NONE");
        return scale.equals("NONE")
                ? ""
                : ", " + scale.toLowerCase(Locale.ROOT).replace("unit_", "").replace("_scale", "");
    }

    private static Iterable<CSVRecord> csv(String text) throws IOException {
        return CSVFormat.DEFAULT.parse(new StringReader(text)).getRecords();
    }

    private JsonNode json(String relative) throws IOException {
        Path file = runDir.resolve(relative);
        return Files.isRegularFile(file) ? AtomicFiles.JSON.readTree(file.toFile()) : null;
    }

    private String text(String relative) {
        Path file = runDir.resolve(relative);
        try {
            return Files.isRegularFile(file)
                    ? Files.readString(file, StandardCharsets.UTF_8).strip()
                    : null;
        } catch (IOException e) {
            return null;
        }
    }
}
