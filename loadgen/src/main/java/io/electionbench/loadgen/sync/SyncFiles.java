package io.electionbench.loadgen.sync;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** File helpers of the sync benchmark. */
final class SyncFiles {
    private SyncFiles() {
    }

    /** Forces {@code file}'s data to disk. */
    static void force(final Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }
}
