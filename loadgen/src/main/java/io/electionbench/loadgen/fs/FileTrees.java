package io.electionbench.loadgen.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deleting directory trees the commands create: node data, logs, generated configs, sync templates. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Deletes {@code dir} and everything below it, deepest first; nothing if it does not exist.
     *
     * @throws IOException naming the first file that could not be deleted
     */
    public static void delete(final Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path p : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    /** As {@link #delete}, as far as it can: for a scratch directory whose leftovers do no harm. */
    public static void deleteQuietly(final Path dir) {
        try {
            delete(dir);
        } catch (final IOException ignored) {
            // Best effort: what is left lies under the system's temporary directory.
        }
    }
}
