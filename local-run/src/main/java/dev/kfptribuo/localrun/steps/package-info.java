/**
 * The six steps of the local pipeline, one class each, and the typed results they hand on ({@link
 * dev.kfptribuo.localrun.steps.Splits}, {@link dev.kfptribuo.localrun.steps.Study}, {@link
 * dev.kfptribuo.localrun.steps.BestRun}, {@link dev.kfptribuo.localrun.steps.TrainedModel}, {@link
 * dev.kfptribuo.localrun.steps.Evaluation}, {@link dev.kfptribuo.localrun.steps.DeployDecision}),
 * read from the KFP output files the programs write. The component steps (best-run, train,
 * evaluate) run their template's command line ({@link
 * dev.kfptribuo.localrun.spec.ComponentProgram}).
 */
package dev.kfptribuo.localrun.steps;
