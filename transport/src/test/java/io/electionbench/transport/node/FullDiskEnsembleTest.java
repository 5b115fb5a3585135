package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.Tmpfs;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.net.LeakWatch;

/**
 * A member whose dataDir fills up, for real: a 2 MiB tmpfs ({@link Tmpfs}; root only, and CI must
 * not skip it) filled by 16 KiB writes through the leader. The full member, leader or follower, steps
 * out of the ensemble without spinning, says once what failed and where, and the ensemble keeps
 * serving without it and loses no acknowledged write; when the tmpfs grows again, the member rejoins.
 */
@ExtendWith(LeakWatch.class)
class FullDiskEnsembleTest {
    private static final int FILL_WRITES = 200;
    private static final int WRITE_BYTES = 16 * 1024;
    private static final long QUIET_WINDOW_MS = 1_500;
    /** Lines (every stderr line, stack-trace lines included) the ensemble may print while one disk is full. */
    private static final int MAX_LOG_LINES = 20;
    /** The agent thread of a member that is out of the ensemble parks; it spun at about 87% of a core before. */
    private static final double MAX_IDLE_AGENT_CPU = 0.25;

    @TempDir
    Path dir;
    private TestEnsemble ensemble;
    private Tmpfs tmpfs;
    private StderrCapture stderr;

    @AfterEach
    void tearDown() throws Exception {
        try {
            if (ensemble != null) {
                ensemble.close();
            }
        } finally {
            try {
                if (stderr != null) {
                    stderr.close();
                }
            } finally {
                if (tmpfs != null) {
                    tmpfs.close();
                }
            }
        }
    }

    @Test
    void aLeaderWhoseDiskIsFullStepsDownStaysOutAndTheOthersElectALeaderThatServes() throws Exception {
        ensemble = new TestEnsemble(dir, 3);
        tmpfs = Tmpfs.mount(dir.resolve("node-3"), "2m");
        // 3 and 1 alone elect 3 (equal histories: the higher sid wins); 2 then joins it.
        ensemble.start(3);
        ensemble.start(1);
        assertEquals(3, ensemble.awaitLeader(10_000), ensemble.describe());
        ensemble.start(2);
        assertEquals(3, ensemble.awaitServing(10_000), ensemble.describe());

        stderr = StderrCapture.start();
        final Map<Long, Long> acknowledged = new LinkedHashMap<>();
        final Map<Integer, Integer> answers = new LinkedHashMap<>();
        for (int i = 1; i <= FILL_WRITES; i++) {
            final HttpResponse<String> r = write(ensemble.admin(3), i, WRITE_BYTES);
            answers.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 200) {
                acknowledged.put(Zxid.parse(Http.field(r.body(), "zxid")), (long)i);
            }
        }
        assertTrue(acknowledged.size() < FILL_WRITES, "the 2 MiB tmpfs took every write: " + answers);

        final long leader = awaitServingWithout(3, 10_000);
        final NodeStatus full = ensemble.nodes[3].status();
        assertEquals("LOOKING", full.state(), full.toJson());
        final double cpu = assertStaysFor(QUIET_WINDOW_MS, "node 3 stays out of elections", 3, () -> {
            final NodeStatus s = ensemble.nodes[3].status();
            return "LOOKING".equals(s.state()) && s.decisions() == full.decisions()
                && s.electionRounds() == full.electionRounds();
        });
        assertTrue(cpu < MAX_IDLE_AGENT_CPU, "node 3's agent thread used " + cpu + " of a core while out");
        for (int i = FILL_WRITES + 1; i <= FILL_WRITES + 20; i++) {
            final HttpResponse<String> r = write(ensemble.admin(leader), i, 64);
            assertEquals(200, r.statusCode(), r.body());
            acknowledged.put(Zxid.parse(Http.field(r.body(), "zxid")), (long)i);
        }
        assertLogBounded(3);

