package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.Main;

/**
 * The remote target against nodes it did not start: three node processes stand in for a remote
 * ensemble whose supervisor restarts a node once it has crashed (POST /fault/crash halts it). Real
 * processes, not nodes in this JVM: a node closed and restarted inside one JVM is not what a remote
 * node does after a crash.
 */
class RemoteTargetTest {
    @Test
    void drivesRunningNodesThroughTheirAdminEndpoints(@TempDir final Path dir) throws Exception {
        final int[] ports = AdminTarget.freePorts(9);
        final List<String> lines = new ArrayList<>(List.of("tickTime=200", "initLimit=10", "syncLimit=5", "dataDir="
            + dir.resolve("n-%d")));
        for (int sid = 1; sid <= 3; sid++) {
            lines.add("server." + sid + "=127.0.0.1:" + ports[3 * sid - 3] + ":" + ports[3 * sid - 2] + ":participant");
            lines.add("admin." + sid + "=127.0.0.1:" + ports[3 * sid - 1]);
        }
        final Path cfg = Files.write(dir.resolve("ensemble.cfg"), lines);
        final AtomicBoolean done = new AtomicBoolean();
        final List<Thread> supervisors = new ArrayList<>();
        final List<Process> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int sid = 1; sid <= 3; sid++) {
            supervisors.add(supervise(cfg, sid, dir.resolve("node-" + sid + ".log"), done, running));
        }
        try {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            final java.io.PrintStream savedOut = System.out;
            final java.io.PrintStream savedErr = System.err;
            final int code;
            try {
                System.setOut(new java.io.PrintStream(out, true, "UTF-8"));
                System.setErr(new java.io.PrintStream(err, true, "UTF-8"));
                code = Main.newCommandLine().execute("run", "--target", "remote", "--remote-config", cfg.toString(),
                    "--patterns", "leader-crash", "--trials", "2", "--warmup", "0", "--no-store", "--json",
                    "--verbose", "--timeout", "20");
            } finally {
                System.setOut(savedOut);
                System.setErr(savedErr);
            }
            assertEquals(0, code, () -> out + "\n" + err + "\n" + nodeLogs(dir));
            final JsonNode cell = new ObjectMapper().readTree(out.toString("UTF-8").strip());
            assertEquals("remote", cell.get("target").asText());
            assertEquals(3, cell.get("size").asInt());
            assertEquals(2, cell.get("n").asInt());
            assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > 0, cell.toString());
        } finally {
            done.set(true);
            running.forEach(Process::destroyForcibly);
            for (final Thread t : supervisors) {
                t.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
    }

    private static String nodeLogs(final Path dir) {
        final StringBuilder b = new StringBuilder();
        for (int sid = 1; sid <= 3; sid++) {
            try {
                b.append("--- node ").append(sid).append(" log\n")
                    .append(Files.readString(dir.resolve("node-" + sid + ".log")));
            } catch (final java.io.IOException ex) {
                b.append("--- node ").append(sid).append(": no log (").append(ex).append(")\n");
            }
        }
        return b.toString();
    }

    /**
     * Runs {@code electionbench node} for {@code sid} as a child process and starts it again whenever
     * it exits (POST /fault/crash halts it), as systemd would, until {@code done}.
     */
    private static Thread supervise(final Path cfg, final int sid, final Path log, final AtomicBoolean done,
        final List<Process> running) {
        final List<String> args = new ArrayList<>(List.of("-Dio.netty.leakDetection.level=paranoid"));
        args.addAll(ProcessTarget.nodeArgs(cfg, sid));
        final Thread t = new Thread(() -> {
            while (!done.get()) {
                try {
                    final Process p = new ProcessBuilder(ChildJvms.command("64m", args)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
                    running.add(p);
                    if (done.get()) {
                        p.destroyForcibly();
                    }
                    p.waitFor();
                    running.remove(p);
                } catch (final Exception ex) {
                    return;
                }
            }
        }, "supervisor-" + sid);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
