/**
 * A run of the local pipeline: its directory and {@code run.json}.
 */
package dev.kfptribuo.localrun.run;
