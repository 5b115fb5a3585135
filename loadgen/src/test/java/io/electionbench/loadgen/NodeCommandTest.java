package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.node.NodeStorage;

/**
 * {@code electionbench node}: on a zoo.cfg and myid as ZooKeeper users have them, and the one line
 * and exit code for each reason it cannot start (the storage itself is tested in transport's
 * NodeStorageTest).
 */
class NodeCommandTest {
    /** Where the middle record's payload starts in its segment: the segment header, a record, a record header. */
    private static final int MIDDLE_PAYLOAD = 16 + (16 + 10) + 16;

    @TempDir
    Path dir;

    /**
     * A single-member ZooKeeper zoo.cfg (a {@code ;clientPort}, ZooKeeper-only keys) and a myid file in its
     * dataDir: the node starts without {@code --id}, names what it ignores in one warning, and serves.
     */
    @Test
    void aNodeStartsOnAZooKeeperZooCfgAndItsMyid() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final Path data = Files.createDirectories(dir.resolve("zk-data"));
        Files.writeString(data.resolve("myid"), "1\n");
        final Path cfg = Files.write(dir.resolve("zoo.cfg"), List.of("tickTime=100", "initLimit=10", "syncLimit=5",
            "dataDir=" + data, "clientPort=" + ports[3], "forceSync=no", "metricsProvider.httpPort=7000",
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1] + ";" + ports[3], "admin.1=127.0.0.1:" + ports[2]));
        final Path log = dir.resolve("node.log");
        final Process node = launch(cfg, log);
        try {
            NodeProcesses.await(20_000, "the node's start line",
                () -> read(log).contains("node 1 admin http://127.0.0.1:" + ports[2]));
            NodeProcesses.await(10_000, "the node leading and serving",
                () -> state("http://127.0.0.1:" + ports[2] + "/state").contains("\"serving\":true"));
            final String text = read(log);
            final long warnings = text.lines().filter(l -> l.contains("ignoring ZooKeeper keys")).count();
            assertEquals(1, warnings, text);
            assertTrue(text.contains("clientPort (line 5), forceSync (line 6), metricsProvider.httpPort (line 7)"),
                text);
            assertTrue(text.contains("server.1 ;" + ports[3]), text);
        } finally {
            node.destroyForcibly().waitFor();
        }
    }

    @Test
    void aMissingOrContradictingMyidIsOneLineAndExitTwo() throws Exception {
        final Path data = Files.createDirectories(dir.resolve("data"));
        final Path cfg = Files.write(dir.resolve("zoo.cfg"), List.of("dataDir=" + data,
            "server.1=127.0.0.1:0:0", "server.2=127.0.0.1:0:0"));
        assertEquals("error: " + data.resolve("myid") + " does not exist; write this member's server id there, or"
            + " give --id", run(cfg));
        Files.writeString(data.resolve("myid"), "one\n");
        assertEquals("error: " + data.resolve("myid") + ": 'one' is not a server id", run(cfg));
        Files.writeString(data.resolve("myid"), "2\n");
        assertEquals("error: --id 1 but " + data.resolve("myid") + " says 2", run(cfg, "--id", "1"));
        Files.writeString(data.resolve("myid"), "7\n");
        assertEquals("error: " + cfg + ": no server.7 line; --id must name a member", run(cfg));
        final Path perMember = Files.write(dir.resolve("per-member.cfg"), List.of("dataDir=" + dir.resolve("n-%d"),
            "server.1=127.0.0.1:0:0"));
        assertEquals("error: " + perMember + ": dataDir has %d (one directory per member), so it names no myid file;"
            + " give --id", run(perMember));
    }

    @Test
    void aMissingConfigOrDataDirIsOneLineAndExitTwo() throws Exception {
        assertEquals("error: " + dir.resolve("nosuch.cfg") + ": no such file",
            run(dir.resolve("nosuch.cfg"), "--id", "1"));
        final Path noData = Files.write(dir.resolve("nodata.cfg"), List.of("server.1=127.0.0.1:0:0"));
        assertEquals("error: " + noData + ": no dataDir, so no myid file; give --id", run(noData));
        assertEquals("error: " + noData + ": dataDir is not set", run(noData, "--id", "1"));
    }

    /**
     * A port already taken (a real listening socket on it): one {@code error:} line naming the port's role,
     * its config entry, the address and the reason, exit 2, and no WARN retry lines, no "stopped" and no
     * failed close after it. Run as a child process, to see everything the node prints.
     */
    @Test
    void aPortInUseIsOneLineNamingItsRoleAndExitTwo() throws Exception {
        final int[] ports = FreePorts.pick(3);
        final Path data = Files.createDirectories(dir.resolve("ports"));
        final Path cfg = Files.write(dir.resolve("ports.cfg"), List.of("tickTime=100", "dataDir=" + data,
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1], "admin.1=127.0.0.1:" + ports[2]));
        for (final int taken : new int[] {ports[1], ports[2], ports[0]}) {
            try (java.net.ServerSocket occupier = new java.net.ServerSocket()) {
                occupier.bind(new java.net.InetSocketAddress("127.0.0.1", taken));
                final Path log = dir.resolve("port-" + taken + ".log");
                final Process node = launch(cfg, log, "--id", "1");
                try {
                    assertTrue(node.waitFor(30, java.util.concurrent.TimeUnit.SECONDS),
                        "the node gave up: " + read(log));
                    final String text = read(log);
                    assertEquals(2, node.exitValue(), text);
                    final String role = taken == ports[1] ? "election port (the third field of server.1)"
                        : taken == ports[2] ? "admin endpoint (admin.1)" : "quorum port (the second field of server.1)";
                    final List<String> errors = text.lines().filter(l -> l.startsWith("error:")).toList();
                    assertEquals(List.of("error: node 1: cannot start: cannot bind the " + role + " 127.0.0.1:" + taken
                        + ": Address already in use" + (taken == ports[2] ? "" : " (tried 3 times, 1 s apart)")),
                        errors, text);
                    assertTrue(text.lines().noneMatch(l -> l.contains("WARN") || l.contains("ERROR")
                        || l.contains("stopped") || l.contains("failed")), "nothing else but INFO lines: " + text);
                } finally {
                    node.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** A flipped byte in a middle record of the txn log: exit 1, one line naming file and offset, nothing changed. */
    @Test
    void aCorruptTxnLogIsOneLineAndExitOne() throws Exception {
        final Path data = Files.createDirectories(dir.resolve("corrupt"));
        final Path segment = threeRecords(data);
        final byte[] bytes = Files.readAllBytes(segment);
        bytes[MIDDLE_PAYLOAD + 3] ^= 0x20;
        Files.write(segment, bytes);
        final String line = NodeProcesses.errorLine(1, "--config", singleMember(data).toString(), "--id", "1");
        assertTrue(line.startsWith("error: node 1: the txn log is corrupt: " + segment + " at byte offset "), line);
        assertArrayEquals(bytes, Files.readAllBytes(segment), "starting the node changed nothing");
        assertEquals(1, currentEpoch(data));
    }

    /** An epoch file beyond the epoch space: exit 1, one line naming file and value, nothing rewritten. */
    @Test
    void anEpochBeyondTheEpochSpaceIsOneLineAndExitOne() throws Exception {
        final Path data = Files.createDirectories(dir.resolve("epoch"));
        threeRecords(data);
        final Path accepted = data.resolve("version-2/acceptedEpoch");
        Files.writeString(accepted, "9000000000000000004\n");
        final String line = NodeProcesses.errorLine(1, "--config", singleMember(data).toString(), "--id", "1");
        assertTrue(line.startsWith("error: node 1: cannot open storage: " + accepted
            + " holds epoch 9000000000000000004"), line);
        assertEquals("9000000000000000004\n", Files.readString(accepted), "nothing is rewritten");
        assertEquals(1, currentEpoch(data), "the other file either");
    }

    /** Three records 1:1, 1:2, 1:3 of 10 bytes each in one segment, epochs 1; returns the segment file. */
    private static Path threeRecords(final Path data) throws Exception {
        try (NodeStorage storage = NodeStorage.open(data, FsyncPolicy.ALWAYS)) {
            for (int counter = 1; counter <= 3; counter++) {
                final byte[] payload = String.format("%-10s", Zxid.toString(Zxid.make(1, counter)))
                    .getBytes(StandardCharsets.US_ASCII);
                storage.log().append(Zxid.make(1, counter), new UnsafeBuffer(payload), 0, payload.length);
            }
            storage.acceptedEpoch(1);
            storage.currentEpoch(1);
            assertEquals(1, storage.log().segmentFiles().length);
            return storage.log().segmentFiles()[0];
        }
    }

    private static long currentEpoch(final Path data) throws Exception {
        return Long.parseLong(Files.readString(data.resolve("version-2/currentEpoch")).trim());
    }

    /** A one-member ensemble on loopback whose dataDir is {@code data}. */
    private Path singleMember(final Path data) throws Exception {
        final int[] ports = FreePorts.pick(2);
        return Files.write(dir.resolve(data.getFileName() + ".cfg"), List.of("dataDir=" + data, "tickTime=100",
            "server.1=127.0.0.1:" + ports[0] + ":" + ports[1]));
    }

    private static String run(final Path cfg, final String... more) {
        final List<String> args = new ArrayList<>(List.of("--config", cfg.toString()));
        args.addAll(List.of(more));
        return NodeProcesses.errorLine(2, args.toArray(new String[0]));
    }

    private static Process launch(final Path cfg, final Path log, final String... more) throws Exception {
        final List<String> args = new ArrayList<>(List.of("--config", cfg.toString()));
        args.addAll(List.of(more));
        return NodeProcesses.launch(log, List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"), args.toArray(new String[0]));
    }

    private static String state(final String url) {
        return NodeProcesses.get(url).replace(" ", "");
    }

    private static String read(final Path log) {
        return NodeProcesses.read(log);
    }
}
