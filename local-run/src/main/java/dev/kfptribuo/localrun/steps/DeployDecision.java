package dev.kfptribuo.localrun.steps;

import java.nio.file.Path;

/**
 * The deploy step's decision ({@code 6-deploy/decision.json} holds it with the numbers).
 *
 * @param deployed whether the model was published (or already was, in the same version)
 * @param reason the run's line about it
 * @param versionDir the version directory it is in, or null when not deployed
 */
public record DeployDecision(boolean deployed, String reason, Path versionDir) {}
