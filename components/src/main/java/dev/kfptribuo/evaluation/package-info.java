/**
 * Metrics of a model on labelled rows, named as scikit-learn's scorers, and the KFP outputs they
 * become (values, the v1 metrics JSON, UI metadata).
 */
package dev.kfptribuo.evaluation;
