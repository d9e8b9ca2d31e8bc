/**
 * Local files of a run that appear whole or not at all, and the JSON form of the run's own files.
 */
package dev.kfptribuo.localrun.io;
