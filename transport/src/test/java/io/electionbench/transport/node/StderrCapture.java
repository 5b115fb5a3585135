package io.electionbench.transport.node;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies what is written to {@code System.err} (where the tests' SLF4J binding, slf4j-simple, prints,
 * looking the stream up at every line) into memory while it is installed, and still passes it on.
 * Keeps at most {@link #MAX_BYTES}; {@link #lines()} says how many lines were seen in all.
 */
final class StderrCapture implements AutoCloseable {
    static final int MAX_BYTES = 4 << 20;

    private final PrintStream original;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long bytesSeen;
    private long newlines;

    private StderrCapture() {
        this.original = System.err;
    }

    static StderrCapture start() {
        final StderrCapture capture = new StderrCapture();
        System.setErr(new PrintStream(new OutputStream() {
            @Override
            public void write(final int b) {
                capture.record(new byte[] {(byte)b}, 0, 1);
                capture.original.write(b);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) {
                capture.record(b, off, len);
                capture.original.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        return capture;
    }

    private synchronized void record(final byte[] b, final int off, final int len) {
        bytesSeen += len;
        for (int i = off; i < off + len; i++) {
            if (b[i] == '\n') {
                newlines++;
            }
        }
        final int room = MAX_BYTES - kept.size();
        if (room > 0) {
            kept.write(b, off, Math.min(room, len));
        }
    }

    /** Lines written so far (kept or not). */
    synchronized long lineCount() {
        return newlines;
    }

    synchronized long bytesSeen() {
        return bytesSeen;
    }

    /** The lines kept so far (the first {@link #MAX_BYTES}). */
    synchronized List<String> lines() {
        final List<String> lines = new ArrayList<>();
        for (final String line : kept.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public void close() {
        System.setErr(original);
    }
}
