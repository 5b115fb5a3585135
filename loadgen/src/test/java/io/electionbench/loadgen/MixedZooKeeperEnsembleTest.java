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

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperReleases;

/**
 * Mixed three-member ensembles on loopback: one real ZooKeeper 3.9.5 server (sid 1) and two
 * electionbench nodes (sids 2, 3) reading the same server lines. Whoever leads, all three agree on it;
 * across kinds the quorum port cannot work, and our nodes must say so in {@code /state} without
 * flooding ZooKeeper or being flooded by it, so ZooKeeper's log stays small (docs/transport.md,
 * "Running next to real ZooKeeper servers").
 */
class MixedZooKeeperEnsembleTest {
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    private static final long WATCH_MS = 10_000;
    /** What ZooKeeper may log in {@link #WATCH_MS}: at the backoff's cap a node dials about once a second. */
    private static final int MAX_LINES = 50;

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private ZooKeeperDistribution zk;
    private int[] ports;
    private List<String> servers;
    private Path zkLog;

    @BeforeEach
    void resolveAndPickPorts() throws Exception {
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            zk = releases.resolve(ZooKeeperReleases.DEFAULT_VERSION);
        }
        ports = freePorts(9);
        servers = new ArrayList<>();
        for (int sid = 1; sid <= 3; sid++) {
            servers.add("server." + sid + "=127.0.0.1:" + ports[sid - 1] + ":" + ports[sid + 2]);
        }
        zkLog = dir.resolve("zk-1.log");
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (final Process p : processes) {
            p.destroyForcibly();
        }
        for (final Process p : processes) {
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * ZooKeeper's epoch files say 5, so its vote wins and it leads; our nodes, the larger sids, dial its
     * quorum port, whose {@code LearnerHandler} cannot read our quorum protocol. They cannot follow it, so
     * each looks again about once a second and rejoins it on the other's FOLLOWING vote; when both look at
     * once they elect 3 instead, which ZooKeeper then follows (seen in 2 of 5 runs), so the last check is
     * that all three agree on one leader, 1 or 3.
     */
    @Test
    void zooKeeperLeadsAndOurFollowersDoNotFloodIt() throws Exception {
        startZooKeeper(5);
        startOurs();
        watched(() -> {
            awaitAgreement(1);
            awaitReported("zookeeper_leader", 2, 3);
            assertFewLines("Unexpected exception in LearnerHandler");
            NodeProcesses.await(30_000, "all three agreeing on leader 1 or 3", () -> isAgreeing(1) || isAgreeing(3));
        });
    }

    /**
     * Our nodes elect 3 and serve; ZooKeeper, started after them, follows 3 and dials its quorum port
     * with FOLLOWERINFO, which node 3 holds unanswered until its handshake deadline.
     */
    @Test
    void oursLeadsAndTheZooKeeperFollowerRetriesOncePerDeadline() throws Exception {
        startOurs();
        watched(() -> {
            NodeProcesses.await(30_000, "node 3 leading and serving", () -> {
                final String state = NodeProcesses.get(state(3));
                return "LEADING".equals(NodeProcesses.field(state, "state"))
                    && "true".equals(NodeProcesses.field(state, "serving"));
            });
        });
        startZooKeeper(0);
        watched(() -> {
            awaitAgreement(3);
            awaitReported("zookeeper_learner", 3);
            assertFewLines("Exception when following the leader");
            awaitAgreement(3);
        });
    }

    private void startOurs() throws IOException {
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
    }

    /** ZooKeeper sid 1, with accepted and current epoch {@code epoch} in its epoch files unless 0. */
    private void startZooKeeper(final int epoch) throws IOException {
        final Path data = Files.createDirectories(dir.resolve("zk-1"));
        Files.writeString(data.resolve("myid"), "1\n");
        if (epoch > 0) {
            final Path version = Files.createDirectories(data.resolve("version-2"));
            Files.writeString(version.resolve("currentEpoch"), Integer.toString(epoch));
            Files.writeString(version.resolve("acceptedEpoch"), Integer.toString(epoch));
        }
        final List<String> cfg = new ArrayList<>(List.of("tickTime=500", "initLimit=10", "syncLimit=5",
            "dataDir=" + data, "clientPort=" + ports[6], "clientPortAddress=127.0.0.1", "admin.enableServer=false"));
        cfg.addAll(servers);
        final Path zooCfg = dir.resolve("zoo-1.cfg");
        Files.write(zooCfg, cfg);
        final String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        final List<String> command = List.of(java, "-Xmx128m", "-Dzookeeper.admin.enableServer=false", "-cp",
            zk.classpath(), MAIN, zooCfg.toString());
        processes.add(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(zkLog.toFile()).start());
    }

    private String state(final long sid) {
        return "http://127.0.0.1:" + ports[(int)sid + 5] + "/state";
    }

    /**
     * Our nodes both name {@code leader}, and ZooKeeper's last state change agrees: LEADING if it is 1,
     * else FOLLOWING with its learner connected to that leader's quorum port ({@code QuorumPeer.setPeerState},
     * {@code Learner.connectToLeader} log lines; a ZooKeeper member that cannot serve does not answer srvr).
     */
    private void awaitAgreement(final long leader) {
        NodeProcesses.await(30_000, "all three agreeing on leader " + leader, () -> isAgreeing(leader));
    }

    private boolean isAgreeing(final long leader) {
        final String sid = Long.toString(leader);
        return sid.equals(NodeProcesses.field(NodeProcesses.get(state(2)), "leader"))
            && sid.equals(NodeProcesses.field(NodeProcesses.get(state(3)), "leader"))
            && isZooKeeperAgreeing(leader);
    }

    private boolean isZooKeeperAgreeing(final long leader) {
        final String text = NodeProcesses.read(zkLog);
        final String marker = "Peer state changed: ";
        final int at = text.lastIndexOf(marker);
        if (at < 0) {
            return false;
        }
        if (leader == 1) {
            return text.startsWith("leading", at + marker.length());
        }
        return text.startsWith("following", at + marker.length())
            && text.contains("Successfully connected to leader, using address: /127.0.0.1:" + ports[(int)leader - 1]);
    }

    private void awaitReported(final String reason, final long... sids) {
        final String entry = "\"incompatiblePeers\":[{\"sid\":1,\"reason\":\"" + reason + "\"";
        NodeProcesses.await(15_000, "ZooKeeper reported in /state as " + reason, () -> {
            for (final long sid : sids) {
                if (!NodeProcesses.get(state(sid)).contains(entry)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Watches ZooKeeper's log for {@link #WATCH_MS}, failing as soon as it passes the bound or a process dies. */
    private void assertFewLines(final String text) {
        final long before = count(text);
        final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCH_MS);
        long seen = 0;
        while (System.nanoTime() - endNs < 0 && seen < MAX_LINES) {
            for (final Process p : processes) {
                assertTrue(p.isAlive(), "a process exited: " + p);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            seen = count(text) - before;
        }
        assertTrue(seen < MAX_LINES, seen + " '" + text + "' lines in ZooKeeper's log in " + WATCH_MS + " ms, at most "
            + MAX_LINES);
    }

    /** Runs {@code checks}; a failure says what every member showed. */
    private void watched(final Runnable checks) {
        try {
            checks.run();
        } catch (final AssertionError failed) {
            throw new AssertionError(failed.getMessage() + "\nnode 2: " + NodeProcesses.get(state(2)) + "\nnode 3: "
                + NodeProcesses.get(state(3)) + "\nZooKeeper's log ends:\n" + tail(NodeProcesses.read(zkLog))
                + "\nnode 3's log ends:\n" + tail(NodeProcesses.read(dir.resolve("node-3.log"))), failed);
        }
    }

    private long count(final String text) {
        return NodeProcesses.read(zkLog).lines().filter(line -> line.contains(text)).count();
    }

    private static String tail(final String text) {
        return text.substring(Math.max(0, text.length() - 3_000));
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
