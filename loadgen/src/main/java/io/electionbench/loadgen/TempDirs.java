package io.electionbench.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The scratch directories the commands create (node data, logs, generated configs). */
final class TempDirs {
    private TempDirs() {
    }

    /** Deletes {@code dir} and everything below it, as far as it can: a scratch directory. */
    static void deleteQuietly(final Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException ignored) {
            // Best effort: what is left lies under the system's temporary directory.
        }
    }
}
