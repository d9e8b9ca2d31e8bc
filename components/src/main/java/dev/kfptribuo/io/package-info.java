/**
 * Files and objects: local paths and gs:// URIs, wildcards of shards, gzip, writes that appear
 * whole or not at all, KFP output files, the Cloud Storage client with its deadlines and retries,
 * and the crash points the reliability tests stop at.
 */
package dev.kfptribuo.io;
