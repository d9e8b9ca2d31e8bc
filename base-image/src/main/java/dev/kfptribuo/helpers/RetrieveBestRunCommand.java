package dev.kfptribuo.helpers;

import dev.kfptribuo.cli.ExecutorInputOption;
import dev.kfptribuo.cli.GcsOptions;
import dev.kfptribuo.cli.OutputPlaces;
import dev.kfptribuo.cli.PathConverters;
import dev.kfptribuo.cli.TuningApiOptions;
import dev.kfptribuo.executor.ExecutorInput;
import dev.kfptribuo.executor.ExecutorOutput;
import dev.kfptribuo.io.InputFile;
import dev.kfptribuo.io.KfpOutputs;
import dev.kfptribuo.io.Location;
import dev.kfptribuo.io.PythonFloats;
import dev.kfptribuo.tuning.BestTrial;
import dev.kfptribuo.tuning.GcpResources;
import dev.kfptribuo.tuning.TuningJob;
import dev.kfptribuo.tuning.TuningJobClient;
import dev.kfptribuo.tuning.TuningJobDeadlineException;
import dev.kfptribuo.tuning.TuningJobDocuments;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code retrieve_best_run} component: reads a finished hyperparameter tuning job of AI
 * Platform Training v1 or Vertex AI (from the API or from a file), chooses its best trial by the
 * job's own goal and metric, and writes the trial's metric value and hyperparameters to KFP output
 * files.
 *
 * <p>The choice follows {@link BestTrial#choose}: a job that has not finished is refused; a job
 * that finished without succeeding (FAILED, CANCELLED, EXPIRED) is used with a warning line, since
 * its succeeded trials are valid; trials that did not succeed or have no finite final metric are
 * skipped. Every value is computed before any output is written, so a run that fails writes no
 * output. Every output is optional: a run without output flags prints the choice and writes nothing
 * (a dry run).
 *
 * <p>KFP v2 ({@code --executor-input}, the v2 spec): all five are output parameters of the executor
 * output ({@code hyperparameters} a {@code STRUCT}), written together or not at all.
 */
@Command(
        name = "retrieve-best-run",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Chooses the best trial of a finished hyperparameter tuning job by the job's goal (MAXIMIZE or "
                    + "MINIMIZE) and metric, and writes its metric value and hyperparameters to output files.",
            "The job comes from exactly one of: --project-id with --job-id (AI Platform Training v1, "
                    + "projects.jobs.get), --job-name (Vertex AI, projects/P/locations/L/hyperparameterTuningJobs/ID), "
                    + "--gcp-resources (Vertex AI, named by a pipeline's gcp_resources JSON), "
                    + "or --job-file (either API's JSON response, local or gs://).",
            "Credentials: Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth "
                    + "application-default login, or the metadata server), scope cloud-platform. None are looked up "
                    + "or sent with --no-auth, or when --api-endpoint is plain http:// on 127.0.0.1, localhost or "
                    + "[::1] (a local test server); plain http to any other host needs --no-auth.",
            "HTTP 429/500/502/503/504 and network errors are retried with exponential backoff, or after the "
                    + "delay a 429 or 503 asks for in its Retry-After; other errors fail at once. The fetch, all "
                    + "retries and waits included, ends within --deadline-seconds (default 120): at the deadline, "
                    + "or when a retry would come after it, it fails with one line. A response body over 16 MiB "
                    + "(a job document is kilobytes) fails at once. A job still running, or with no succeeded trial "
                    + "with a final metric, fails.",
            "Outputs are optional (none: only print the choice); their parent directories are created. "
                    + "Requesting --alpha-output or --max-iter-output fails if the best trial has no such "
                    + "hyperparameter; --hyperparameters-output works for any search."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime error (job not finished, no usable trial, fetch failed)",
            "2:usage error"
        })
final class RetrieveBestRunCommand implements Callable<Integer> {
    /** The hyperparameter behind --alpha-output: the lab's L2 penalty. */
    static final String ALPHA = "alpha";

    /** The hyperparameter behind --max-iter-output: the lab's epoch limit. */
    static final String MAX_ITER = "max_iter";

    /** The output parameter of the best trial's metric value. */
    static final String METRIC_VALUE = "metric_value";

    /** The output parameter of the best trial's id. */
    static final String TRIAL_ID = "trial_id";

    /** The output parameter of all the best trial's hyperparameters. */
    static final String HYPERPARAMETERS = "hyperparameters";

    @Spec private CommandSpec spec;

    @Mixin private GcsOptions gcs;

    @Mixin private ExecutorInputOption executorInput;

    @Option(
            names = {"--project-id", "--project_id"},
            paramLabel = "PROJECT",
            description =
                    "AI Platform project id, with --job-id. With --job-name it must match the name's project.")
    private String projectId;

    @Option(
            names = {"--job-id", "--job_id"},
            paramLabel = "JOB",
            description = "AI Platform Training v1 job id of the tuning job, with --project-id.")
    private String jobId;

