package io.electionbench.core.log;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * An open file of a {@link FileTxnLog} that its {@link BackgroundForcer} may force: a segment, or a snapshot
 * being received.
 */
interface ForcedFile {
    Path path();

    FileChannel channel();
}
