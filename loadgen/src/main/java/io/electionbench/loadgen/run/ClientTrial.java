package io.electionbench.loadgen.run;

import org.HdrHistogram.Histogram;
import org.agrona.collections.LongArrayList;

import io.electionbench.loadgen.write.WriteLedger;

/**
 * What the client sessions of one trial lived through, from its fault (docs/loadgen.md, "Failover as
 * clients see it"): per session its read and write unavailability and its disconnected time; every
 * successful operation's coordinated-omission-corrected latency (raw and as HdrHistograms); and the
 * trial's totals of failed attempts by kind and of expired sessions. Immutable.
 *
 * @param readUnavailableNs  one per session that had a read success before the fault and one after
 * @param writeUnavailableNs as for reads
 * @param disconnectedNs     one per session that was disconnected at or after the fault and reconnected
 * @param unrecovered        sessions without a read or write success after the fault by the trial's end
 */
public record ClientTrial(long[] readUnavailableNs, long[] writeUnavailableNs, long[] disconnectedNs,
    long[] readLatenciesNs, long[] writeLatenciesNs, Histogram readLatency, Histogram writeLatency,
    long connectionLosses, long sessionMoves, long otherFailures, int expired, int sessions, int unrecovered,
    long wallStartMs, long wallEndMs) {

    /** Collects the sessions of one trial. */
    static final class Builder {
        private final LongArrayList readUnavailable = new LongArrayList();
        private final LongArrayList writeUnavailable = new LongArrayList();
        private final LongArrayList disconnected = new LongArrayList();
        private final LongArrayList readLatencies = new LongArrayList();
        private final LongArrayList writeLatencies = new LongArrayList();
        private final Histogram readLatency = SessionLog.newHistogram();
        private final Histogram writeLatency = SessionLog.newHistogram();
        private long connectionLosses;
        private long sessionMoves;
        private long otherFailures;
        private int expired;
        private int sessions;
        private int unrecovered;

        /** One session: unavailabilities and disconnected time as {@link SessionLog} gives them (-1: none). */
        void session(final long readUnavailableNs, final long writeUnavailableNs, final long disconnectedNs,
            final LongArrayList readLatenciesNs, final LongArrayList writeLatenciesNs, final long losses,
            final long moves, final long others, final int expirations) {
            sessions++;
            if (readUnavailableNs < 0 || writeUnavailableNs < 0 || disconnectedNs < 0) {
                unrecovered++;
            }
            if (readUnavailableNs >= 0) {
                readUnavailable.addLong(readUnavailableNs);
            }
            if (writeUnavailableNs >= 0) {
                writeUnavailable.addLong(writeUnavailableNs);
            }
            if (disconnectedNs > 0) {
                disconnected.addLong(disconnectedNs);
            }
            add(readLatenciesNs, readLatencies, readLatency);
            add(writeLatenciesNs, writeLatencies, writeLatency);
            connectionLosses += losses;
            sessionMoves += moves;
            otherFailures += others;
            expired += expirations;
        }

        private static void add(final LongArrayList from, final LongArrayList to, final Histogram h) {
            for (int i = 0; i < from.size(); i++) {
                final long ns = from.getLong(i);
                to.addLong(ns);
                h.recordValue(Math.min(Math.max(1, ns), WriteLedger.HIGHEST_TRACKABLE_NS));
            }
        }

        ClientTrial build(final long wallStartMs, final long wallEndMs) {
            return new ClientTrial(readUnavailable.toLongArray(), writeUnavailable.toLongArray(),
                disconnected.toLongArray(), readLatencies.toLongArray(), writeLatencies.toLongArray(), readLatency,
                writeLatency, connectionLosses, sessionMoves, otherFailures, expired, sessions, unrecovered,
                wallStartMs, wallEndMs);
        }
    }
}