    @Option(
            names = {"--job-name", "--job_name"},
            paramLabel = "NAME",
            description =
                    "Vertex AI hyperparameter tuning job: projects/P/locations/L/hyperparameterTuningJobs/ID.")
    private String jobName;

    @Option(
            names = {"--gcp-resources", "--gcp_resources"},
            paramLabel = "JSON",
            description =
                    "Vertex AI hyperparameter tuning job named by a gcp_resources JSON, the output of Google "
                            + "Cloud Pipeline Components' HyperparameterTuningJobRunOp: {\"resources\": [{\"resourceType\": "
                            + "\"HyperparameterTuningJob\", \"resourceUri\": \"https://.../v1/projects/P/locations/L/"
                            + "hyperparameterTuningJobs/ID\"}]}. Read as --job-name.")
    private String gcpResources;

    @Option(
            names = {"--job-file", "--job_file"},
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "A file (local or gs://) holding the JSON of either API's job; the kind is recognised "
                            + "by its fields.")
    private String jobFile;

    @Mixin private TuningApiOptions api;

    @Option(
            names = "--metric-value-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output metric_value (Float): the best trial's final metric value.")
    private String metricValueOutput;

    @Option(
            names = "--alpha-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output alpha (Float): the best trial's '" + ALPHA + "' hyperparameter.")
    private String alphaOutput;

    @Option(
            names = "--max-iter-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "Output max_iter (Integer): the best trial's '"
                            + MAX_ITER
                            + "' hyperparameter, from any numeric spelling (1000, \"1000.0\", 1e3).")
    private String maxIterOutput;

