package io.electionbench.core.sim.check;

import java.util.Arrays;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2LongHashMap;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.log.HistoryDigest;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.sync.SyncMode;

/**
 * Recovery's safety, checked where a phase ends (docs/recovery.md):
 * <ul>
 *   <li>when a leader serves, the epoch it established: {@code one-leader-per-epoch} (no other server
 *       ever established it), {@code epoch-without-quorum} (a quorum has persisted it, or a later one,
 *       as current) and {@code acknowledged-write-lost} (its history holds every acknowledged write,
 *       {@link WriteSafety});</li>
 *   <li>when a learner is synced, {@code histories-diverge}: its history up to the zxid it synced to
 *       is the leader's, digest for digest.</li>
 * </ul>
 */
public final class RecoverySafety {
    private final ClusterView cluster;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final Violations violations;
    private final WriteSafety writes;
    private final Long2LongHashMap establishedBy = new Long2LongHashMap(Long.MIN_VALUE);
    private final PrefixDigest prefix = new PrefixDigest();

    public RecoverySafety(final ClusterView cluster, final Violations violations, final WriteSafety writes) {
        this.cluster = cluster;
        this.ensemble = cluster.ensemble();
        this.quorum = ensemble.quorum();
        this.violations = violations;
        this.writes = writes;
    }

    /** Member {@code i} serves: if it leads, it has established its epoch. */
    public void onServing(final int i) {
        final MemberAgent a = cluster.agentAt(i);
        if (a != null && a.state() == ServerState.LEADING) {
            checkEstablishedEpoch(i, a.newEpoch());
        }
    }

    private void checkEstablishedEpoch(final int i, final long epoch) {
        final long sid = ensemble.sid(i);
        final long previous = establishedBy.put(epoch, sid);
        if (previous != Long.MIN_VALUE && previous != sid) {
            violations.report("one-leader-per-epoch", "epoch " + epoch + " established by " + previous + " and by "
                + sid);
        }
        long holders = 0;
        for (int m = 0; m < ensemble.size(); m++) {
            if (cluster.storageAt(m).currentEpoch() >= epoch) {
                holders |= 1L << m;
            }
        }
        if (!quorum.containsQuorum(holders)) {
            violations.report("epoch-without-quorum", "server " + sid + " established epoch " + epoch + " but only "
                + Arrays.toString(ensemble.sidsOf(holders)) + " hold it as current");
        }
        final String missing = writes.missingAcknowledgedWrite(i);
        if (missing != null) {
            violations.report("acknowledged-write-lost", "new leader of epoch " + epoch + ": " + missing);
        }
    }

    /**
     * Server {@code sid} synced from {@code leader} in {@code epoch}: its history to {@code lastZxid} has
     * {@code digest}. Checked while that leader still leads the epoch and still holds that history
     * above its snapshot.
     */
    public void onSynced(final long sid, final long leader, final long epoch, final SyncMode mode,
        final long lastZxid, final long digest) {
        final int li = ensemble.indexOf(leader);
        final MemberAgent l = cluster.agentAt(li);
        if (l == null || l.state() != ServerState.LEADING || l.newEpoch() != epoch) {
            return;
        }
        final TxnLog leaderLog = cluster.storageAt(li).log();
        if (lastZxid < leaderLog.snapshotZxid()) {
            return;
        }
        prefix.reset();
        leaderLog.read(lastZxid + 1, prefix);
        final long leaderDigest = leaderLog.digest() - prefix.hashOfRest;
        if (leaderDigest != digest || cluster.storageAt(li).lastLoggedZxid() < lastZxid) {
            violations.report("histories-diverge", "server " + sid + " synced by " + leader + " (" + mode + ") to "
                + Zxid.toString(lastZxid) + " holds a history different from the leader's up to that zxid");
        }
    }

    /** Sums the entry hashes past a zxid, so a log's digest up to that zxid can be had without copying it. */
    private static final class PrefixDigest implements TxnLog.EntryHandler {
        long hashOfRest;

        void reset() {
            hashOfRest = 0;
        }

        @Override
        public boolean onEntry(final long zxid, final DirectBuffer buffer, final int offset, final int length) {
            hashOfRest += HistoryDigest.entryHash(zxid, buffer, offset, length);
            return true;
        }
    }
}
