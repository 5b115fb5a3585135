package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.Main;
import io.electionbench.loadgen.hosts.Fleet;
import io.electionbench.loadgen.hosts.Inventory;
import io.electionbench.loadgen.hosts.SshHost;
import io.electionbench.loadgen.hosts.Testbed;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperReleases;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;

/**
 * The hosts target on the network-namespace testbed ({@link Testbed}): every pattern for our nodes and for ZooKeeper
 * 3.9.5, over real sshd, with partitions by each namespace's own iptables; {@code hosts clean}; and that nothing is
 * left after each test.
 */
class HostsTargetTest {
    private static final NodeTiming OURS = new NodeTiming(100, 10, 5);
    /** ZooKeeper's session and sync timers are in ticks too; 200 ms keeps its elections clear of its minimums. */
    private static final NodeTiming ZK = new NodeTiming(200, 10, 5);
    private static final long TRIAL_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(30);
    /**
     * A follower healed after a REJECT cut rejoins within its next prompt (at most reconnectMaxMs, 1 s by default),
     * twice reconnectMaxMs if its peers' links came up just before the cut, plus an election's worth of slack.
     */
    private static final long REJOIN_BOUND_MS = 5_000;
    private static Testbed bed;

    @TempDir
    Path work;

    @BeforeAll
    static void up() throws Exception {
        bed = Testbed.up(5);
    }

    @AfterAll
    static void down() throws Exception {
        if (bed != null) {
            bed.close();
        }
    }

    @AfterEach
    void nothingLeft() throws Exception {
        assertEquals(List.of(), bed.leftovers(), "what the test's runs left on the hosts");
    }

    @Test
    void everyPatternOnOurNodes() throws Exception {
        everyPattern("electionbench", OURS, null);
    }

