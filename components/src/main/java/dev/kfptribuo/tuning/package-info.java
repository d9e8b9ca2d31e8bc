/**
 * Hyperparameter tuning jobs: the documents of Vertex AI and of AI Platform Training (retired
 * 2025-01-31, read for the lab's job files), fetched with deadlines and retries, and the choice of
 * the best trial by the job's own goal.
 */
package dev.kfptribuo.tuning;
