package dev.kfptribuo.localrun.steps;

import dev.kfptribuo.localrun.tuning.LocalTrial;
import java.nio.file.Path;
import java.util.List;

/**
 * The tuning step's study.
 *
 * @param jobFile its job document, AI Platform Training's {@code projects.jobs.get} response
 *     ({@code retrieve_best_run}'s {@code job_file})
 * @param trials the trials as they ended
 */
public record Study(Path jobFile, List<LocalTrial> trials) {
    /** Copies the list. */
    public Study {
        trials = List.copyOf(trials);
    }
}
