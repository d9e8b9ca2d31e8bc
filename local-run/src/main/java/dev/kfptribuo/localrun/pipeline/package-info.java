/**
 * The local pipeline: its six steps in a run directory, the report, and the lines that serve the
 * model deployed last.
 */
package dev.kfptribuo.localrun.pipeline;
