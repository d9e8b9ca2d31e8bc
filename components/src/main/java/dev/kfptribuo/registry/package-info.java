/**
 * Reading the local model registry: which version directory of a model was deployed last, or a
 * given one, by its pointer files; shared by local-run, which deploys, and the serving image, which
 * serves from it. Nothing here writes.
 */
package dev.kfptribuo.registry;
