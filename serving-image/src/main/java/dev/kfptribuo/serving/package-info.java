/**
 * The serving image's program, {@code serve}: the model on Vertex AI's custom serving container
 * contract, over Jetty.
 */
package dev.kfptribuo.serving;
