package io.electionbench.transport.node;

import java.lang.invoke.VarHandle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How long this member's elections took (LOOKING to a decision, the agent's {@code lastElectionNs}), counted into
 * fixed buckets on the agent thread and read at scrape time as the histogram
 * {@code electionbench_election_duration_seconds}: ZooKeeper's {@code election_time} (ServerMetrics.ELECTION_TIME,
 * a summary in milliseconds, added in Leader.lead and Follower.followLeader from start_fle to end_fle).
 *
 * <p>The Prometheus client's own Histogram is not observed on the agent thread: while a scrape runs, its
 * {@code observe} takes a ReentrantLock and may grow an array (Buffer.doAppend). Here one writer does a few
 * ordered stores under a sequence number (odd while it writes), allocating nothing and never waiting; a reader
 * copies the buckets and the sum and retries while the sequence moved, so a scrape never sees an election in
 * the sum but not in the buckets. Nothing is lost between scrapes, however many elections there are.
 */
final class ElectionDurations {
    /**
     * Upper bounds of the buckets in seconds, {@code +Inf} last: elections here take milliseconds, ZooKeeper's
     * hundreds of milliseconds (finalizeWait is 200 ms), and a member cut off from a quorum can look for minutes.
     */
    static final double[] UPPER_BOUNDS_SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Double.POSITIVE_INFINITY};
    /** Attempts a reader makes at a consistent copy; a record is a few stores, so the second nearly always is. */
    static final int MAX_READ_ATTEMPTS = 1_000;

    private static final long[] UPPER_BOUNDS_NS = upperBoundsNs();
    private static final int SUM = UPPER_BOUNDS_NS.length;

    /** Per-bucket (not cumulative) counts, then the sum of the durations in nanoseconds. */
    private final AtomicLongArray cells = new AtomicLongArray(SUM + 1);
    /** Even when no record is being written; only the agent thread changes it. */
    private final AtomicLong sequence = new AtomicLong();

    /** Agent thread only: counts one election that took {@code durationNs} (negative counts as 0). */
    void record(final long durationNs) {
        final long ns = Math.max(0, durationNs);
        int bucket = 0;
        while (ns > UPPER_BOUNDS_NS[bucket]) {
            bucket++;
        }
        final long seq = sequence.getPlain();
        sequence.setOpaque(seq + 1);
        // Release for the odd number: no store below may become visible before it.
        VarHandle.storeStoreFence();
        cells.setOpaque(bucket, cells.getPlain(bucket) + 1);
        cells.setOpaque(SUM, cells.getPlain(SUM) + ns);
        sequence.setRelease(seq + 2);
    }

    /**
     * Any thread: copies the per-bucket counts into {@code counts} (one per {@link #UPPER_BOUNDS_SECONDS}) and
     * returns the sum in nanoseconds, consistent with them unless the writer kept moving for all of
     * {@link #MAX_READ_ATTEMPTS} (then the last copy, at most the elections recorded during the read apart).
     */
    long read(final long[] counts) {
        long sumNs = 0;
        for (int attempt = 0; attempt < MAX_READ_ATTEMPTS; attempt++) {
            final long before = sequence.getAcquire();
            for (int i = 0; i < SUM; i++) {
                counts[i] = cells.getOpaque(i);
            }
            sumNs = cells.getOpaque(SUM);
            // Acquire for the copy: the sequence is read again only after every cell was.
            VarHandle.loadLoadFence();
            if ((before & 1) == 0 && sequence.getOpaque() == before) {
                return sumNs;
            }
            Thread.onSpinWait();
        }
        return sumNs;
    }

    private static long[] upperBoundsNs() {
        final long[] bounds = new long[UPPER_BOUNDS_SECONDS.length];
        for (int i = 0; i < bounds.length; i++) {
            final double seconds = UPPER_BOUNDS_SECONDS[i];
            bounds[i] = Double.isInfinite(seconds) ? Long.MAX_VALUE : Math.round(seconds * TimeUnit.SECONDS.toNanos(1));
        }
        return bounds;
    }
}
