package io.electionbench.loadgen.write;

import java.util.Arrays;

import org.HdrHistogram.Histogram;

/**
 * One trial's writes, once they stopped: counts, every committed write's coordinated-omission-corrected
 * latency, the times of all COMMITTED answers, and the acknowledgements (zxid and sequence) the safety
 * check verifies. Immutable.
 */
public final class TrialWrites {
    private final long issued;
    private final long committed;
    private final long lost;
    private final long refused;
    private final long unanswered;
    private final long[] latenciesNs;
    private final long[] answersNs;
    private final long[] ackZxids;
    private final long[] ackSeqs;
    private final Histogram latency;
    private final long wallStartMs;
    private final long wallEndMs;

    public TrialWrites(final long issued, final long committed, final long lost, final long refused,
        final long unanswered, final long[] latenciesNs, final long[] answersNs, final long[] ackZxids,
        final long[] ackSeqs, final Histogram latency, final long wallStartMs, final long wallEndMs) {
        this.issued = issued;
        this.committed = committed;
        this.lost = lost;
        this.refused = refused;
        this.unanswered = unanswered;
        this.latenciesNs = latenciesNs;
        this.answersNs = answersNs.clone();
        Arrays.sort(this.answersNs);
        this.ackZxids = ackZxids;
        this.ackSeqs = ackSeqs;
        this.latency = latency;
        this.wallStartMs = wallStartMs;
        this.wallEndMs = wallEndMs;
    }

    /** Writes the schedule produced. */
    public long issued() {
        return issued;
    }

    /** Distinct writes acknowledged COMMITTED. */
    public long committed() {
        return committed;
    }

    /**
     * Attempts whose outcome was never learned: answered UNKNOWN, lost with their connection or
     * timed out (each was retried), plus writes still uncommitted when the trial stopped waiting.
     */
    public long unknown() {
        return lost + unanswered;
    }

    /** Attempts a node refused (not the leader, not ready, busy); each was retried. */
    public long refused() {
        return refused;
    }

    /** Writes that had not committed when the trial stopped waiting for them. */
    public long unanswered() {
        return unanswered;
    }

    /** Each committed write's latency from its intended time to its first COMMITTED answer. */
    public long[] latenciesNs() {
        return latenciesNs.clone();
    }

    /** The latencies as a histogram (nanoseconds), for interval logs. */
    public Histogram latencyHistogram() {
        return latency.copy();
    }

    /** When the trial's writes began and ended, on the wall clock (for interval logs). */
    public long wallStartMs() {
        return wallStartMs;
    }

    public long wallEndMs() {
        return wallEndMs;
    }

    /** Acknowledged writes: {@code ackZxids()[i]} was answered COMMITTED for sequence {@code ackSeqs()[i]}. */
    public long[] ackZxids() {
        return ackZxids.clone();
    }

    public long[] ackSeqs() {
        return ackSeqs.clone();
    }

    /**
     * The longest time without a COMMITTED answer around a fault: over the consecutive answers from the
     * last one at or before {@code faultNs} (or {@code faultNs} itself when there is none) to the last
     * one at or before {@code untilNs}, the largest gap. A dying leader that still commits a few writes
     * after the fault instant does not hide the stall that follows; the resolution is the write
     * interval (a stall shorter than 1/rate cannot be seen).
     *
     * @return the gap, or -1 when no write committed after the fault (before {@code untilNs})
     */
    public long unavailabilityNs(final long faultNs, final long untilNs) {
        final int end = longestGapEnd(faultNs, untilNs);
        return end < 0 ? -1 : answersNs[end] - (end > 0 ? answersNs[end - 1] : faultNs);
    }

    /**
     * The COMMITTED answer that ends the gap {@link #unavailabilityNs} measures, or Long.MIN_VALUE when there is none.
     */
    public long longestGapEndNs(final long faultNs, final long untilNs) {
        final int end = longestGapEnd(faultNs, untilNs);
        return end < 0 ? Long.MIN_VALUE : answersNs[end];
    }

    private int longestGapEnd(final long faultNs, final long untilNs) {
        int i = upperBound(answersNs, faultNs);
        long previous = i > 0 ? answersNs[i - 1] : faultNs;
        long longest = -1;
        int end = -1;
        for (; i < answersNs.length && answersNs[i] - untilNs <= 0; i++) {
            if (answersNs[i] - previous > longest) {
                longest = answersNs[i] - previous;
                end = i;
            }
            previous = answersNs[i];
        }
        return end;
    }

    /** The index of the first element greater than {@code value}. */
    private static int upperBound(final long[] sorted, final long value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            final int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= value) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