    @Option(
            names = "--trial-id-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description = "Output trial_id (String): the best trial's id.")
    private String trialIdOutput;

    @Option(
            names = "--hyperparameters-output",
            paramLabel = "PATH",
            converter = PathConverters.File.class,
            description =
                    "Output hyperparameters (JSON object): all of the best trial's hyperparameters by name, "
                            + "numbers typed by the job's parameter spec, e.g. {\"alpha\":0.00042,\"max_iter\":1000}.")
    private String hyperparametersOutput;

    private PrintWriter out;

    @Override
    public Integer call() throws IOException {
        out = spec.commandLine().getOut();
        ExecutorInput executor = executorInput();
        Map<String, String> outputs =
                executor == null
                        ? outputFlags()
                        : Map.of(ExecutorInput.FLAG + " outputs.outputFile", executor.outputFile());
        if (jobFile != null) {
            new OutputPlaces(spec)
                    .files(
                            "--job-file",
                            List.of(new InputFile(Location.parse(jobFile))),
                            "retrieve-best-run reads it")
                    .check(outputs);
        }
        KfpOutputs.check(outputs.values().toArray(String[]::new));
        Source source = source();

        TuningJob job = source.read();
        log(
                "%s: state %s, %s, %d trial(s)",
                job.describe(),
                job.state() == null ? "(none)" : job.state(),
                job.objectives().size() == 1 ? job.objectives().get(0) : job.objectives(),
                job.trials().size());
        BestTrial best = BestTrial.choose(job);
        if (!job.succeeded()) {
            log("warning: the job ended %s; choosing among its succeeded trials", job.state());
        }
        for (String skipped : best.skipped()) {
            log("skipped %s", skipped);
        }

        // Compute every requested value before writing anything, so that a failure writes no
        // output.
        Double alpha =
                alphaOutput == null && executor == null ? null : best.doubleHyperparameter(ALPHA);
        Long maxIter =
                maxIterOutput == null && executor == null
                        ? null
                        : best.wholeHyperparameter(MAX_ITER);
        String hyperparameters = best.hyperparametersJsonText();
        log(
                "best trial %s: %s=%s hyperparameters=%s",
                best.trial().id(),
                best.objective().metric(),
                PythonFloats.repr(best.metricValue()),
                hyperparameters);

        if (executor != null) {
            new ExecutorOutput(executor)
                    .number(METRIC_VALUE, best.metricValue())
                    .number(ALPHA, alpha)
                    .integer(MAX_ITER, maxIter)
                    .string(TRIAL_ID, best.trial().id())
                    .struct(HYPERPARAMETERS, best.hyperparametersJson())
                    .commit();
            log("wrote the executor output %s", executor.outputFile());
            return 0;
        }
        // Every output, or none: staged beside their targets and renamed together.
        new KfpOutputs()
                .floatValue(metricValueOutput, best.metricValue())
                .floatValue(alphaOutput, alpha == null ? 0 : alpha)
                .integer(maxIterOutput, maxIter == null ? 0 : maxIter)
                .string(trialIdOutput, best.trial().id())
                .string(hyperparametersOutput, hyperparameters)
                .commit();
        List<String> written = new ArrayList<>();
        for (String[] output :
                new String[][] {
                    {"metric_value", metricValueOutput},
                    {"alpha", alphaOutput},
                    {"max_iter", maxIterOutput},
                    {"trial_id", trialIdOutput},
                    {"hyperparameters", hyperparametersOutput}
                }) {
            if (output[1] != null) {
                written.add(output[0] + " -> " + output[1]);
            }
        }
        log(written.isEmpty() ? "no output requested" : "wrote " + String.join(", ", written));
        return 0;
    }

    /**
     * The executor input, checked to name every output of the v2 spec, or null without {@code
     * --executor-input}.
     */
    private ExecutorInput executorInput() {
        ExecutorInput executor = executorInput.parse(outputFlags());
        if (executor != null) {
            executor.requireParameters(METRIC_VALUE, ALPHA, MAX_ITER, TRIAL_ID, HYPERPARAMETERS);
        }
        return executor;
    }

    /** The {@code --*-output} flags and their paths (null: not given). */
    private Map<String, String> outputFlags() {
        Map<String, String> outputFlags = new LinkedHashMap<>();
        outputFlags.put("--metric-value-output", metricValueOutput);
        outputFlags.put("--alpha-output", alphaOutput);
        outputFlags.put("--max-iter-output", maxIterOutput);
        outputFlags.put("--trial-id-output", trialIdOutput);
        outputFlags.put("--hyperparameters-output", hyperparametersOutput);
        return outputFlags;
    }

    /** Where the job document comes from: exactly one of the three sources. */
    private interface Source {
        TuningJob read() throws IOException;
    }

    private Source source() {
        api.check(); // even for --job-file, where they do not apply: a bad value is a mistake
        // anyway
        int sources =
                (jobId != null ? 1 : 0)
                        + (jobName != null ? 1 : 0)
                        + (gcpResources != null ? 1 : 0)
                        + (jobFile != null ? 1 : 0);
        if (sources == 0 && projectId != null) {
            throw usage(
                    "--project-id needs --job-id (the AI Platform tuning job), or give the job by"
                            + " --job-name or --gcp-resources (Vertex AI), or --job-file");
        }
        if (sources != 1) {
            throw usage(
                    (sources == 0 ? "no job given" : "more than one job given")
                            + ": use exactly one of --project-id with --job-id (AI Platform), --job-name or --gcp-resources "
                            + "(Vertex AI), or --job-file");
        }
        if (gcpResources != null) {
            try {
                jobName = GcpResources.tuningJobName(gcpResources);
            } catch (IllegalArgumentException e) {
                throw usage("--gcp-resources: " + e.getMessage());
            }
            log("gcp_resources names %s", jobName);
        }
        if (jobFile != null) {
            if (projectId != null || api.endpointGiven()) {
                throw usage(
                        "--job-file reads a file: --project-id, --api-endpoint and --no-auth do not apply");
            }
            Location location;
            try {
                location = Location.parse(jobFile);
            } catch (IllegalArgumentException e) {
                throw usage("--job-file: " + e.getMessage());
            }
            return () -> {
                log("reading %s", location);
                byte[] bytes;
                try (InputStream in = new InputFile(location).open()) {
                    bytes = in.readAllBytes();
                }
                return TuningJobDocuments.parse(bytes, location.toString());
            };
        }
        TuningJobClient client = api.client(line -> log("%s", line));
        if (jobId != null) {
            if (projectId == null) {
                throw usage("--job-id needs --project-id");
            }
            String url;
            try {
                url = client.aiPlatformUrl(projectId, jobId).build();
            } catch (IllegalArgumentException e) {
                throw usage("--project-id/--job-id: " + e.getMessage());
            }
            return () -> {
                log("fetching AI Platform Training job %s", url);
                return withFlagNamed(() -> client.fetchAiPlatformJob(projectId, jobId));
            };
        }
        String url;
        try {
            Matcher name = TuningJobClient.checkVertexName(jobName);
            if (projectId != null && !projectId.equals(name.group(1))) {
                throw usage(
                        "--project-id "
                                + projectId
                                + " is not the project of --job-name "
                                + jobName);
            }
            url = client.vertexUrl(jobName).build();
        } catch (IllegalArgumentException e) {
            throw usage("--job-name: " + e.getMessage());
        }
        return () -> {
            log("fetching Vertex AI hyperparameter tuning job %s", url);
            return withFlagNamed(() -> client.fetchVertexJob(jobName));
        };
    }

    /** A deadline's error line names the flag that sets it. */
    private static TuningJob withFlagNamed(Source fetch) throws IOException {
        try {
            return fetch.read();
        } catch (TuningJobDeadlineException e) {
            throw new TuningJobDeadlineException(
                    e.getMessage() + " (--deadline-seconds)", e.statusCode(), e.deadline(), e);
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    private void log(String format, Object... args) {
        out.println("retrieve-best-run: " + String.format(Locale.ROOT, format, args));
        out.flush();
    }
}
