package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;

/**
 * A log with full segments of the default size (64 MiB), or with a large snapshot, recovers in a child JVM
 * with the load generator's node heap (64 MiB): recovery must not hold a whole segment or snapshot in the
 * heap. The child ({@link RecoverLogMain}) reports what it recovered, which must be what was written.
 */
class FileTxnLogSmallHeapRecoveryTest {
    /** The heap of every node the load generator starts ({@code run --heap} default). */
    private static final String NODE_HEAP = "64m";
    private static final int PAYLOAD_BYTES = 1024;
    private static final int RECORD_BYTES = LogFormat.RECORD_HEADER_BYTES + PAYLOAD_BYTES;
    private static final long CHILD_TIMEOUT_MS = 60_000;

    @TempDir
    Path dir;

    private static FileTxnLog.Options options() {
        return new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER);
    }

    @Test
    void severalFullSegmentsAndATornTailRecoverInTheNodeHeap() throws Exception {
        final Path logDir = dir.resolve("log");
        final String expected;
        final Path last;
        try (FileTxnLog log = FileTxnLog.open(logDir, options())) {
            assertEquals(64L << 20, FileTxnLog.Options.DEFAULT_SEGMENT_BYTES);
            final UnsafeBuffer payload = randomPayload();
            long counter = 0;
            while (log.segmentFiles().length < 4) {
                appendRecord(log, payload, ++counter);
            }
            for (int i = 0; i < 10; i++) {
                appendRecord(log, payload, ++counter);
            }
            expected = RecoverLogMain.summary(log);
            final Path[] files = log.segmentFiles();
            final long nearlyFull = FileTxnLog.Options.DEFAULT_SEGMENT_BYTES - RECORD_BYTES;
            for (int i = 0; i < 3; i++) {
                assertTrue(Files.size(files[i]) > nearlyFull, files[i] + " is not full");
            }
            last = files[3];
        }
        final long validSize = Files.size(last);
        Files.write(last, tornRecord(Zxid.make(1, 1_000_000)), StandardOpenOption.APPEND);

        final List<String> out = recoverInChild(logDir);
        assertEquals(2, out.size(), String.join("\n", out));
        assertTrue(out.get(0).startsWith("warning: " + last + ": truncating a torn or corrupt tail at byte offset "
            + validSize + " (torn record: payload of " + PAYLOAD_BYTES + " bytes"), out.get(0));
        assertEquals("recovered " + expected, out.get(1));
        assertEquals(validSize, Files.size(last));
    }

    @Test
    void aLargeSnapshotRecoversInTheNodeHeap() throws Exception {
        final Path logDir = dir.resolve("log");
        final int stateBytes = 48 << 20;
        final String expected;
        try (FileTxnLog log = FileTxnLog.open(logDir, options())) {
            final UnsafeBuffer chunk = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
            final TxnLog.SnapshotReceiver receiver = log.receiveSnapshot(Zxid.make(1, 1000), 0x5EED, stateBytes);
            for (int at = 0; at < stateBytes; at += chunk.capacity()) {
                chunk.setMemory(0, chunk.capacity(), (byte)(at >>> 20));
                chunk.putInt(0, at);
                receiver.write(at, chunk, 0, chunk.capacity());
            }
            receiver.finish();
            final UnsafeBuffer payload = randomPayload();
            for (int i = 1; i <= 10; i++) {
                log.append(Zxid.make(2, i), payload, 0, PAYLOAD_BYTES);
            }
            expected = RecoverLogMain.summary(log);
        }
        final List<String> out = recoverInChild(logDir);
        assertEquals(List.of("recovered " + expected), out);
    }

    /** Appends a record of zxid 1:counter whose payload starts with the counter. */
    private static void appendRecord(final FileTxnLog log, final UnsafeBuffer payload, final long counter) {
        payload.putLong(0, counter);
        log.append(Zxid.make(1, counter), payload, 0, PAYLOAD_BYTES);
    }

    private static UnsafeBuffer randomPayload() {
        final byte[] bytes = new byte[PAYLOAD_BYTES];
        new Random(7).nextBytes(bytes);
        final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD_BYTES));
        payload.putBytes(0, bytes);
        return payload;
    }

    /** The start of an append the process died in: a whole header and 100 of its 1024 payload bytes. */
    private static byte[] tornRecord(final long zxid) {
        final ByteBuffer record = ByteBuffer.allocate(LogFormat.RECORD_HEADER_BYTES + 100)
            .order(ByteOrder.LITTLE_ENDIAN);
        record.putInt(PAYLOAD_BYTES).putLong(zxid).putInt(0x1234_5678);
        return record.array();
    }

    /** Runs {@link RecoverLogMain} on logDir with the node heap; its output lines, after it exited 0. */
    private List<String> recoverInChild(final Path logDir) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
            System.getProperty("java.home") + File.separator + "bin" + File.separator + "java",
            "-Xmx" + NODE_HEAP, "-Xms" + NODE_HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-ea",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"), RecoverLogMain.class.getName(), logDir.toString()));
        final Path output = dir.resolve("child.out");
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        try {
            final boolean hasExited = child.waitFor(CHILD_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            final List<String> out = Files.readAllLines(output);
            assertTrue(hasExited, "recovery did not end within " + CHILD_TIMEOUT_MS + " ms: " + String.join("\n", out));
            assertEquals(0, child.exitValue(), "recovery at -Xmx" + NODE_HEAP + " failed:\n" + String.join("\n", out));
            return out;
        } finally {
            child.destroyForcibly().waitFor();
        }
    }
}
