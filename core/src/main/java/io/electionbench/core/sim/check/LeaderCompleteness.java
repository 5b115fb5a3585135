package io.electionbench.core.sim.check;

import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;

/**
 * {@code leader-completeness}: a leader elected in its own round has a vote (peer epoch, zxid, sid) at
 * least the own data (current epoch, last logged zxid, sid) each member had when it sent the LOOKING
 * vote for that leader, in that round, that the leader holds from it. A LOOKING server's own data
 * does not change and every vote it casts is at least its own, so what the member did afterwards does
 * not matter. FLE also counts a FOLLOWING or LEADING vote equal to the proposal, which promises
 * nothing about its sender's data (discovery, not the election, covers that member, as in ZooKeeper's
 * {@code FastLeaderElection.lookForLeader}); those members are skipped and counted.
 *
 * <p>Kept per (receiver, sender): the last LOOKING notification delivered, its round and vote, and
 * the sender's own data when it sent it. Nothing is allocated per notification.
 */
public final class LeaderCompleteness {
    private final Ensemble ensemble;
    private final Violations violations;
    private final long[][] voteRound;
    private final long[][] voteLeader;
    private final long[][] voteZxid;
    private final long[][] votePeerEpoch;
    private final long[][] voteOwnEpoch;
    private final long[][] voteOwnZxid;
    private long checked;
    private long skipped;

    public LeaderCompleteness(final Ensemble ensemble, final Violations violations) {
        this.ensemble = ensemble;
        this.violations = violations;
        final int size = ensemble.size();
        voteRound = new long[size][size];
        voteLeader = new long[size][size];
        voteZxid = new long[size][size];
        votePeerEpoch = new long[size][size];
        voteOwnEpoch = new long[size][size];
        voteOwnZxid = new long[size][size];
    }

    /** A LOOKING notification from member {@code from} reaches member {@code to}. */
    public void onLookingVote(final int to, final int from, final long round, final long leader, final long zxid,
        final long peerEpoch, final long senderEpoch, final long senderZxid) {
        voteRound[to][from] = round;
        voteLeader[to][from] = leader;
        voteZxid[to][from] = zxid;
        votePeerEpoch[to][from] = peerEpoch;
        voteOwnEpoch[to][from] = senderEpoch;
        voteOwnZxid[to][from] = senderZxid;
    }

    /** Server {@code sid} decided for {@code leader}; checked when it elected itself in its own round. */
    public void onDecision(final long sid, final long leader, final long zxid, final long electionEpoch,
        final long peerEpoch, final long quorumMask) {
        if (leader != sid || quorumMask == 0) {
            return;
        }
        final int li = ensemble.indexOf(leader);
        long rest = quorumMask & ~(1L << li);
        while (rest != 0) {
            final int m = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            // Only a LOOKING vote for this very leader in this round promises anything about its
            // caster's data.
            if (voteRound[li][m] != electionEpoch || voteLeader[li][m] != leader || voteZxid[li][m] != zxid
                || votePeerEpoch[li][m] != peerEpoch) {
                skipped++;
                continue;
            }
            checked++;
            final long mSid = ensemble.sid(m);
            final long mEpoch = voteOwnEpoch[li][m];
            final long mZxid = voteOwnZxid[li][m];
            if (compareVotes(mEpoch, mZxid, mSid, peerEpoch, zxid, leader) > 0) {
                violations.report("leader-completeness", "leader " + leader + " (epoch " + peerEpoch + ", zxid "
                    + Zxid.toString(zxid) + ") was elected in round " + electionEpoch + " by a quorum including "
                    + mSid + ", whose own data when it voted (epoch " + mEpoch + ", zxid " + Zxid.toString(mZxid)
                    + ") is greater");
            }
        }
    }

    /** Members of electing quorums whose LOOKING vote was compared with the leader's. */
    public long checked() {
        return checked;
    }

    /** Members of electing quorums passed over: their counted vote was a FOLLOWING or LEADING one. */
    public long skipped() {
        return skipped;
    }

    /**
     * Lexicographic (peer epoch, zxid, sid), written independently of {@link io.electionbench.core.VoteOrder}
     * so a bug there cannot hide from this check.
     */
    private static int compareVotes(final long epochA, final long zxidA, final long sidA, final long epochB,
        final long zxidB, final long sidB) {
        final int byEpoch = Long.compare(epochA, epochB);
        if (byEpoch != 0) {
            return byEpoch;
        }
        final int byZxid = Long.compare(zxidA, zxidB);
        return byZxid != 0 ? byZxid : Long.compare(sidA, sidB);
    }
}
