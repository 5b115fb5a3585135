package io.electionbench.loadgen.run;

import java.util.List;

/**
 * The syncs of one trial that moved data, after its fault, taken together: from the first one's start
 * to the last one's end ({@link #spanNs}), how many txns and bytes moved. Followers syncing at the
 * same time share the span, so the rates are what the ensemble achieved, not a sum of per-follower
 * rates.
 *
 * @param syncs   how many syncs moved data
 * @param spanNs  first sync's start to the last one's NEWLEADER ACK
 */
public record SyncSummary(int syncs, long txns, long bytes, long spanNs) {
    /** Null when no sync after {@code faultNs} moved data: such a trial records no sync metrics at all. */
    public static SyncSummary of(final List<SyncEvent> events, final long faultNs) {
        int syncs = 0;
        long txns = 0;
        long bytes = 0;
        long first = 0;
        long last = 0;
        for (final SyncEvent e : events) {
            final long startNs = e.tsNs() - e.durationNs();
            if (!e.hasData() || e.tsNs() - faultNs < 0) {
                continue;
            }
            if (syncs == 0 || startNs - first < 0) {
                first = startNs;
            }
            if (syncs == 0 || e.tsNs() - last > 0) {
                last = e.tsNs();
            }
            syncs++;
            txns += e.txns();
            bytes += e.bytes();
        }
        return syncs == 0 ? null : new SyncSummary(syncs, txns, bytes, Math.max(1, last - first));
    }

    public double txnsPerS() {
        return txns * 1e9 / spanNs;
    }

    public double bytesPerS() {
        return bytes * 1e9 / spanNs;
    }
}
