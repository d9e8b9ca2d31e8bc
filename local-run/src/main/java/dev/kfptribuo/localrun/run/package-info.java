/**
 * A run of the local pipeline: its directory and {@code run.json}, its printed lines, and the step
 * runner (numbering, timing and failing each step; a step's program as a process).
 */
package dev.kfptribuo.localrun.run;
