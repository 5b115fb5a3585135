package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperReleases;

/**
 * A mixed three-member ensemble on loopback: one real ZooKeeper 3.9.5 server (sid 1) and two
 * electionbench nodes (sids 2, 3), one config. ZooKeeper's epoch files say 5, so its vote wins and all
 * three agree it leads; our nodes, the larger sids, dial its quorum port, which cannot read our quorum
 * protocol. They must say so in {@code /state} and back off, so ZooKeeper's log stays small
 * (docs/transport.md, "Running next to real ZooKeeper servers").
 */
class MixedZooKeeperEnsembleTest {
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    /** What {@code LearnerHandler.run} logs when it cannot read a learner's packets. */
    private static final String LEARNER_HANDLER_EXCEPTION = "Unexpected exception in LearnerHandler";
    private static final long WATCH_MS = 10_000;
    /** At the backoff's cap (1 s) each of our two nodes dials about ten times in the window. */
    private static final int MAX_EXCEPTIONS = 50;

    @TempDir
    Path dir;

    @Test
    void electsWithARealZooKeeperServerAndDoesNotFloodIt() throws Exception {
        final ZooKeeperDistribution zk;
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            zk = releases.resolve(ZooKeeperReleases.DEFAULT_VERSION);
        }
        final int[] ports = freePorts(9);
        final List<String> servers = new ArrayList<>();
        for (int sid = 1; sid <= 3; sid++) {
            servers.add("server." + sid + "=127.0.0.1:" + ports[sid - 1] + ":" + ports[sid + 2]);
        }
        final int clientPort = ports[6];
        final Path zkLog = dir.resolve("zk-1.log");
        final List<Process> processes = new ArrayList<>();
        try {
            processes.add(startZooKeeper(zk, servers, clientPort, zkLog));
            final Path ours = dir.resolve("ensemble.cfg");
            final List<String> cfg = new ArrayList<>(List.of("tickTime=500", "initLimit=10", "syncLimit=5",
                "dataDir=" + dir.resolve("node-%d"), "electionPolicy=zookeeper",
                "admin.2=127.0.0.1:" + ports[7], "admin.3=127.0.0.1:" + ports[8]));
            cfg.addAll(servers);
            Files.write(ours, cfg);
            for (long sid = 2; sid <= 3; sid++) {
                processes.add(NodeProcesses.launch(dir.resolve("node-" + sid + ".log"), List.of("-Xmx64m"),
                    "--config", ours.toString(), "--id", Long.toString(sid)));
            }
            final String state2 = "http://127.0.0.1:" + ports[7] + "/state";
            final String state3 = "http://127.0.0.1:" + ports[8] + "/state";
            try {
                checkEnsemble(state2, state3, zkLog, processes);
            } catch (final AssertionError failed) {
                throw new AssertionError(failed.getMessage() + "\nnode 2: " + NodeProcesses.get(state2) + "\nnode 3: "
                    + NodeProcesses.get(state3) + "\nZooKeeper's log ends:\n"
                    + tail(NodeProcesses.read(zkLog)) + "\nnode 2's log ends:\n"
                    + tail(NodeProcesses.read(dir.resolve("node-2.log"))), failed);
            }
        } finally {
            for (final Process p : processes) {
                p.destroyForcibly();
            }
            for (final Process p : processes) {
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void checkEnsemble(final String state2, final String state3, final Path zkLog,
        final List<Process> processes) {
        NodeProcesses.await(30_000, "all three agreeing that ZooKeeper (sid 1) leads", () ->
            "1".equals(NodeProcesses.field(NodeProcesses.get(state2), "leader"))
                && "1".equals(NodeProcesses.field(NodeProcesses.get(state3), "leader"))
                && isZooKeeperLeading(zkLog));
        final String incompatible = "\"incompatiblePeers\":[{\"sid\":1,\"reason\":\"zookeeper_leader\"";
        NodeProcesses.await(15_000, "both nodes reporting ZooKeeper's quorum port in /state", () ->
            NodeProcesses.get(state2).contains(incompatible) && NodeProcesses.get(state3).contains(incompatible));
        final long before = count(zkLog, LEARNER_HANDLER_EXCEPTION);
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCH_MS);
        long seen = 0;
        // Watch for the window, failing as soon as the bound is passed or a process dies.
        while (System.nanoTime() - endNs < 0 && seen < MAX_EXCEPTIONS) {
            for (final Process p : processes) {
                assertTrue(p.isAlive(), "a process exited: " + p);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            seen = count(zkLog, LEARNER_HANDLER_EXCEPTION) - before;
        }
        assertTrue(seen < MAX_EXCEPTIONS, seen + " '" + LEARNER_HANDLER_EXCEPTION + "' lines in ZooKeeper's log in "
            + WATCH_MS + " ms, at most " + MAX_EXCEPTIONS);
        NodeProcesses.await(30_000, "the election completing again, all three on sid 1", () ->
            "1".equals(NodeProcesses.field(NodeProcesses.get(state2), "leader"))
                && "1".equals(NodeProcesses.field(NodeProcesses.get(state3), "leader"))
                && isZooKeeperLeading(zkLog));
    }

    private static String tail(final String text) {
        return text.substring(Math.max(0, text.length() - 3_000));
    }

    /** ZooKeeper sid 1 with accepted and current epoch 5, so its vote is above our fresh nodes'. */
    private Process startZooKeeper(final ZooKeeperDistribution zk, final List<String> servers, final int clientPort,
        final Path log) throws IOException {
        final Path data = Files.createDirectories(dir.resolve("zk-1"));
        Files.writeString(data.resolve("myid"), "1\n");
        final Path version = Files.createDirectories(data.resolve("version-2"));
        Files.writeString(version.resolve("currentEpoch"), "5");
        Files.writeString(version.resolve("acceptedEpoch"), "5");
        final List<String> cfg = new ArrayList<>(List.of("tickTime=500", "initLimit=10", "syncLimit=5",
            "dataDir=" + data, "clientPort=" + clientPort, "clientPortAddress=127.0.0.1",
            "admin.enableServer=false"));
        cfg.addAll(servers);
        final Path zooCfg = dir.resolve("zoo-1.cfg");
        Files.write(zooCfg, cfg);
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        final List<String> command = List.of(java, "-Xmx128m", "-Dzookeeper.admin.enableServer=false", "-cp",
            zk.classpath(), MAIN, zooCfg.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * True if ZooKeeper's last state change was to LEADING ({@code QuorumPeer.setPeerState} logs "Peer
     * state changed: leading"): a leader without a quorum of followers does not serve, so srvr cannot say.
     */
    private static boolean isZooKeeperLeading(final Path log) {
        final String text = NodeProcesses.read(log);
        final String marker = "Peer state changed: ";
        final int at = text.lastIndexOf(marker);
        return at >= 0 && text.startsWith("leading", at + marker.length());
    }

    private static long count(final Path log, final String text) {
        return NodeProcesses.read(log).lines().filter(line -> line.contains(text)).count();
    }

    private static int[] freePorts(final int n) throws IOException {
        final ServerSocket[] sockets = new ServerSocket[n];
        final int[] ports = new int[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (final ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
