package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.node.NodeStorage;

/**
 * A node process with the load generator's node heap (64 MiB) restarts on a dataDir whose txn log holds
 * several full segments of the default size, and serves its history; a log it truly cannot hold stops it with
 * one line naming the log, not a stack trace.
 */
class LargeLogRestartTest {
    /** The heap of every node the load generator starts ({@code run --heap} default). */
    private static final String NODE_HEAP = "64m";
    private static final int PAYLOAD_BYTES = 1024;
    private static final long START_TIMEOUT_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void aNodeRestartsInTheNodeHeapOnSeveralFullSegments() throws Exception {
        final Path config = singleMember();
        final long last;
        try (FileTxnLog log = openLog()) {
            final UnsafeBuffer payload = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD_BYTES));
            long counter = 0;
            while (log.segmentFiles().length < 4 || counter % 10 != 0) {
                counter++;
                payload.putLong(0, counter, ByteOrder.BIG_ENDIAN);
                log.append(Zxid.make(1, counter), payload, 0, PAYLOAD_BYTES);
            }
            last = Zxid.make(1, counter);
            final long nearlyFull = FileTxnLog.Options.DEFAULT_SEGMENT_BYTES - 2 * PAYLOAD_BYTES;
            assertTrue(Files.size(log.segmentFiles()[2]) > nearlyFull, "three full segments, then a fourth");
        }
        final Path output = dir.resolve("node.out");
        final Process node = launch(config, output);
        try {
            NodeProcesses.await(START_TIMEOUT_MS, "the node to start or exit",
                () -> !node.isAlive() || adminUrl(output) != null);
            assertTrue(node.isAlive(), "the node exited with " + (node.isAlive() ? "" : node.exitValue()) + ": "
                + read(output));
            final String tail = NodeProcesses.get(adminUrl(output) + "/log?from=" + Zxid.toString(last));
            assertEquals(Zxid.toString(last), NodeProcesses.field(tail, "lastZxid"), tail);
            assertTrue(tail.contains("[[\"" + Zxid.toString(last) + "\"," + Zxid.counter(last) + "]]"),
                "the last record, read from the recovered log on the agent thread: " + tail);
        } finally {
            node.destroyForcibly().waitFor();
        }
    }

    /**
     * 2.2 million empty records are a 35 MB segment, but an index the 64 MiB heap cannot hold: 24 bytes per
     * entry in arrays that double, so past 2^21 entries they need 96 MiB (and 112 MiB while growing).
     */
    @Test
    void aLogWhoseIndexCannotFitTheHeapStopsTheNodeWithOneLine() throws Exception {
        final Path config = singleMember();
        try (FileTxnLog log = openLog()) {
            final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
            for (long counter = 1; counter <= 2_200_000; counter++) {
                log.append(Zxid.make(1, counter), empty, 0, 0);
            }
        }
        final Path output = dir.resolve("node.out");
        final Process node = launch(config, output);
        try {
            assertTrue(node.waitFor(START_TIMEOUT_MS, TimeUnit.MILLISECONDS), "the node did not stop: " + read(output));
            final List<String> lines = Files.readAllLines(output);
            assertEquals(1, node.exitValue(), String.join("\n", lines));
            assertEquals(1, lines.size(), String.join("\n", lines));
            assertTrue(lines.get(0).startsWith("error: node 1: cannot open storage: the txn log in " + logDir()
                + " does not fit in the heap (Java heap space, max heap "), lines.get(0));
        } finally {
            node.destroyForcibly().waitFor();
        }
    }

    private Path logDir() {
        return dir.resolve("data").resolve(NodeStorage.VERSION_DIR).resolve(NodeStorage.LOG_DIR);
    }

    private FileTxnLog openLog() throws IOException {
        return FileTxnLog.open(logDir(), new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER));
    }

    /** A one-member ensemble on loopback whose dataDir is {@code dir/data}. */
    private Path singleMember() throws IOException {
        final int[] ports = FreePorts.pick(3);
        final Path cfg = dir.resolve("one.cfg");
        Files.write(cfg, List.of("dataDir=" + dir.resolve("data"), "tickTime=100",
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1] + ":participant", "admin.1=127.0.0.1:" + ports[2]));
        return cfg;
    }

    /** {@code node --config cfg --id 1} in a JVM with the load generator's node heap and flags. */
    private static Process launch(final Path config, final Path output) throws IOException {
        return NodeProcesses.launch(output, List.of("-Xmx" + NODE_HEAP, "-Xms" + NODE_HEAP, "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
            "--config", config.toString(), "--id", "1");
    }

    /** The admin URL the node printed once started, or null before. */
    private static String adminUrl(final Path output) {
        for (final String line : read(output).split("\n")) {
            if (line.startsWith("node 1 admin ")) {
                return line.substring("node 1 admin ".length()).trim();
            }
        }
        return null;
    }

    private static String read(final Path output) {
        return NodeProcesses.read(output);
    }
}
