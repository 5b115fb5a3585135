package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real node processes; SIGKILL the leader and see a new one through GET /state. */
class ProcessEnsembleTest {
    @TempDir
    Path dir;

    @Test
    void killedLeaderProcessIsReplaced() throws Exception {
        final TestEnsemble ensemble = new TestEnsemble(dir, 3);
        final Process[] processes = new Process[4];
        try {
            for (int sid = 1; sid <= 3; sid++) {
                processes[sid] = launch(ensemble, sid);
            }
            final long leader = awaitLeader(ensemble, processes, 30_000);
            processes[(int)leader].destroyForcibly().waitFor();
            processes[(int)leader] = null;
            final long next = awaitLeader(ensemble, processes, 20_000);
            assertNotEquals(leader, next);
            assertTrue(next >= 1 && next <= 3);
        } finally {
            for (final Process process : processes) {
                if (process != null) {
                    process.destroyForcibly().waitFor();
                }
            }
        }
    }

    private static Process launch(final TestEnsemble ensemble, final int sid) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("--add-exports");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        command.add("-Xmx64m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(NodeCommand.class.getName());
        command.add("--config");
        command.add(ensemble.configFile.toString());
        command.add("--id");
        command.add(Integer.toString(sid));
        return new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ensemble.dir.resolve("node-" + sid + ".log").toFile())
            .start();
    }

    /** A running process LEADING that every other running process FOLLOWS, per GET /state. */
    private static long awaitLeader(final TestEnsemble ensemble, final Process[] processes, final long timeoutMs) {
        final long[] leader = new long[1];
        TestEnsemble.await(timeoutMs, "a leader among the node processes", () -> {
            leader[0] = agreedLeader(ensemble, processes);
            return leader[0] > 0;
        });
        return leader[0];
    }

    private static long agreedLeader(final TestEnsemble ensemble, final Process[] processes) {
        long leader = -1;
        boolean isLeaderLeading = false;
        for (int sid = 1; sid <= 3; sid++) {
            if (processes[sid] == null) {
                continue;
            }
            final String state;
            try {
                state = Http.get("http://127.0.0.1:" + ensemble.adminPorts[sid - 1] + "/state").body();
            } catch (final Exception ex) {
                return -1;
            }
            final long nodeLeader = Long.parseLong(Http.field(state, "leader"));
            if (nodeLeader <= 0 || (leader > 0 && nodeLeader != leader)) {
                return -1;
            }
            leader = nodeLeader;
            isLeaderLeading |= nodeLeader == sid && "LEADING".equals(Http.field(state, "state"));
        }
        return isLeaderLeading ? leader : -1;
    }
}
