package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.FreePorts;

/** Three {@code electionbench node} processes; SIGKILL the leader and see a new one through GET /state. */
class ProcessEnsembleTest {
    private static final int SIZE = 3;

    @TempDir
    Path dir;

    @Test
    void killedLeaderProcessIsReplaced() throws Exception {
        final int[] adminPorts = writeConfig();
        final Process[] processes = new Process[SIZE + 1];
        try {
            for (int sid = 1; sid <= SIZE; sid++) {
                processes[sid] = NodeProcesses.launch(dir.resolve("node-" + sid + ".log"), List.of("-Xmx64m",
                    "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                    "--config", dir.resolve("ensemble.cfg").toString(), "--id", Integer.toString(sid));
            }
            final long leader = awaitLeader(adminPorts, processes, 30_000);
            processes[(int)leader].destroyForcibly().waitFor();
            processes[(int)leader] = null;
            final long next = awaitLeader(adminPorts, processes, 20_000);
            assertNotEquals(leader, next);
            assertTrue(next >= 1 && next <= SIZE);
        } finally {
            for (final Process process : processes) {
                if (process != null) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** The ensemble's config on loopback ports; returns the admin ports by sid - 1. */
    private int[] writeConfig() throws Exception {
        final int[] ports = FreePorts.pick(3 * SIZE);
        final List<String> lines = new ArrayList<>(List.of("tickTime=100", "initLimit=10", "syncLimit=5",
            "handshakeTimeoutMs=500", "dataDir=" + dir.resolve("node-%d")));
        final int[] adminPorts = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            lines.add("server." + (i + 1) + "=127.0.0.1:" + ports[SIZE + i] + ":" + ports[i] + ":participant");
            adminPorts[i] = ports[2 * SIZE + i];
            lines.add("admin." + (i + 1) + "=127.0.0.1:" + adminPorts[i]);
        }
        Files.write(dir.resolve("ensemble.cfg"), lines);
        return adminPorts;
    }

    /** A running process LEADING that every other running process FOLLOWS, per GET /state. */
    private static long awaitLeader(final int[] adminPorts, final Process[] processes, final long timeoutMs) {
        final long[] leader = new long[1];
        NodeProcesses.await(timeoutMs, "a leader among the node processes", () -> {
            leader[0] = agreedLeader(adminPorts, processes);
            return leader[0] > 0;
        });
        return leader[0];
    }

    private static long agreedLeader(final int[] adminPorts, final Process[] processes) {
        long leader = -1;
        boolean isLeaderLeading = false;
        for (int sid = 1; sid <= SIZE; sid++) {
            if (processes[sid] == null) {
                continue;
            }
            final String state = NodeProcesses.get("http://127.0.0.1:" + adminPorts[sid - 1] + "/state");
            final String nodeLeader = NodeProcesses.field(state, "leader");
            if (nodeLeader == null || Long.parseLong(nodeLeader) <= 0
                || (leader > 0 && Long.parseLong(nodeLeader) != leader)) {
                return -1;
            }
            leader = Long.parseLong(nodeLeader);
            isLeaderLeading |= leader == sid && "LEADING".equals(NodeProcesses.field(state, "state"));
        }
        return isLeaderLeading ? leader : -1;
    }
}
