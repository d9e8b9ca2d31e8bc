/** The self-contained HTML report of a run. */
package dev.kfptribuo.localrun.report;
