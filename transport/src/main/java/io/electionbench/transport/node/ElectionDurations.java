package io.electionbench.transport.node;

import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How long this member's elections took (LOOKING to a decision, the agent's {@code lastElectionNs}), counted into
 * fixed buckets on the agent thread and read at scrape time as the histogram
 * {@code electionbench_election_duration_seconds}: ZooKeeper's {@code election_time} (ServerMetrics.ELECTION_TIME,
 * a summary in milliseconds, added in Leader.lead and Follower.followLeader from start_fle to end_fle).
 *
 * <p>The Prometheus client's own Histogram is not observed on the agent thread: while a scrape runs, its
 * {@code observe} takes a ReentrantLock and may grow an array (Buffer.doAppend). Here one writer does a few
 * ordered stores under a sequence number (odd while it writes), allocating nothing and never waiting; a reader
 * copies the buckets and the sum and retries while the sequence moved (or answers with the last consistent copy
 * if the writer stays halfway), so a scrape never sees an election in the sum but not in the buckets, and counts
 * never go back. Nothing is lost between scrapes, however many elections there are.
 */
final class ElectionDurations {
    /**
     * Upper bounds of the buckets in seconds, {@code +Inf} last: elections here take milliseconds, ZooKeeper's
     * hundreds of milliseconds (finalizeWait is 200 ms), and a member cut off from a quorum can look for minutes.
     */
    static final double[] UPPER_BOUNDS_SECONDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, Double.POSITIVE_INFINITY};
    /** Attempts a reader spins before it yields: a record is a few stores, so the second nearly always works. */
    static final int SPINS = 100;
    /**
     * How long a reader waits for a writer that stopped halfway (preempted between its stores) before it answers
     * with the last consistent copy instead.
     */
    static final long MAX_READ_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Bounds a reader's attempts to publish its copy; each failed one means another reader published. */
    private static final int MAX_PUBLISH_ATTEMPTS = 1_000;

    private static final long[] UPPER_BOUNDS_NS = upperBoundsNs();
    private static final int SUM = UPPER_BOUNDS_NS.length;

    /** Per-bucket (not cumulative) counts, then the sum of the durations in nanoseconds. */
    private final AtomicLongArray cells = new AtomicLongArray(SUM + 1);
    /** Even when no record is being written; only the agent thread changes it. */
    private final AtomicLong sequence = new AtomicLong();
    /** The newest consistent copy any reader made: the counts, the sum, then the sequence it was made at. */
    private final AtomicReference<long[]> lastCopy = new AtomicReference<>(new long[SUM + 2]);

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
     * Any thread (not the agent's): copies the per-bucket counts into {@code counts} (one per
     * {@link #UPPER_BOUNDS_SECONDS}) and returns the sum in nanoseconds, always consistent with them and never older
     * than a copy returned before. Waits at most {@link #MAX_READ_WAIT_NS} for a writer that stopped halfway, then
     * answers with the newest consistent copy a reader made (the election being recorded shows at the next read).
     */
    long read(final long[] counts) {
        final long deadlineNs = System.nanoTime() + MAX_READ_WAIT_NS;
        for (int attempt = 0; ; attempt++) {
            final long before = sequence.getAcquire();
            if ((before & 1) == 0) {
                for (int i = 0; i < SUM; i++) {
                    counts[i] = cells.getOpaque(i);
                }
                final long sumNs = cells.getOpaque(SUM);
                // Acquire for the copy: the sequence is read again only after every cell was.
                VarHandle.loadLoadFence();
                if (sequence.getOpaque() == before) {
                    publish(counts, sumNs, before);
                    return sumNs;
                }
            }
            if (attempt < SPINS) {
                Thread.onSpinWait();
            } else if (System.nanoTime() - deadlineNs < 0) {
                Thread.yield();
            } else {
                final long[] last = lastCopy.get();
                System.arraycopy(last, 0, counts, 0, SUM);
                return last[SUM];
            }
        }
    }

    /** Keeps a consistent copy made at {@code seq} unless a reader already kept one as new. */
    private void publish(final long[] counts, final long sumNs, final long seq) {
        final long[] copy = Arrays.copyOf(counts, SUM + 2);
        copy[SUM] = sumNs;
        copy[SUM + 1] = seq;
        for (int attempt = 0; attempt < MAX_PUBLISH_ATTEMPTS; attempt++) {
            final long[] last = lastCopy.get();
            if (last[SUM + 1] >= seq || lastCopy.compareAndSet(last, copy)) {
                return;
            }
        }
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
