package io.electionbench.loadgen.run;

import org.HdrHistogram.Histogram;
import org.agrona.collections.LongArrayList;

import io.electionbench.loadgen.write.WriteLedger;

/**
 * What one client session lived through in one trial (docs/loadgen.md, "Failover as clients see it"),
 * on the client agent's thread: the answer time of every successful read and write, their
 * coordinated-omission-corrected latencies (from each operation's intended time, {@link ClientStream}),
 * failed attempts by code, its disconnected stretches and its expirations. Reset at each trial's start.
 *
 * <p>A disconnected stretch comes from the session's own connection events where the client reports them
 * (ZooKeeper's Disconnected, then SyncConnected or Expired: {@link #onDisconnected}, {@link #onConnected});
 * otherwise ({@link #isHealthDisconnect}) from its streams: from the first failure either stream saw to the
 * moment both have succeeded again.
 */
final class SessionLog {
    private final boolean isHealthDisconnect;
    private final LongArrayList readOksNs = new LongArrayList();
    private final LongArrayList writeOksNs = new LongArrayList();
    private final LongArrayList readLatenciesNs = new LongArrayList();
    private final LongArrayList writeLatenciesNs = new LongArrayList();
    /** Disconnected stretches: start, end (-1 while open), start, end, ... */
    private final LongArrayList disconnects = new LongArrayList();
    private long connectionLosses;
    private long sessionMoves;
    private long failures;
    private int expirations;
    private boolean isReadHealthy = true;
    private boolean isWriteHealthy = true;

    /** The reads' outcomes. */
    final ClientStream.Outcomes reads = new Kind(false);
    /** The writes' outcomes. */
    final ClientStream.Outcomes writes = new Kind(true);

    /**
     * @param isHealthDisconnect true when the client reports no connection events, so disconnected stretches
     *                           are taken from the streams' health
     */
    SessionLog(final boolean isHealthDisconnect) {
        this.isHealthDisconnect = isHealthDisconnect;
    }

    void reset() {
        readOksNs.clear();
        writeOksNs.clear();
        readLatenciesNs.clear();
        writeLatenciesNs.clear();
        disconnects.clear();
        connectionLosses = 0;
        sessionMoves = 0;
        failures = 0;
        expirations = 0;
        isReadHealthy = true;
        isWriteHealthy = true;
    }

    /** The client lost its connection (ZooKeeper's Disconnected); a second one while disconnected is ignored. */
    void onDisconnected(final long atNs) {
        if (disconnects.isEmpty() || disconnects.getLong(disconnects.size() - 1) >= 0) {
            disconnects.addLong(atNs);
            disconnects.addLong(-1);
        }
    }

    /** The client has a session again (SyncConnected), or learned it has none (Expired, {@link #onExpired}). */
    void onConnected(final long atNs) {
        if (!disconnects.isEmpty() && disconnects.getLong(disconnects.size() - 1) < 0) {
            disconnects.setLong(disconnects.size() - 1, atNs);
        }
    }

    void onExpired(final long atNs) {
        expirations++;
        onConnected(atNs);
    }

    private void onHealth(final boolean isWrite, final boolean isHealthy, final long atNs) {
        if (isWrite) {
            isWriteHealthy = isHealthy;
        } else {
            isReadHealthy = isHealthy;
        }
        if (!isHealthDisconnect) {
            return;
        }
        if (!isHealthy) {
            onDisconnected(atNs);
        } else if (isReadHealthy && isWriteHealthy) {
            onConnected(atNs);
        }
    }

    /** The earlier of the two kinds' last successes: both succeeded at or after it; Long.MIN_VALUE before both did. */
    long bothSucceededNs() {
        if (readOksNs.isEmpty() || writeOksNs.isEmpty()) {
            return Long.MIN_VALUE;
        }
        final long r = readOksNs.getLong(readOksNs.size() - 1);
        final long w = writeOksNs.getLong(writeOksNs.size() - 1);
        return r - w < 0 ? r : w;
    }

    /**
     * Adds this session's trial to {@code into}: its unavailabilities and its first disconnected stretch from
     * {@code faultNs} on, its latencies and counts.
     */
    void addTo(final ClientTrial.Builder into, final long faultNs) {
        into.session(unavailableNs(readOksNs, faultNs), unavailableNs(writeOksNs, faultNs), disconnectedNs(faultNs),
            readLatenciesNs, writeLatenciesNs, connectionLosses, sessionMoves, failures, expirations);
    }

    /**
     * The longest stretch without a success, over the successes from the last one at or before {@code faultNs}
     * on: normally the last success before the fault to the first after it. The longest, not the first: a
     * server can answer a moment after the fault before it notices (a follower serves a read in the
     * milliseconds before it sees its leader die), and that answer would hide the outage that follows.
     *
     * @return -1 when there is no success at or before the fault, or none after it (not recovered)
     */
    static long unavailableNs(final LongArrayList oksNs, final long faultNs) {
        int from = -1;
        for (int i = 0; i < oksNs.size(); i++) {
            if (oksNs.getLong(i) - faultNs <= 0) {
                from = i;
            }
        }
        if (from < 0 || from == oksNs.size() - 1) {
            return -1;
        }
        long longest = 0;
        for (int i = from + 1; i < oksNs.size(); i++) {
            longest = Math.max(longest, oksNs.getLong(i) - oksNs.getLong(i - 1));
        }
        return longest;
    }

    /** The first disconnected stretch that began at or after the fault; 0 when none did; -1 when it never ended. */
    private long disconnectedNs(final long faultNs) {
        for (int i = 0; i < disconnects.size(); i += 2) {
            final long start = disconnects.getLong(i);
            if (start - faultNs >= 0) {
                final long end = disconnects.getLong(i + 1);
                return end < 0 ? -1 : end - start;
            }
        }
        return 0;
    }

    /** One stream's outcomes. */
    private final class Kind implements ClientStream.Outcomes {
        private final boolean isWrite;

        Kind(final boolean isWrite) {
            this.isWrite = isWrite;
        }

        @Override
        public void onSucceeded(final long atNs, final long latencyNs) {
            (isWrite ? writeOksNs : readOksNs).addLong(atNs);
            (isWrite ? writeLatenciesNs : readLatenciesNs).addLong(latencyNs);
        }

        @Override
        public void onFailed(final int code, final long atNs) {
            if (code == ClientStream.CONNECTION_LOSS) {
                connectionLosses++;
            } else if (code == ClientStream.SESSION_MOVED) {
                sessionMoves++;
            } else {
                failures++;
            }
        }

        @Override
        public void onHealth(final boolean isHealthy, final long atNs) {
            SessionLog.this.onHealth(isWrite, isHealthy, atNs);
        }
    }

    /** A histogram bound: latencies above an hour are clamped. */
    static Histogram newHistogram() {
        return new Histogram(WriteLedger.HIGHEST_TRACKABLE_NS, 3);
    }
}
