package dev.kfptribuo.tuning;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A hyperparameter tuning job as read from either service, reduced to what choosing the best trial
 * needs.
 *
 * @param service which API the document came from
 * @param name the job's name: AI Platform's {@code jobId}, or Vertex AI's resource name {@code
 *     projects/P/locations/L/hyperparameterTuningJobs/ID}
 * @param origin where the document was read (a URL or a file), for messages
 * @param state the job's state as the service spells it ({@code SUCCEEDED}, {@code
 *     JOB_STATE_SUCCEEDED}...), or null when the document has none
 * @param error the job's error message when it failed, or null
 * @param objectives the metrics the job optimises: one for AI Platform, one or more for Vertex AI
 * @param parameters the searched hyperparameters as the job declares them (may be empty when a
 *     document leaves the spec out)
 * @param trials the trials, in the document's order (not necessarily best first)
 */
public record TuningJob(
        Service service,
        String name,
        String origin,
        String state,
        String error,
        List<Objective> objectives,
        List<ParameterSpec> parameters,
        List<Trial> trials) {

    /** The two tuning services. */
    public enum Service {
        /** AI Platform Training v1, {@code projects.jobs.get}. */
        AI_PLATFORM("AI Platform Training job"),
        /** Vertex AI, {@code projects.locations.hyperparameterTuningJobs.get}. */
        VERTEX_AI("Vertex AI hyperparameter tuning job");

        private final String label;

        Service(String label) {
            this.label = label;
        }

        /**
         * @return how messages name a job of this service
         */
        public String label() {
            return label;
        }
    }

    /**
     * Job states after which no trial changes any more, without the {@code JOB_STATE_} prefix of
     * Vertex AI. QUEUED, PREPARING, PENDING, RUNNING, CANCELLING, PAUSED, UPDATING, unspecified,
     * missing and unknown states are not finished.
     */
    public static final Set<String> FINISHED_STATES =
            Set.of("SUCCEEDED", "FAILED", "CANCELLED", "EXPIRED", "PARTIALLY_SUCCEEDED");

    /** Checks the fields and copies the lists. */
    public TuningJob {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(origin, "origin");
        objectives = List.copyOf(objectives);
        parameters = List.copyOf(parameters);
        trials = List.copyOf(trials);
    }

    /**
     * @return the state without Vertex AI's {@code JOB_STATE_} prefix, upper case; "" when missing
     */
    public String plainState() {
        if (state == null) {
            return "";
        }
        String upper = state.strip().toUpperCase(Locale.ROOT);
        return upper.startsWith("JOB_STATE_") ? upper.substring("JOB_STATE_".length()) : upper;
    }

    /**
     * @return true once the job has reached a final state (see {@link #FINISHED_STATES})
     */
    public boolean finished() {
        return FINISHED_STATES.contains(plainState());
    }

    /**
     * @return true if the job as a whole succeeded
     */
    public boolean succeeded() {
        return plainState().equals("SUCCEEDED");
    }

    /**
     * @param parameterName a hyperparameter name
     * @return the job's declaration of it, if the document has one
     */
    public Optional<ParameterSpec> parameter(String parameterName) {
        return parameters.stream().filter(p -> p.name().equals(parameterName)).findFirst();
    }

    /**
     * @return e.g. {@code AI Platform Training job lab_tuning_01}
     */
    public String describe() {
        return service.label() + " " + name;
    }
}
