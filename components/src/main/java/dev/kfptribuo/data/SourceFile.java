package dev.kfptribuo.data;

/**
 * One input file as read: where it came from, how many data rows it held and the SHA-256 of its
 * stored bytes (before gzip decoding), so that a model records exactly what it was trained on.
 *
 * @param uri the local path or gs:// URI
 * @param rows data rows read (the header is not counted)
 * @param sha256 lower-case hex SHA-256 of the file's bytes, or null when the reader computed none
 *     ({@link CsvTableReader#withoutDigests()})
 */
public record SourceFile(String uri, long rows, String sha256) {}
