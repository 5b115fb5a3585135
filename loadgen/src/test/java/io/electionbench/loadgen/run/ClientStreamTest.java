package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.LongArrayList;
import org.junit.jupiter.api.Test;

import io.electionbench.loadgen.write.OpenLoopSchedule;

/** {@link ClientStream} and {@link SessionLog} stepped by hand on a fake clock: no sockets, no threads. */
class ClientStreamTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long BACKOFF = 10 * MS;

    /** Remembers what was sent and what the stream reported. */
    private static final class Fake implements ClientStream.Sender, ClientStream.Outcomes {
        final LongArrayList sent = new LongArrayList();
        final LongArrayList latencies = new LongArrayList();
        final List<String> health = new ArrayList<>();
        int failures;

        @Override
        public int send(final long index) {
            sent.addLong(index);
            return ClientStream.SENT;
        }

        @Override
        public void onSucceeded(final long atNs, final long latencyNs) {
            latencies.addLong(latencyNs);
        }

        @Override
        public void onFailed(final int code, final long atNs) {
            failures++;
        }

        @Override
        public void onHealth(final boolean isHealthy, final long atNs) {
            health.add((isHealthy ? "healthy@" : "unhealthy@") + atNs / MS);
        }
    }

    /** 100 operations a second from t=0: operation i is due at i * 10 ms. */
    private static ClientStream stream(final Fake f) {
        return new ClientStream(new OpenLoopSchedule(0, 100), f, f, BACKOFF, Long.MAX_VALUE);
    }

    @Test
    void aHealthyStreamSendsEachOperationWhenDueAndTimesItFromThen() {
        final Fake f = new Fake();
        final ClientStream s = stream(f);
        s.doWork(0);
        s.doWork(25 * MS);
        assertEquals(List.of(0L, 1L, 2L), f.sent, "operations 0, 1 and 2 are due by 25 ms");
        assertTrue(s.onAnswer(1, ClientStream.OK, 26 * MS));
        assertEquals(List.of(16 * MS), f.latencies, "from its intended time, 10 ms, not from its send at 25 ms");
        assertEquals(2, s.inFlight());
    }

    /**
     * A stall of 100 ms: the healthy stream keeps sending on schedule, and when the answers come back every
     * one counts from its own intended time, so the stall shows as latencies of 100 ms down to almost nothing
     * (a closed-loop client would record one slow operation).
     */
    @Test
    void latencyIsCorrectedForCoordinatedOmission() {
        final Fake f = new Fake();
        final ClientStream s = stream(f);
        for (long t = 0; t <= 100 * MS; t += MS) {
            s.doWork(t);
        }
        assertEquals(11, f.sent.size());
        for (int i = 0; i <= 10; i++) {
            s.onAnswer(i, ClientStream.OK, 101 * MS);
        }
        assertEquals(101 * MS, f.latencies.getLong(0));
        assertEquals(1 * MS, f.latencies.getLong(10));
        assertEquals(11, f.latencies.size());
    }

    /**
     * After a failure the stream probes: one attempt at a time, BACKOFF after the last failure, while the
     * schedule goes on producing a backlog; the first success sends the backlog at once, each operation
     * still timed from its intended time.
     */
    @Test
    void afterAFailureItProbesOneAtATimeAndBuildsABacklog() {
        final Fake f = new Fake();
        final ClientStream s = stream(f);
        s.doWork(0);
        s.onAnswer(0, ClientStream.CONNECTION_LOSS, 1 * MS);
        assertFalse(s.isHealthy());
        assertEquals(List.of("unhealthy@1"), f.health);
        s.doWork(5 * MS);
        assertEquals(1, f.sent.size(), "no attempt before the backoff has passed");
        s.doWork(11 * MS);
        assertEquals(List.of(0L, 0L), f.sent, "the probe is the failed operation again");
        s.doWork(30 * MS);
        assertEquals(2, f.sent.size(), "one probe in flight at a time, whatever is due");
        assertEquals(4, s.backlog(), "operations 0 to 3 are due and none succeeded");
        s.onAnswer(0, ClientStream.CONNECTION_LOSS, 31 * MS);
        s.doWork(41 * MS);
        assertEquals(3, f.sent.size());
        assertEquals(2, f.failures);
        s.onAnswer(0, ClientStream.OK, 45 * MS);
        assertTrue(s.isHealthy());
        assertEquals(List.of("unhealthy@1", "healthy@45"), f.health);
        assertEquals(45 * MS, f.latencies.getLong(0), "the probe that succeeded counts from operation 0's due time");
        s.doWork(45 * MS);
        assertEquals(List.of(0L, 0L, 0L, 1L, 2L, 3L, 4L), f.sent, "the backlog goes out at once");
    }

    @Test
    void aRedirectIsResentAtOnceAndOnlyASecondOneInARowIsAFailure() {
        final Fake f = new Fake();
        final ClientStream s = stream(f);
        s.doWork(0);
        s.onAnswer(0, ClientStream.REDIRECT, 1 * MS);
        assertTrue(s.isHealthy());
        s.doWork(1 * MS);
        assertEquals(List.of(0L, 0L), f.sent);
        s.onAnswer(0, ClientStream.REDIRECT, 2 * MS);
        assertFalse(s.isHealthy(), "redirected twice: nobody knows the leader");
        assertEquals(1, f.failures);
    }

    @Test
    void abandonedAttemptsAreQueuedAgainAndTheirLateAnswersIgnored() {
        final Fake f = new Fake();
        final ClientStream s = new ClientStream(new OpenLoopSchedule(0, 100), f, f, BACKOFF, 50 * MS);
        s.doWork(0);
        s.doWork(10 * MS);
        assertFalse(s.hasTimedOut(50 * MS));
        assertTrue(s.hasTimedOut(51 * MS), "operation 0 was sent at 0 and is unanswered after 50 ms");
        assertEquals(2, s.abandon(ClientStream.CONNECTION_LOSS, 51 * MS));
        assertEquals(2, f.failures);
        assertFalse(s.onAnswer(0, ClientStream.OK, 52 * MS), "an answer to an abandoned attempt is not taken");
        assertEquals(0, f.latencies.size());
        s.doWork(61 * MS);
        assertEquals(List.of(0L, 1L, 0L), f.sent, "the oldest is probed first");
    }

    /** Unavailability is the longest stretch without a success from the last one before the fault on. */
    @Test
    void unavailabilityIsTheLongestGapFromTheLastSuccessBeforeTheFault() {
        final LongArrayList oks = new LongArrayList();
        for (final long t : new long[] {0, 100, 200, 205, 900, 1000}) {
            oks.addLong(t * MS);
        }
        assertEquals(695 * MS, SessionLog.unavailableNs(oks, 150 * MS),
            "a success 5 ms after the fault (a server that had not noticed yet) does not hide the outage");
        assertEquals(-1, SessionLog.unavailableNs(oks, 1000 * MS), "no success after the fault: not recovered");
        final LongArrayList late = new LongArrayList();
        late.addLong(500 * MS);
        assertEquals(-1, SessionLog.unavailableNs(late, 100 * MS), "no success before the fault: none to count from");
    }

    /** Without connection events, a session is disconnected from its first failure until both kinds succeed again. */
    @Test
    void disconnectedTimeFromHealthWhenTheClientReportsNoEvents() {
        final SessionLog log = new SessionLog(true);
        log.reads.onHealth(false, 10 * MS);
        log.writes.onHealth(false, 12 * MS);
        log.reads.onSucceeded(300 * MS, 0);
        log.reads.onHealth(true, 300 * MS);
        log.writes.onSucceeded(340 * MS, 0);
        log.writes.onHealth(true, 340 * MS);
        final ClientTrial.Builder b = new ClientTrial.Builder();
        log.addTo(b, 5 * MS);
        final ClientTrial t = b.build(0, 0);
        assertEquals(1, t.disconnectedNs().length);
        assertEquals(330 * MS, t.disconnectedNs()[0]);
        assertEquals(1, t.unrecovered(), "no success before the fault in this log, so no unavailability");
    }
}