        tmpfs.resize("64m");
        awaitRejoined(3, leader);
        assertLogged(3, "storage accepts writes again");
        ensemble.close();
        assertHeldEverywhere(acknowledged);
    }

    @Test
    void aFollowerWhoseDiskIsFullBacksOffAndTheLeaderDoesNotStreamToItAgain() throws Exception {
        ensemble = new TestEnsemble(dir, 3);
        tmpfs = Tmpfs.mount(dir.resolve("node-1"), "2m");
        ensemble.start(3);
        ensemble.start(2);
        assertEquals(3, ensemble.awaitLeader(10_000), ensemble.describe());
        ensemble.start(1);
        assertEquals(3, ensemble.awaitServing(10_000), ensemble.describe());

        stderr = StderrCapture.start();
        final Map<Long, Long> acknowledged = new LinkedHashMap<>();
        for (int i = 1; i <= FILL_WRITES; i++) {
            final HttpResponse<String> r = write(ensemble.admin(3), i, WRITE_BYTES);
            assertEquals(200, r.statusCode(), "write " + i + ": " + r.body() + "; " + ensemble.describe());
            acknowledged.put(Zxid.parse(Http.field(r.body(), "zxid")), (long)i);
        }
        TestEnsemble.await(5_000, "node 1 out of the ensemble",
            () -> "LOOKING".equals(ensemble.nodes[1].status().state()), ensemble::describe);
        final NodeStatus full = ensemble.nodes[1].status();
        final long syncBytes = ensemble.nodes[3].status().syncBytesSent();
        final String what = "node 1 backs off and the leader streams nothing to it";
        final double cpu = assertStaysFor(QUIET_WINDOW_MS, what, 1, () -> {
            final NodeStatus s = ensemble.nodes[1].status();
            final NodeStatus l = ensemble.nodes[3].status();
            return "LOOKING".equals(s.state()) && s.decisions() == full.decisions()
                && s.electionRounds() == full.electionRounds() && l.syncBytesSent() == syncBytes && l.isServing();
        });
        assertTrue(cpu < MAX_IDLE_AGENT_CPU, "node 1's agent thread used " + cpu + " of a core while out");
        for (int i = FILL_WRITES + 1; i <= FILL_WRITES + 20; i++) {
            final HttpResponse<String> r = write(ensemble.admin(3), i, 64);
            assertEquals(200, r.statusCode(), r.body());
            acknowledged.put(Zxid.parse(Http.field(r.body(), "zxid")), (long)i);
        }
        assertLogBounded(1);

        tmpfs.resize("64m");
        awaitRejoined(1, 3);
        assertLogged(1, "storage accepts writes again");
        ensemble.close();
        assertHeldEverywhere(acknowledged);
    }

    /** POSTs a write of {@code bytes} whose first 8 bytes are {@code id} (big-endian, as GET /log shows them). */
    private static HttpResponse<String> write(final String url, final long id, final int bytes) throws Exception {
        final byte[] payload = new byte[bytes];
        ByteBuffer.wrap(payload).putLong(id);
        return Http.post(url + "/write", payload, null);
    }

    /** Waits until the members other than {@code down} serve under one of them; returns that leader. */
    private long awaitServingWithout(final long down, final long timeoutMs) {
        final long[] leader = new long[1];
        TestEnsemble.await(timeoutMs, "the members other than " + down + " serving under one of them", () -> {
            leader[0] = -1;
            for (int sid = 1; sid <= 3; sid++) {
                final NodeStatus s = ensemble.nodes[sid].status();
                if (sid == down) {
                    continue;
                }
                if (!s.isServing() || s.leader() == down || leader[0] != -1 && s.leader() != leader[0]) {
                    return false;
                }
                leader[0] = s.leader();
            }
            return "LEADING".equals(ensemble.nodes[(int)leader[0]].status().state());
        }, ensemble::describe);
        return leader[0];
    }

    /**
     * Checks {@code invariant} every 20 ms for {@code windowMs} (failing at the first sample it does not
     * hold: this observes that nothing happens, it waits for nothing); returns the share of one core that
     * {@code sid}'s agent thread used meanwhile.
     */
    private double assertStaysFor(final long windowMs, final String what, final long sid,
        final BooleanSupplier invariant) {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long agent = agentThreadId(sid);
        final long cpuStart = threads.getThreadCpuTime(agent);
        final long start = System.nanoTime();
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(windowMs)) {
            assertTrue(invariant.getAsBoolean(), what + ": broken after " + (System.nanoTime() - start) / 1_000_000
                + " ms; " + ensemble.describe() + " " + ensemble.nodes[(int)sid].status().toJson());
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        return (double)(threads.getThreadCpuTime(agent) - cpuStart) / (System.nanoTime() - start);
    }

    private static long agentThreadId(final long sid) {
        for (final Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().equals("election-" + sid)) {
                return thread.getId();
            }
        }
        throw new AssertionError("no thread election-" + sid);
    }

    /** What was printed since the disk filled is bounded, and names the failure and its path once. */
    private void assertLogBounded(final long sid) {
        final List<String> lines = stderr.lines();
        assertTrue(stderr.lineCount() <= MAX_LOG_LINES, stderr.lineCount() + " lines (" + stderr.bytesSeen()
            + " bytes) on stderr since the disk began to fill; the first ones: "
            + lines.subList(0, Math.min(40, lines.size())));
        final String path = tmpfs.dir().toString();
        final List<String> named = lines.stream().filter(l -> l.contains("node " + sid + ":") && l.contains(path)
            && l.contains("No space left on device")).collect(Collectors.toList());
        assertEquals(1, named.size(), "one line names the failure and the full directory: " + lines);
    }

    private void assertLogged(final long sid, final String text) {
        final List<String> lines = stderr.lines();
        assertTrue(lines.stream().anyMatch(l -> l.contains("node " + sid + ":") && l.contains(text)),
            text + ": " + lines);
    }

    /** The member that had the full disk follows {@code leader} again, serves, and holds the leader's history. */
    private void awaitRejoined(final long sid, final long leader) {
        TestEnsemble.await(10_000, "node " + sid + " serving under " + leader + " with its history", () -> {
            final NodeStatus s = ensemble.nodes[(int)sid].status();
            final NodeStatus l = ensemble.nodes[(int)leader].status();
            return s.isServing() && s.leader() == leader && "LEADING".equals(l.state()) && s.zxid() == l.zxid();
        }, ensemble::describe);
    }

    /** Every acknowledged write is in every member's log, in order, with its payload. */
    private void assertHeldEverywhere(final Map<Long, Long> acknowledged) throws Exception {
        for (long sid = 1; sid <= 3; sid++) {
            final Path logDir = dir.resolve("node-" + sid).resolve(NodeStorage.VERSION_DIR)
                .resolve(NodeStorage.LOG_DIR);
            final List<String> warnings = new ArrayList<>();
            try (FileTxnLog log = FileTxnLog.open(logDir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER)
                .warnings(warnings::add))) {
                final Map<Long, Long> held = new LinkedHashMap<>();
                log.read(0, (zxid, buffer, offset, length) -> {
                    held.put(zxid, buffer.getLong(offset, ByteOrder.BIG_ENDIAN));
                    return true;
                });
                for (final Map.Entry<Long, Long> write : acknowledged.entrySet()) {
                    assertEquals(write.getValue(), held.get(write.getKey()), "node " + sid
                        + " holds acknowledged write " + Zxid.toString(write.getKey()) + " (" + held.size()
                        + " entries; warnings " + warnings + ")");
                }
            }
        }
    }
}
