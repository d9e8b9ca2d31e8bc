/**
 * The trainer's job ({@link dev.kfptribuo.training.TrainingJob}): what {@code train} and a tuning
 * trial do, behind a plain config record, so that the command only maps flags and outcomes.
 */
package dev.kfptribuo.training;
