/**
 * The cloudml-hypertune metric file that tuning trials report to, byte for byte the library's
 * format.
 */
package dev.kfptribuo.hypertune;
