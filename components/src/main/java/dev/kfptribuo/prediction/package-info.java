/**
 * The one prediction path: a loaded model's labels and scikit-learn's probabilities for rows given
 * by column, used by tuning trials, evaluation, batch prediction and serving; the Vertex AI
 * instance shapes it reads.
 */
package dev.kfptribuo.prediction;
