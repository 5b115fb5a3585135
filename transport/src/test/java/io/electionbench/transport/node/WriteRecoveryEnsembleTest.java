package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.net.LeakWatch;

/**
 * Real-socket ensembles in one JVM with the txn log and recovery wired in: serving only after the
 * epoch is established, {@code POST /write} on the leader and a follower, and acknowledged writes
 * surviving the loss of the leader and the old leader's resync.
 */
@ExtendWith(LeakWatch.class)
class WriteRecoveryEnsembleTest {
    @TempDir
    Path dir;

    @Test
    void servesOnlyAfterEstablishmentAndWritesCommitInOrder() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            final List<String> violations = new ArrayList<>();
            final int[] samples = new int[1];
            TestEnsemble.await(15_000, "all three serving", () -> {
                samples[0]++;
                boolean isAllServing = true;
                for (int sid = 1; sid <= 3; sid++) {
                    final NodeStatus s = ensemble.nodes[sid].status();
                    isAllServing &= s.isServing();
                    if (s.isServing() && !isEstablished(s) && violations.size() < 10) {
                        violations.add(s.toJson());
                    }
                }
                return isAllServing;
            }, ensemble::describe);
            assertTrue(violations.isEmpty(), "serving before the epoch was established: " + violations);
            assertTrue(samples[0] > 1, "the ensemble was sampled before it served");
            final long leader = ensemble.agreedLeader();
            assertTrue(leader > 0, ensemble.describe());

            for (int sid = 1; sid <= 3; sid++) {
                final String state = Http.get(ensemble.admin(sid) + "/state").body();
                assertEquals("true", Http.field(state, "serving"), state);
                assertEquals("1", Http.field(state, "currentEpoch"), state);
                assertEquals("1", Http.field(state, "acceptedEpoch"), state);
                assertEquals("0:0", Http.field(state, "lastZxid"), state);
                assertNotNull(Http.field(state, "commitZxid"), state);
                assertEquals(sid == leader ? "null" : "DIFF", Http.field(state, "syncMode"), state);
            }

            final String leaderUrl = ensemble.admin(leader);
            for (int i = 1; i <= 5; i++) {
                final HttpResponse<String> r =
                    Http.post(leaderUrl + "/write", ("w" + i).getBytes(StandardCharsets.UTF_8), null);
                assertEquals(200, r.statusCode(), r.body());
                assertEquals("committed", Http.field(r.body(), "status"), r.body());
                assertEquals("1:" + i, Http.field(r.body(), "zxid"), r.body());
                assertEquals(Long.toString(leader), Http.field(r.body(), "leader"), r.body());
            }

            final long follower = leader == 1 ? 2 : 1;
            final HttpResponse<String> misdirected =
                Http.post(ensemble.admin(follower) + "/write", new byte[] {1}, null);
            assertEquals(421, misdirected.statusCode(), misdirected.body());
            assertEquals("not-leader", Http.field(misdirected.body(), "status"));
            assertEquals(Long.toString(leader), Http.field(misdirected.body(), "leader"));
            assertEquals("127.0.0.1:" + ensemble.adminPorts[(int)leader - 1],
                Http.field(misdirected.body(), "leaderAdmin"));

            final HttpResponse<String> tooLarge =
                Http.post(leaderUrl + "/write", new byte[MemberAgent.MAX_WRITE_BYTES + 1], null);
            assertEquals(413, tooLarge.statusCode(), tooLarge.body());
            assertEquals("too-large", Http.field(tooLarge.body(), "status"));
            final HttpResponse<String> largest =
                Http.post(leaderUrl + "/write", new byte[MemberAgent.MAX_WRITE_BYTES], null);
            assertEquals(200, largest.statusCode(), largest.body());
            assertEquals("1:6", Http.field(largest.body(), "zxid"));

