/**
 * What every program shares: the exit-code and one-line error contract, and the options that
 * several commands take (picocli mixins).
 */
package dev.kfptribuo.cli;
