package dev.kfptribuo.localrun.steps;

import java.nio.file.Path;

/**
 * The split step's files, each a CSV with the source's header.
 *
 * @param training the training split (the trials' training data, then the final training's)
 * @param validation the validation split (the trials' scoring data, then added to the final
 *     training's)
 * @param testing the testing split (the evaluation's)
 * @param rows the source's rows
 */
public record Splits(Path training, Path validation, Path testing, long rows) {}
