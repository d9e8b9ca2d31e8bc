/**
 * CSV files to typed rows: column schemas (training and model input), the parallel chunked reader
 * behind whole tables and constant-memory row streams, and the checks every cell passes, each error
 * naming its file, line and column.
 */
package dev.kfptribuo.data;
