package dev.kfptribuo.cli;

import dev.kfptribuo.io.InputFiles;
import dev.kfptribuo.io.Location;
import picocli.CommandLine.ITypeConverter;

/**
 * The picocli converters of the programs' path flags, so that every path flag is checked in one
 * place and at parse time, before a command reads or writes anything: the value must be a local
 * path or a {@code gs://bucket/...} URI ({@link Location#parse}). A refusal is a usage error (exit
 * 2) naming the flag ({@link FlagValueException}): {@code --model-path is empty: give a job dir,
 * local or gs://}, {@code --dataset-path: unsupported URI scheme in s3://b/x (use a local path or
 * gs://)}. The value is kept as the text given.
 */
public final class PathConverters {
    private PathConverters() {}

    /** Checks a path; the subclasses say what the flag names. */
    abstract static class PathConverter implements ITypeConverter<String> {
        private final String what;
        private final boolean optional;

        /**
         * @param what what the flag names, for the message: {@code a job dir}
         * @param optional whether an empty value is allowed (it then means none)
         */
        PathConverter(String what, boolean optional) {
            this.what = what;
            this.optional = optional;
        }

        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                if (optional) {
                    return value;
                }
                throw new FlagValueException("is empty: give " + what + ", local or gs://");
            }
            try {
                check(value);
            } catch (IllegalArgumentException e) {
                throw new FlagValueException(": " + e.getMessage());
            }
            return value;
        }

        /**
         * @throws IllegalArgumentException if the text is not such a path
         */
        void check(String value) {
            Location.parse(value);
        }
    }

    /** A job dir of train: the model's directory. */
    public static final class JobDir extends PathConverter {
        /** For picocli. */
        public JobDir() {
            super("a job dir", false);
        }
    }

    /**
     * A job dir of train, or empty for none (what KFP passes for an optional input given as '').
     */
    public static final class OptionalJobDir extends PathConverter {
        /** For picocli. */
        public OptionalJobDir() {
            super("a job dir", true);
        }
    }

    /** Input data: a file, or a wildcard of shards in the last segment ({@link InputFiles}). */
    public static final class Dataset extends PathConverter {
        /** For picocli. */
        public Dataset() {
            super("a file or a wildcard of files", false);
        }

        @Override
        void check(String value) {
            InputFiles.checkPattern(value);
        }
    }

    /** One file: an input file, or an output a command writes (KFP's outputPath). */
    public static final class File extends PathConverter {
        /** For picocli. */
        public File() {
            super("a file", false);
        }
    }

    /** A directory a command writes. */
    public static final class Directory extends PathConverter {
        /** For picocli. */
        public Directory() {
            super("a directory", false);
        }
    }
}
