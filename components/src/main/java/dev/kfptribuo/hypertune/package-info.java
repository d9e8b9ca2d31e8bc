/**
 * The cloudml-hypertune metric file that tuning trials report to, byte for byte the library's
 * format: its writer ({@link dev.kfptribuo.hypertune.HypertuneReporter}, the trainer's) and its
 * reader ({@link dev.kfptribuo.hypertune.HypertuneReports}, the local tuning service's).
 */
package dev.kfptribuo.hypertune;
