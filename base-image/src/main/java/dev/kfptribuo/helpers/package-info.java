/**
 * The base image's program: one picocli command per helper component of the lab's pipeline ({@code
 * retrieve-best-run}, {@code evaluate-model}) and batch prediction ({@code batch-predict}).
 * Commands map flags to the jobs of {@code components} and their outcome to an exit code.
 */
package dev.kfptribuo.helpers;
