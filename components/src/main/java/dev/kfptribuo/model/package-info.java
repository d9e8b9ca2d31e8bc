/**
 * Training (scikit-learn {@code SGDClassifier} semantics on Tribuo's extension points) and the
 * model bundle of a job dir: a plain Tribuo model, its ONNX form and the manifest, saved as one
 * commit and loaded only after every check.
 */
package dev.kfptribuo.model;
