package io.electionbench.core.sim.check;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.Ensemble;

/**
 * The writes' safety. Every write outcome is recorded; a COMMITTED answer is an acknowledgement the
 * ensemble is held to: {@code acknowledged-write-lost} when a zxid is acknowledged for two writes, when
 * a new leader's history lacks an acknowledged write ({@link RecoverySafety}) or, at a stable instant,
 * the serving leader's does; {@code histories-diverge} when, at a stable instant, a serving follower's
 * history is not its leader's. A write is recognised by its payload ({@link SimPayloads} of its tag).
 */
public final class WriteSafety implements WriteListener {
    private final ClusterView cluster;
    private final Ensemble ensemble;
    private final Violations violations;
    private final Long2LongHashMap acknowledged = new Long2LongHashMap(Long.MIN_VALUE);
    private final UnsafeBuffer expectedPayload = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);
    private final EntryCheck entryCheck = new EntryCheck();
    private long refused;

    public WriteSafety(final ClusterView cluster, final Violations violations) {
        this.cluster = cluster;
        this.ensemble = cluster.ensemble();
        this.violations = violations;
    }

    @Override
    public void onWriteResult(final long requestId, final int status, final long zxid, final long leaderSid) {
        if (status == COMMITTED) {
            final long previous = acknowledged.put(zxid, requestId);
            if (previous != Long.MIN_VALUE && previous != requestId) {
                violations.report("acknowledged-write-lost", "zxid " + Zxid.toString(zxid)
                    + " acknowledged twice, for writes " + previous + " and " + requestId);
            }
        } else {
            refused++;
        }
    }

    /** Writes a leader acknowledged as committed: zxid to the tag written. */
    public Long2LongHashMap acknowledged() {
        return acknowledged;
    }

    /** Writes answered with anything but COMMITTED (not leader, not ready, busy, unknown). */
    public long refused() {
        return refused;
    }

    /**
     * Checks that member {@code i}'s history holds every acknowledged write with the payload it was
     * written with (a write below its snapshot is taken as held: the snapshot's digest is checked by
     * {@link #logsEqual}).
     *
     * @return a description of the first missing write, or null when none is missing
     */
    public String missingAcknowledgedWrite(final int i) {
        final long sid = ensemble.sid(i);
        final TxnLog log = cluster.storageAt(i).log();
        final Long2LongHashMap.KeyIterator it = acknowledged.keySet().iterator();
        while (it.hasNext()) {
            final long zxid = it.nextValue();
            final long tag = acknowledged.get(zxid);
            if (zxid <= log.snapshotZxid()) {
                continue;
            }
            if (!log.contains(zxid)) {
                return "acknowledged write " + Zxid.toString(zxid) + " (tag " + tag + ") is missing from server " + sid
                    + " (last zxid " + Zxid.toString(log.lastZxid()) + ")";
            }
            entryCheck.expect(zxid, tag);
            log.read(zxid, entryCheck);
            if (!entryCheck.matched) {
                return "server " + sid + " holds a different txn at acknowledged " + Zxid.toString(zxid) + " (tag "
                    + tag + ")";
            }
        }
        return null;
    }

    /**
     * To be called at a stable instant: every serving leader holds every acknowledged write, and every
     * serving member that follows it holds the leader's history.
     */
    public void checkConverged() {
        final int size = ensemble.size();
        for (int l = 0; l < size; l++) {
            final MemberAgent leader = cluster.agentAt(l);
            if (leader == null || leader.state() != ServerState.LEADING || !leader.isServing()) {
                continue;
            }
            final long leaderSid = ensemble.sid(l);
            final String missing = missingAcknowledgedWrite(l);
            if (missing != null) {
                violations.report("acknowledged-write-lost", missing);
            }
            for (int f = 0; f < size; f++) {
                final MemberAgent a = cluster.agentAt(f);
                if (f != l && a != null && a.isServing() && a.leader() == leaderSid
                    && !logsEqual(cluster.storageAt(l), cluster.storageAt(f))) {
                    violations.report("histories-diverge", "server " + ensemble.sid(f) + " (last "
                        + Zxid.toString(cluster.storageAt(f).lastLoggedZxid()) + ") serves under leader " + leaderSid
                        + " (last " + Zxid.toString(cluster.storageAt(l).lastLoggedZxid())
                        + ") with a different history");
                }
            }
        }
    }

    /** Equal histories: the same last zxid and the same digest. */
    public static boolean logsEqual(final PersistentState a, final PersistentState b) {
        return a.lastLoggedZxid() == b.lastLoggedZxid() && a.log().digest() == b.log().digest();
    }

    /** Compares the first entry read with the payload a tag writes. */
    private final class EntryCheck implements TxnLog.EntryHandler {
        long zxid;
        boolean matched;

        void expect(final long zxid, final long tag) {
            this.zxid = zxid;
            this.matched = false;
            SimPayloads.fill(expectedPayload, tag);
        }

        @Override
        public boolean onEntry(final long z, final DirectBuffer buffer, final int offset, final int length) {
            matched = z == zxid && length == SimPayloads.LENGTH && buffer.getLong(offset) == expectedPayload.getLong(0)
                && buffer.getLong(offset + 8) == expectedPayload.getLong(8);
            return false;
        }
    }
}
