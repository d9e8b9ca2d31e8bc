/**
 * The local stand-in for the hyperparameter tuning service: trials as processes, search strategies,
 * the study document.
 */
package dev.kfptribuo.localrun.tuning;
