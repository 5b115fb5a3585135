package io.electionbench.transport.node;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Real-socket ensembles on loopback for tests: pre-probed free ports, a zoo.cfg written to a temp
 * directory, condition waits with deadlines (never bare sleeps).
 */
final class TestEnsemble implements AutoCloseable {
    final Path dir;
    final Path configFile;
    final NodeConfig config;
    final int[] electionPorts;
    final int[] quorumPorts;
    final int[] adminPorts;
    final ElectionNode[] nodes;

    TestEnsemble(final Path dir, final int size, final String... extraLines) throws Exception {
        this.dir = dir;
        // One pick for all of them: ports from separate picks may coincide (each is only free when picked).
        final int[] ports = freePorts(3 * size);
        this.electionPorts = java.util.Arrays.copyOfRange(ports, 0, size);
        this.quorumPorts = java.util.Arrays.copyOfRange(ports, size, 2 * size);
        this.adminPorts = java.util.Arrays.copyOfRange(ports, 2 * size, 3 * size);
        this.nodes = new ElectionNode[size + 1];
        final List<String> lines = new ArrayList<>(Arrays.asList(
            "tickTime=100", "initLimit=10", "syncLimit=5", "handshakeTimeoutMs=500",
            "dataDir=" + dir.resolve("node-%d")));
        lines.addAll(Arrays.asList(extraLines));
        for (int i = 0; i < size; i++) {
            lines.add("server." + (i + 1) + "=127.0.0.1:" + quorumPorts[i] + ":" + electionPorts[i]
                + ":participant");
            lines.add("admin." + (i + 1) + "=127.0.0.1:" + adminPorts[i]);
        }
        configFile = dir.resolve("ensemble.cfg");
        Files.write(configFile, lines);
        config = NodeConfigParser.parse(configFile);
    }

    ElectionNode start(final long sid) throws IOException {
        final ElectionNode node = new ElectionNode(config, sid);
        node.crashAction(node::close);
        node.haltAction(node::close);
        nodes[(int)sid] = node;
        node.start();
        return node;
    }

    void startAll() throws IOException {
        for (int sid = 1; sid < nodes.length; sid++) {
            start(sid);
        }
    }

    void stop(final long sid) {
        nodes[(int)sid].close();
        nodes[(int)sid] = null;
    }

    /**
     * Waits until every running node is FOLLOWING or LEADING the same leader, that leader is running
     * and LEADING, and the running nodes are a majority; returns the leader's sid.
     */
    long awaitLeader(final long timeoutMs) {
        final long[] leader = new long[1];
        await(timeoutMs, "an agreed leader", () -> {
            leader[0] = agreedLeader();
            return leader[0] > 0;
        }, this::describe);
        return leader[0];
    }

    /**
     * Waits until there is an agreed leader (as {@link #awaitLeader}) and every running node serves
     * (the leader's epoch is established and every learner got UPTODATE); returns the leader's sid.
     */
    long awaitServing(final long timeoutMs) {
        final long[] leader = new long[1];
        await(timeoutMs, "every running node serving under one leader", () -> {
            leader[0] = agreedLeader();
            if (leader[0] <= 0) {
                return false;
            }
            for (int sid = 1; sid < nodes.length; sid++) {
                if (nodes[sid] != null && !nodes[sid].status().isServing()) {
                    return false;
                }
            }
            return true;
        }, this::describe);
        return leader[0];
    }

    /** The admin endpoint's base URL of {@code sid}. */
    String admin(final long sid) {
        return "http://127.0.0.1:" + adminPorts[(int)sid - 1];
    }

    long agreedLeader() {
        long leader = -1;
        int running = 0;
        for (int sid = 1; sid < nodes.length; sid++) {
            final ElectionNode node = nodes[sid];
            if (node == null) {
                continue;
            }
            running++;
            final NodeStatus status = node.status();
            if (!"FOLLOWING".equals(status.state()) && !"LEADING".equals(status.state())) {
                return -1;
            }
            if (leader != -1 && status.leader() != leader) {
                return -1;
            }
            leader = status.leader();
        }
        if (running * 2 <= nodes.length - 1 || leader <= 0 || nodes[(int)leader] == null) {
            return -1;
        }
        return "LEADING".equals(nodes[(int)leader].status().state()) ? leader : -1;
    }

    String describe() {
        final StringBuilder sb = new StringBuilder();
        for (int sid = 1; sid < nodes.length; sid++) {
            final NodeStatus status = nodes[sid] == null ? null : nodes[sid].status();
            sb.append(sid).append('=').append(status == null ? "down" : status.state() + "->" + status.leader()
                + (status.isServing() ? "+" : "") + "@" + io.electionbench.core.Zxid.toString(status.zxid()))
                .append(' ');
        }
        return sb.toString();
    }

    static void await(final long timeoutMs, final String what, final BooleanSupplier condition) {
        await(timeoutMs, what, condition, () -> "");
    }

    /** As {@link #await(long, String, BooleanSupplier)}; {@code lastSeen} describes the state at the timeout. */
    static void await(final long timeoutMs, final String what, final BooleanSupplier condition,
        final Supplier<String> lastSeen) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + "; last seen: "
                    + lastSeen.get());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    static int[] freePorts(final int n) throws IOException {
        return io.electionbench.transport.net.FreePorts.pick(n);
    }

    @Override
    public void close() {
        for (int sid = 1; sid < nodes.length; sid++) {
            if (nodes[sid] != null) {
                nodes[sid].close();
            }
        }
    }
}
