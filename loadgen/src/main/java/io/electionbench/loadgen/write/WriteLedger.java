package io.electionbench.loadgen.write;

import java.util.BitSet;

import org.HdrHistogram.Histogram;
import org.agrona.collections.LongArrayList;

/**
 * What one trial's writes did, kept on the writer's thread: every COMMITTED answer (sequence, zxid,
 * answer time), each write's first commit with its coordinated-omission-corrected latency (answer
 * time minus the write's intended time, {@link OpenLoopSchedule}), and every attempt whose outcome
 * was never learned. Sequences of a trial are {@code firstSeq, firstSeq + 1, ...} in schedule order,
 * so a write's intended time follows from its sequence and survives any number of retries.
 *
 * <p>Only {@link #maxCommittedIntendedNs()} is read from other threads (volatile); the rest is
 * handed over as an immutable {@link TrialWrites} by {@link #finish}.
 */
public final class WriteLedger {
    /** Latencies above an hour are clamped (a histogram needs a bound). */
    public static final long HIGHEST_TRACKABLE_NS = 3_600_000_000_000L;

    private final OpenLoopSchedule schedule;
    private final long firstSeq;
    private final long wallStartMs;
    private final BitSet committed = new BitSet();
    private final LongArrayList latenciesNs = new LongArrayList();
    private final LongArrayList answersNs = new LongArrayList();
    private final LongArrayList ackZxids = new LongArrayList();
    private final LongArrayList ackSeqs = new LongArrayList();
    private final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private long lost;
    private long refused;
    private long committedCount;
    private volatile long maxCommittedIntendedNs = Long.MIN_VALUE;

    /**
     * @param wallStartMs the wall-clock time of the schedule's start, for interval logs
     */
    WriteLedger(final OpenLoopSchedule schedule, final long firstSeq, final long wallStartMs) {
        this.schedule = schedule;
        this.firstSeq = firstSeq;
        this.wallStartMs = wallStartMs;
    }

    OpenLoopSchedule schedule() {
        return schedule;
    }

    long firstSeq() {
        return firstSeq;
    }

    /** The intended time of the trial's write {@code seq}. */
    long intendedNs(final long seq) {
        return schedule.intendedNs(seq - firstSeq);
    }

    /**
     * A COMMITTED answer. Every answer is an acknowledgement the safety check holds the ensemble to;
     * only a write's first one counts for latency (a retried write may commit twice).
     *
     * @return true if this is the write's first commit
     */
    boolean onCommitted(final long seq, final long zxid, final long answerNs) {
        ackZxids.addLong(zxid);
        ackSeqs.addLong(seq);
        answersNs.addLong(answerNs);
        if (seq < firstSeq || committed.get((int)(seq - firstSeq))) {
            return false;
        }
        committed.set((int)(seq - firstSeq));
        committedCount++;
        final long intendedNs = intendedNs(seq);
        final long latencyNs = Math.max(0, answerNs - intendedNs);
        latenciesNs.addLong(latencyNs);
        latency.recordValue(Math.min(Math.max(1, latencyNs), HIGHEST_TRACKABLE_NS));
        if (intendedNs - maxCommittedIntendedNs > 0 || maxCommittedIntendedNs == Long.MIN_VALUE) {
            maxCommittedIntendedNs = intendedNs; // release: single writer
        }
        return true;
    }

    /** An attempt whose outcome was not learned: answered UNKNOWN, or lost with its connection. */
    void onLost() {
        lost++;
    }

    /** An attempt a node refused (not the leader, not ready, busy): it was retried. */
    void onRefused() {
        refused++;
    }

    boolean isCommitted(final long seq) {
        return seq >= firstSeq && committed.get((int)(seq - firstSeq));
    }

    /** The latest intended time among committed writes (any thread), or Long.MIN_VALUE before the first commit. */
    long maxCommittedIntendedNs() {
        return maxCommittedIntendedNs;
    }

    /** Distinct writes committed so far. */
    long committedCount() {
        return committedCount;
    }

    /**
     * @param issued     writes the schedule produced
     * @param unanswered writes that had not committed when the trial stopped waiting for them
     */
    TrialWrites finish(final long issued, final long unanswered) {
        return new TrialWrites(issued, committed.cardinality(), lost, refused, unanswered, latenciesNs.toLongArray(),
            answersNs.toLongArray(), ackZxids.toLongArray(), ackSeqs.toLongArray(), latency.copy(), wallStartMs,
            Math.max(wallStartMs + 1, System.currentTimeMillis()));
    }
}
