/**
 * KFP v2 container components: the executor input a step is given in place of {@code {{$}}} (where
 * its outputs go) and the executor output it writes back (its output parameters and the metadata of
 * its output artifacts), as kfp-pipeline-spec's {@code ExecutorInput} and {@code ExecutorOutput}
 * messages in their JSON form.
 */
package dev.kfptribuo.executor;