            TestEnsemble.await(5_000, "every member logged and heard the commit of 1:6", () -> {
                for (int sid = 1; sid <= 3; sid++) {
                    final NodeStatus s = ensemble.nodes[sid].status();
                    if (s.zxid() != Zxid.make(1, 6) || s.commitZxid() != Zxid.make(1, 6)) {
                        return false;
                    }
                }
                return true;
            }, ensemble::describe);
            final PromText metrics = PromText.parse(Http.get(leaderUrl + "/metrics").body());
            assertEquals(6, metrics.value("electionbench_writes_committed_total"), metrics.text());
            assertEquals(6, metrics.value("electionbench_admin_writes_total", "status", "committed"), metrics.text());
            assertEquals(0, metrics.value("electionbench_admin_writes_total", "status", "too-large"),
                "a body over the limit never reaches the agent: " + metrics.text());
            final PromText followerMetrics = PromText.parse(Http.get(ensemble.admin(follower) + "/metrics").body());
            assertEquals(1, followerMetrics.value("electionbench_syncs_received_total"), followerMetrics.text());
            assertEquals(1, followerMetrics.value("electionbench_admin_writes_total", "status", "not-leader"),
                followerMetrics.text());
        }
    }

    /** A serving member has persisted the new epoch; a serving learner has been synced. */
    private static boolean isEstablished(final NodeStatus s) {
        if (s.currentEpoch() < 1 || s.acceptedEpoch() < s.currentEpoch()) {
            return false;
        }
        return "LEADING".equals(s.state())
            || "FOLLOWING".equals(s.state()) && s.syncMode() != null && s.syncsReceived() > 0;
    }

    @Test
    void acknowledgedWritesSurviveTheLeaderAndTheOldLeaderResyncs() throws Exception {
        final Map<Long, String> acknowledged = new LinkedHashMap<>();
        final long first;
        final long second;
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.startAll();
            first = ensemble.awaitServing(15_000);
            writes(ensemble.admin(first), 20, "a", acknowledged);
            assertEquals(Zxid.make(1, 20), acknowledged.keySet().stream().mapToLong(Long::longValue).max().getAsLong());

            ensemble.stop(first);
            second = ensemble.awaitServing(15_000);
            assertNotEquals(first, second);
            final NodeStatus elected = ensemble.nodes[(int)second].status();
            assertEquals(Zxid.make(1, 20), elected.zxid(), "the new leader holds every acknowledged write: " + elected);
            assertEquals(2, elected.currentEpoch(), elected.toJson());
            writes(ensemble.admin(second), 5, "b", acknowledged);
            assertTrue(acknowledged.containsKey(Zxid.make(2, 1)), acknowledged.keySet().toString());

            ensemble.start(first);
            assertEquals(second, ensemble.awaitServing(15_000), "the old leader rejoins the new one");
            TestEnsemble.await(5_000, "the old leader ends with the new leader's last zxid", () ->
                ensemble.nodes[(int)first].status().zxid() == ensemble.nodes[(int)second].status().zxid(),
                ensemble::describe);
            final String rejoined = Http.get(ensemble.admin(first) + "/state").body();
            assertEquals("2:5", Http.field(rejoined, "lastZxid"), rejoined);
            assertEquals("FOLLOWING", Http.field(rejoined, "state"), rejoined);
            assertNotEquals("null", Http.field(rejoined, "syncMode"), rejoined);
            assertEquals("2", Http.field(rejoined, "currentEpoch"), rejoined);
            final PromText leaderMetrics = PromText.parse(Http.get(ensemble.admin(second) + "/metrics").body());
            assertEquals("DIFF", Http.field(rejoined, "syncMode"), rejoined);
            assertEquals(1, leaderMetrics.value("electionbench_record_file_batches_sent_total"),
                "the five txns went as one record batch from the segment file: " + leaderMetrics.text());
        }

        long digest = 0;
        for (long sid = 1; sid <= 3; sid++) {
            final List<String> warnings = new ArrayList<>();
            final Path logDir =
                dir.resolve("node-" + sid).resolve(NodeStorage.VERSION_DIR).resolve(NodeStorage.LOG_DIR);
            try (FileTxnLog log = FileTxnLog.open(logDir,
                new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).warnings(warnings::add))) {
                assertTrue(warnings.isEmpty(), "a clean shutdown leaves nothing to repair: " + warnings);
                final Map<Long, String> held = new LinkedHashMap<>();
                log.read(0, (zxid, buffer, offset, length) -> {
                    held.put(zxid, buffer.getStringWithoutLengthAscii(offset, length));
                    return true;
                });
                assertEquals(acknowledged, held, "node " + sid + " holds exactly the acknowledged writes, in order");
                if (sid == 1) {
                    digest = log.digest();
                } else {
                    assertEquals(digest, log.digest(), "node " + sid + "'s history digest");
                }
            }
        }
    }

    /** Writes {@code count} payloads {@code prefix + i} to the leader; every one must commit. */
    private static void writes(final String leaderUrl, final int count, final String prefix,
        final Map<Long, String> acknowledged) throws Exception {
        for (int i = 1; i <= count; i++) {
            final String payload = prefix + i;
            HttpResponse<String> r = Http.post(leaderUrl + "/write", payload.getBytes(StandardCharsets.US_ASCII), null);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (r.statusCode() == 503 && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // Retry-After, shortened
                r = Http.post(leaderUrl + "/write", payload.getBytes(StandardCharsets.US_ASCII), null);
            }
            assertEquals(200, r.statusCode(), payload + ": " + r.body());
            final long zxid = Zxid.parse(Http.field(r.body(), "zxid"));
            final long last = acknowledged.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            assertTrue(zxid > last, "zxids increase: " + r.body());
            acknowledged.put(zxid, payload);
        }
    }
}
