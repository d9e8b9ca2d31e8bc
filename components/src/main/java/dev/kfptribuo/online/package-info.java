/**
 * Online predictions: a Vertex AI {@code {"instances": [...]}} request body to its {@code
 * {"predictions": [...]}} answer, through the one prediction path; the HTTP server itself is the
 * serving image's.
 */
package dev.kfptribuo.online;
