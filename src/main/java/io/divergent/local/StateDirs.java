package io.divergent.local;

import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Throwaway Kafka Streams state directories, for the runs that must leave nothing behind
 * ({@code replay}, {@code demo}). The log4j2 configuration silences Kafka's advice against a
 * state directory under {@code java.io.tmpdir} for these names only: keep the prefixes in step.
 */
final class StateDirs {

    private static final Logger LOG = LoggerFactory.getLogger(StateDirs.class);

    private StateDirs() {
    }

    /**
     * A new empty directory {@code <parent>/divergent-<run>-state-<random>}.
     *
     * @param run {@code replay} or {@code demo}
     * @throws UncheckedIOException if it cannot be created
     */
    static Path create(final Path parent, final String run) {
        try {
            return Files.createTempDirectory(parent, "divergent-" + run + "-state-");
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create a temporary state directory in " + parent + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the directory and everything in it, once the Kafka Streams instance or test driver
     * using it is closed. A failure is logged, not thrown: it must not hide the outcome of the run.
     */
    static void delete(final Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (final IOException e) {
            LOG.warn("Could not delete the temporary state directory {}: {}", dir, e.getMessage());
        }
    }
}
