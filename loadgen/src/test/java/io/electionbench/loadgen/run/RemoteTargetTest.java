package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.Main;
import io.electionbench.transport.node.ElectionNode;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;

/**
 * The remote target against nodes it did not start: three nodes in this JVM stand in for a remote
 * ensemble whose supervisor restarts a node once it has crashed (POST /fault/crash).
 */
class RemoteTargetTest {
    @Test
    void drivesRunningNodesThroughTheirAdminEndpoints(@TempDir final Path dir) throws Exception {
        final int[] ports = AdminTarget.freePorts(9);
        final List<String> lines = new ArrayList<>(List.of("tickTime=200", "initLimit=10", "syncLimit=5", "dataDir=" + dir.resolve("n-%d")));
        for (int sid = 1; sid <= 3; sid++) {
            lines.add("server." + sid + "=127.0.0.1:" + ports[3 * sid - 3] + ":" + ports[3 * sid - 2] + ":participant;127.0.0.1:" + ports[3 * sid - 1]);
        }
        final Path cfg = Files.write(dir.resolve("ensemble.cfg"), lines);
        final NodeConfig config = NodeConfigParser.parse(cfg);
        final ElectionNode[] nodes = new ElectionNode[4];
        final AtomicBoolean done = new AtomicBoolean();
        for (int sid = 1; sid <= 3; sid++) {
            nodes[sid] = start(config, sid, nodes, done);
        }
        try {
            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            final java.io.PrintStream saved = System.out;
            final int code;
            try {
                System.setOut(new java.io.PrintStream(out, true, "UTF-8"));
                code = Main.newCommandLine().execute("run", "--target", "remote", "--remote-config", cfg.toString(),
                    "--patterns", "leader-crash", "--trials", "2", "--warmup", "0", "--no-store", "--json", "--timeout", "20");
            } finally {
                System.setOut(saved);
            }
            assertEquals(0, code, out.toString("UTF-8"));
            final JsonNode cell = new ObjectMapper().readTree(out.toString("UTF-8").strip());
            assertEquals("remote", cell.get("target").asText());
            assertEquals(3, cell.get("size").asInt());
            assertEquals(2, cell.get("n").asInt());
            assertTrue(cell.get("time_to_ready_p50_ms").asDouble() > 0, cell.toString());
        } finally {
            done.set(true);
            for (int sid = 1; sid <= 3; sid++) {
                nodes[sid].close();
            }
        }
    }

    /**
     * A node whose "supervisor" restarts it after a crash. A real node halts on POST /fault/crash; here
     * it closes on another thread (the request is served on the admin endpoint's own event loop, which
     * close() shuts down) and, once fully closed, starts again, as systemd would after the process died.
     */
    private static ElectionNode start(final NodeConfig config, final int sid, final ElectionNode[] nodes, final AtomicBoolean done)
        throws Exception {
        final ElectionNode node = new ElectionNode(config, sid);
        node.crashAction(() -> new Thread(() -> {
            node.close();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!done.get() && System.nanoTime() - deadline < 0) {
                try {
                    final ElectionNode restarted = start(config, sid, nodes, done);
                    nodes[sid] = restarted;
                    if (done.get()) {
                        restarted.close();
                    }
                    return;
                } catch (final Exception ex) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }
        }, "supervisor-" + sid).start());
        node.start();
        return node;
    }
}
