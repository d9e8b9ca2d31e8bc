/**
 * Batch prediction: every instance of a dataset (CSV or JSON Lines, local or gs://, streamed)
 * through the {@link dev.kfptribuo.prediction.Predictor} into files in the shape of Vertex AI batch
 * prediction's outputs, which appear whole or not at all.
 */
package dev.kfptribuo.batch;