    @Test
    void everyPatternOnZooKeeper() throws Exception {
        final ZooKeeperDistribution zk;
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            zk = releases.resolve("3.9.5");
        }
        everyPattern("zookeeper 3.9.5", ZK, zk);
    }

    /** One trial of every pattern, on 3 hosts (5 where the pattern needs them); each must recover, nothing lost. */
    private void everyPattern(final String runs, final NodeTiming timing,
        final ZooKeeperDistribution zk) throws Exception {
        final List<String> problems = new ArrayList<>();
        for (final Pattern p : Pattern.values()) {
            final int size = Math.max(3, p.minSize());
            final Inventory inv = Inventory.parse(bed.inventory(runs, size));
            final CellRunner.CellOutcome o = new CellRunner(TargetKind.HOSTS, size, p, ElectionPolicy.FAST, timing, 1,
                "64m", work.resolve(p.flag())).hosts(inv).zookeeper(zk, ZooKeeperVariant.NONE, "64m")
                .observeByPolling(true).settle(TimeUnit.MILLISECONDS.toNanos(200))
                .run(0, 1, TRIAL_TIMEOUT_NS, n -> { });
            assertNull(o.skipped(), p.flag());
            assertEquals(2 * size, o.hostClocks().size(), p.flag() + ": every host's clock at the start and the end");
            assertEquals(size, o.faultMechanisms().size(), p.flag() + ": " + o.faultMechanisms());
            if (o.samples().isEmpty() || !o.failures().isEmpty() || !o.violations().isEmpty()) {
                problems.add(p.flag() + ": samples " + o.samples().size() + ", failures " + o.failures()
                    + ", violations "
                    + o.violations());
            }
            assertEquals(List.of(), bed.leftovers(), "left after " + p.flag());
        }
        assertEquals(List.of(), problems);
    }

    /**
     * A follower cut off by DROP rules in its own host's firewall: its peers' connection attempts meet silence (they
     * time out), and it goes LOOKING only after syncLimit ticks; cut off by REJECT rules instead, the peers are refused
     * at once (a reset). How soon the follower leaves after a reject depends on when it next sends to the leader
     * (37-465 ms seen), so only that it leaves is checked; healed, it must be back within {@link #REJOIN_BOUND_MS},
     * though its peers' election connections to it are half open.
     */
    @Test
    void aDroppedFollowerMeetsSilenceAndLooksAfterSyncLimitTicksARejectedOneARefusal() throws Exception {
        final Inventory inv = Inventory.parse(bed.inventory("electionbench", 3));
        try (HostsNodeTarget t = HostsNodeTarget.open(inv, work, ElectionPolicy.FAST, OURS, FsyncPolicy.BATCH)) {
            t.startAll(new long[] {1, 2, 3});
            assertTrue(t.awaitStable(TRIAL_TIMEOUT_NS), t.describe());
            final long leader = role(t, "LEADING");
            final long follower = role(t, "FOLLOWING");
            final String probe = "timeout 2 bash -c '</dev/tcp/" + Testbed.address((int)follower)
                + "/2888' 2>/dev/null; echo $?";
            assertEquals("0", bed.ssh((int)leader, probe).out().strip(),
                "the leader's host reaches the follower before the cut");

            final Looking dropped = looking(t, follower, Fleet.Cut.DROP);
            final long dropMs = dropped.fromConfirmedMs();
            final long t0 = System.nanoTime();
            assertEquals("124", bed.ssh((int)leader, probe).out().strip(), "a dropped SYN is never answered: silence");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(1900));
            t.heal();
            assertTrue(t.awaitStable(TRIAL_TIMEOUT_NS), t.describe());

            // The follower with the smallest sid: it only prompts its peers on the election port, never dials them.
            final long follower2 = role(t, "FOLLOWING");
            final long leader2 = role(t, "LEADING");
            final long rejectMs = lookingAfterCut(t, follower2, Fleet.Cut.REJECT);
            final String probe2 = "timeout 2 bash -c '</dev/tcp/" + Testbed.address((int)follower2)
                + "/2888' 2>/dev/null; echo $?";
            assertEquals("1", bed.ssh((int)leader2, probe2).out().strip(), "a rejected SYN is answered with a reset");
            // Its peers' election connections to it are half open now (its own firewall reset its ends, the resets
            // never left its host): its prompts must make them redial, or it stays LOOKING (it did, 30 s and more).
            final long healNs = System.nanoTime();
            t.heal();
            assertTrue(t.awaitStable(TimeUnit.MILLISECONDS.toNanos(REJOIN_BOUND_MS)), () -> "not rejoined within "
                + REJOIN_BOUND_MS + " ms of the heal of a REJECT cut: " + t.describe() + "\n" + diagnose(t));
            final long rejoinMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healNs);

            final long syncLimitMs = OURS.syncLimit() * (long)OURS.tickTimeMs();
            System.out.printf("follower LOOKING %d ms after a DROP cut, %d ms after a REJECT cut (syncLimit %d ms);"
                + " stable again %d ms after the REJECT cut healed%n", dropMs, rejectMs, syncLimitMs, rejoinMs);
            assertTrue(dropped.isAfterSyncLimit(OURS), "LOOKING after the drop: " + dropped);
        }
    }

    /**
     * The namespaces share the kernel's clock, so every host's estimated offset must be zero within its error bound
     * (half the least round trip), plus 0.1 ms for the anchor's read and the clock's slewing; and the bound is real,
     * not zero.
     */
    @Test
    void everyHostsClockMatchesTheLoadGeneratorsWithinItsErrorBound() throws Exception {
        final Inventory inv = Inventory.parse(bed.inventory("electionbench", 3));
        try (Fleet fleet = Fleet.open(inv, Fleet.newTag())) {
            final List<io.electionbench.results.HostClock> clocks = fleet.clocks("start");
            assertEquals(List.of(1L, 2L, 3L), clocks.stream().map(io.electionbench.results.HostClock::sid).toList());
            for (final io.electionbench.results.HostClock c : clocks) {
                System.out.printf("server %d (%s): offset %+.3f ms, error %.3f ms%n", c.sid(), c.host(), c.offsetMs(),
                    c.errorMs());
                assertTrue(c.errorMs() > 0, c.toString());
                assertTrue(Math.abs(c.offsetMs()) <= c.errorMs() + 0.1, c.toString());
                assertEquals("start", c.when());
            }
            assertEquals(Map.of("1", "iptables", "2", "iptables", "3", "iptables"), fleet.faultMechanisms());
        }
    }

    /**
     * A fleet told {@code firewall = nft} makes the same cuts in an nftables table of its own, as on a host without the
     * iptables command: a partition pattern runs on it; a DROP cut is silence and a REJECT cut a reset, as with
     * iptables; the run file's mechanism says nft; and {@code hosts clean} removes the table a dead run left.
     */
    @Test
    void theNftFirewallMakesTheSameCutsAndHostsCleanRemovesItsTable() throws Exception {
        Testbed.requireNft();
        final Inventory inv = Inventory.parse(bed.inventory("electionbench", 3, "firewall = nft"));
        for (final Pattern p : List.of(Pattern.PARTITION_LEADER)) {
            final CellRunner.CellOutcome o = new CellRunner(TargetKind.HOSTS, 3, p, ElectionPolicy.FAST, OURS, 1,
                "64m", work.resolve("nft-" + p.flag())).hosts(inv).observeByPolling(true)
                .settle(TimeUnit.MILLISECONDS.toNanos(200)).run(0, 1, TRIAL_TIMEOUT_NS, n -> { });
            assertEquals(1, o.samples().size(), p.flag() + ": " + o.failures() + " " + o.violations());
            assertEquals(List.of(), o.violations());
            assertEquals(Map.of("1", "nft", "2", "nft", "3", "nft"), o.faultMechanisms());
            assertEquals(List.of(), bed.leftovers(), "left after " + p.flag());
        }
        try (HostsNodeTarget t = HostsNodeTarget.open(inv, work, ElectionPolicy.FAST, OURS, FsyncPolicy.BATCH)) {
            t.startAll(new long[] {1, 2, 3});
            assertTrue(t.awaitStable(TRIAL_TIMEOUT_NS), t.describe());
            final String table = "inet electionbench_" + t.fleet().tag();
            final long leader = role(t, "LEADING");
            final long follower = role(t, "FOLLOWING");
            final String probe = "timeout 2 bash -c '</dev/tcp/" + Testbed.address((int)follower)
                + "/2888' 2>/dev/null; echo $?";
            final Looking dropped = looking(t, follower, Fleet.Cut.DROP);
            assertTrue(bed.ssh((int)follower, "nft list table " + table).out().contains("drop"));
            assertEquals("124", bed.ssh((int)leader, probe).out().strip(), "a dropped SYN is never answered");
            t.heal();
            assertTrue(t.awaitStable(TRIAL_TIMEOUT_NS), t.describe());
            assertTrue(dropped.isAfterSyncLimit(OURS), "LOOKING after the drop: " + dropped);

            final long follower2 = role(t, "FOLLOWING");
            final long leader2 = role(t, "LEADING");
            lookingAfterCut(t, follower2, Fleet.Cut.REJECT);
            assertEquals("1", bed.ssh((int)leader2, "timeout 2 bash -c '</dev/tcp/" + Testbed.address((int)follower2)
                + "/2888' 2>/dev/null; echo $?").out().strip(), "a rejected SYN is answered with a reset");
            t.heal();
            assertTrue(t.awaitStable(TimeUnit.MILLISECONDS.toNanos(REJOIN_BOUND_MS)), t.describe());

            // A run that dies with a cut in place: hosts clean finds its table.
            t.fleet().cut(2, List.of(Testbed.address(3)), true, false, Fleet.Cut.DROP);
            final Map<Long, String> cleaned = Fleet.cleanAll(inv, null);
            assertTrue(cleaned.get(2L).contains("removed table " + table), cleaned.toString());
            final List<String> left = bed.leftovers();
            left.removeIf(l -> l.contains("ControlPath=/tmp/eb-ssh-"));
            assertEquals(List.of(), left, cleaned.toString());
        }
    }

    /**
     * Cuts {@code sid} from its peers in both directions on its own host; ms from the host's confirmation until it is
     * LOOKING.
     */
    private static long lookingAfterCut(final HostsNodeTarget t, final long sid, final Fleet.Cut how) throws Exception {
        return looking(t, sid, how).fromConfirmedMs();
    }

    /** When a cut server went LOOKING: ms after the rules' command was sent, and after the host confirmed it. */
    private record Looking(long fromSentMs, long fromConfirmedMs) {
        /**
         * Whether that fits syncLimit: the rules took effect inside the bracket and the follower last heard its leader
         * at most a tick before, so no sooner than syncLimit - tick after the send, and within 4 x syncLimit.
         */
        boolean isAfterSyncLimit(final NodeTiming timing) {
            final long syncLimitMs = timing.syncLimit() * (long)timing.tickTimeMs();
            return fromSentMs >= syncLimitMs - timing.tickTimeMs() && fromConfirmedMs < 4 * syncLimitMs;
        }
    }

    private static Looking looking(final HostsNodeTarget t, final long sid, final Fleet.Cut how) throws Exception {
        final List<String> peers = new ArrayList<>();
        for (final Inventory.Server s : t.fleet().inventory().servers()) {
            if (s.sid() != sid) {
                peers.add(s.address());
            }
        }
        final Fleet.Bracket b = t.fleet().cut(sid, peers, true, true, how);
        final long deadline = System.nanoTime() + TRIAL_TIMEOUT_NS;
        while (!"LOOKING".equals(t.snapshot().get(sid).state())) {
            assertTrue(System.nanoTime() - deadline < 0, "server " + sid + " never went LOOKING after the " + how);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        final long nowNs = System.nanoTime();
        return new Looking(TimeUnit.NANOSECONDS.toMillis(nowNs - b.sentNs()),
            TimeUnit.NANOSECONDS.toMillis(nowNs - b.confirmedNs()));
    }

    /** Each host's rules and the last lines of its node's log, for a failure message. */
    private static String diagnose(final HostsNodeTarget t) {
        final StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= t.fleet().inventory().size(); i++) {
            try {
                final java.net.http.HttpResponse<String> state = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + Testbed.address(i)
                        + ":8080/state"))
                        .timeout(java.time.Duration.ofSeconds(2)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                sb.append("h").append(i).append(" GET /state: ").append(state.body()).append('\n');
                sb.append("h").append(i).append(" rules:\n").append(bed.ssh(i, "iptables -w -S").out()).append("h")
                    .append(i)
                    .append(" log:\n").append(t.fleet().tail(i, "node-" + i, 15));
            } catch (final Exception ex) {
                sb.append(ex);
            }
        }
        return sb.toString();
    }

    /** The server with the smallest sid in {@code state}. */
    private static long role(final HostsNodeTarget t, final String state) {
        for (final Map.Entry<Long, NodeView> e : new java.util.TreeMap<>(t.snapshot()).entrySet()) {
            if (state.equals(e.getValue().state())) {
                return e.getKey();
            }
        }
        throw new AssertionError("no " + state + " server: " + t.describe());
    }

    /**
     * A run stopped with SIGTERM (as by Ctrl-C) while its servers run: its shutdown hook removes its processes, rules
     * and files on every host before the JVM exits.
     */
    @Test
    void aRunStoppedMidwayCleansUpFromItsShutdownHook() throws Exception {
        final Path invFile = bed.inventory("electionbench", 3);
        final List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
            "-Xmx128m",
            "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", "--target", "hosts", "--hosts",
            invFile.toString(), "--patterns", "partition-leader", "--tick-time", "100", "--trials", "50",
                "--no-store"));
        final Process run = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("run.log")
            .toFile()).start();
        try {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (bed.leftovers().stream().filter(l -> l.contains("-Delectionbench.run=")).count() < 3) {
                assertTrue(run.isAlive() && System.nanoTime() - deadline < 0, () -> "the run did not start 3 servers: "
                    + readQuietly(work.resolve("run.log")));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            run.destroy(); // SIGTERM
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "the run did not exit after SIGTERM");
        } finally {
            run.destroyForcibly();
        }
        assertEquals(List.of(), bed.leftovers(), readQuietly(work.resolve("run.log")));
    }

    private static String readQuietly(final Path file) {
        try {
            return Files.readString(file);
        } catch (final java.io.IOException ex) {
            return "(" + ex + ")";
        }
    }

    /**
     * A load generator that died mid-run leaves servers running, a firewall rule and its run directory; {@code hosts
     * clean}
     * removes exactly those: a file, a directory without the run marker and a process of someone else's survive.
     */
    @Test
    void hostsCleanRemovesWhatADeadRunLeftAndNothingElse() throws Exception {
        final Path invFile = bed.inventory("electionbench", 3);
        final Inventory inv = Inventory.parse(invFile);
        Files.createDirectories(bed.hostDir(1).resolve("electionbench-eb00000000"));
        Files.writeString(bed.hostDir(1).resolve("keep.txt"), "not the tool's\n");
        final SshHost.Result other = bed.ssh(1, "setsid sleep 120 > /dev/null 2>&1 < /dev/null & echo $!");
        final long otherPid = Long.parseLong(other.out().strip());
        try (HostsNodeTarget t = HostsNodeTarget.open(inv, work, ElectionPolicy.FAST, OURS, FsyncPolicy.BATCH)) {
            t.startAll(new long[] {1, 2, 3});
            assertTrue(t.awaitStable(TRIAL_TIMEOUT_NS), t.describe());
            t.fleet().cut(2, List.of(Testbed.address(3)), true, false, Fleet.Cut.DROP);
            assertTrue(!bed.leftovers().isEmpty());

            final java.io.StringWriter out = new java.io.StringWriter();
            final picocli.CommandLine cli = Main.newCommandLine();
            final java.io.PrintStream stdout = System.out;
            final java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            System.setOut(new java.io.PrintStream(printed, true));
            final int status;
            try {
                status = cli.execute("hosts", "clean", "--hosts", invFile.toString());
            } finally {
                System.setOut(stdout);
            }
            assertEquals(0, status, printed.toString() + out);
            final List<String> left = bed.leftovers();
            // The live target's own ssh masters and shells, closed below.
            left.removeIf(l -> l.contains("ControlPath=/tmp/eb-ssh-"));
            assertEquals(List.of(), left, printed.toString());
            assertTrue(printed.toString().contains("removed chain EBI-" + t.fleet().tag()), printed.toString());
            assertTrue(Files.exists(bed.hostDir(1).resolve("keep.txt")));
            assertTrue(Files.isDirectory(bed.hostDir(1).resolve("electionbench-eb00000000")));
            assertTrue(Files.exists(Path.of("/proc/" + otherPid)), "someone else's process survives");
        } finally {
            bed.ssh(1, "kill " + otherPid);
            Files.delete(bed.hostDir(1).resolve("keep.txt"));
            Files.delete(bed.hostDir(1).resolve("electionbench-eb00000000"));
        }
    }
}
