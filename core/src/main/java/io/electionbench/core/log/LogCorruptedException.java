package io.electionbench.core.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The on-disk history is damaged somewhere other than its tail (a bad record followed by valid ones,
 * a gap or out-of-order zxids between segments, a missing segment, a bad snapshot). Recovery stops
 * and leaves every file as it found it: repairing it is an operator's decision, not the node's.
 */
public final class LogCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final long offset;

    public LogCorruptedException(final Path file, final long offset, final String problem) {
        super(file + " at byte offset " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }

    /** Byte offset of the damage within {@link #file()}. */
    public long offset() {
        return offset;
    }
}
