package io.electionbench.core.zab;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.zab.LearnerProgress.Phase;

/**
 * A leader's discovery phase (ZooKeeper's {@code Leader.getEpochToPropose} and {@code waitForEpochAck},
 * Zab's phase 1): the learners report their accepted epochs (FOLLOWERINFO); once the leader and a
 * quorum of voters have, the new epoch is fixed, persisted as accepted and sent (LEADERINFO); once the
 * leader and a quorum of voters acknowledged it with their current epochs (ACKEPOCH), it is persisted
 * as current and the acknowledged learners go on to their sync ({@link Next}). The epoch bounds live
 * here too: no learner's claim raises the epoch more than one above what a quorum's own state
 * justifies, no quorum more than {@link #MAX_EPOCH_JUMP}, and an exhausted epoch space halts the member
 * (docs/recovery.md, "Discovery" and "Bounded epochs"). One preallocated object per agent, entered
 * with each leadership; agent thread only.
 */
public final class Discovery {
    /**
     * The most one leadership raises the epoch above the leader's own accepted epoch. Legitimate state
     * never comes near it (each abandoned leadership adds one); a quorum that includes a forged or
     * edited accepted epoch can then move the ensemble only this far per election, never to the end
     * of the epoch space at once.
     */
    public static final long MAX_EPOCH_JUMP = 1024;

    /** What follows discovery, for one learner and for the leadership. */
    public interface Next {
        /** The learner acknowledged the epoch, which a quorum has acknowledged: its sync may start. */
        void startSync(int index);

        /** The epoch is the leader's current one: establish it if a quorum is synced. */
        void checkEstablished();
    }

    private final Member member;
    private final int myIndex;
    private final long myBit;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    private final Leadership leadership;
    private final Next next;

    private long newEpoch = -1;
    private boolean isEpochAcked;
    /** True while {@link #enter} registers the learners kept while LOOKING. */
    private boolean isJoiningEarlyLearners;
    /**
     * The least epoch this node may propose when it next leads: above a voter's accepted epoch that a
     * previous leadership of ours found it could not include (memory only; a restart re-learns it).
     */
    private long minNextEpoch;
    private long leaderCurrentEpochAtStart;
    private long leaderLastZxidAtStart;
    /** Learners' accepted epochs above what a quorum's own state justifies, not allowed to raise ours. */
    private long epochsCapped;

    public Discovery(final Member member, final long mySid, final Ensemble ensemble, final ElectionPolicy policy,
        final PeerPublisher publisher, final PersistentState storage, final Leadership leadership, final Next next) {
        this.member = member;
        this.myIndex = ensemble.indexOf(mySid);
        this.myBit = 1L << myIndex;
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.policy = policy;
        this.publisher = publisher;
        this.storage = storage;
        this.leadership = leadership;
        this.next = next;
    }

    /**
     * The member leads from now: no epoch yet; the learners that chose it while it looked report
     * together, so the epoch is fixed once over all of them and the first in member order cannot
     * complete the quorum alone and decide which claims count.
     */
    public void enter() {
        newEpoch = -1;
        isEpochAcked = false;
        leaderCurrentEpochAtStart = storage.currentEpoch();
        leaderLastZxidAtStart = storage.lastLoggedZxid();
        long rest = leadership.learnerMask();
        isJoiningEarlyLearners = true;
        while (rest != 0 && member.isLeading()) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            learnerJoined(index);
        }
        isJoiningEarlyLearners = false;
        if (member.isLeading()) {
            checkEpochQuorum();
        }
    }

    /** The leadership ended. */
    public void leave() {
        newEpoch = -1;
        isEpochAcked = false;
    }

    /** A learner registered (FOLLOWERINFO): it reports its accepted epoch towards the new epoch, or gets it. */
    public void learnerJoined(final int index) {
        final LearnerProgress learner = leadership.learner(index);
        if (learner.phase() != Phase.NONE) {
            leadership.forget(index);
        }
        learner.phase(Phase.INFO);
        if (newEpoch < 0) {
            if (!isJoiningEarlyLearners) {
                checkEpochQuorum();
            }
        } else if (learner.acceptedEpoch() > newEpoch && quorum.isVoter(index) && policy.isEarlyStepDown()) {
            // It accepted a later epoch than ours (it proposed that epoch itself as a leader that never
            // established), so it can never follow us in this epoch (an equal one it acknowledges with
            // -1 and follows). ZooKeeper's learner refuses such a LEADERINFO, looks again, rejoins us
            // and is refused again for as long as we lead, so the ensemble runs a voter short. Look
            // again once, and lead next with an epoch above its accepted one, so that every voter can
            // follow; but at most one beyond ours, which a quorum established: that is what one
            // abandoned leadership leaves behind, and a claim further ahead (forged, or edited on disk)
            // must not carry the ensemble's epoch with it. Such a voter catches up over a few elections.
            final long accepted = learner.acceptedEpoch();
            if (accepted > newEpoch + 1) {
                epochsCapped++;
            }
            minNextEpoch = Math.max(minNextEpoch, Math.min(accepted, newEpoch + 1) + 1);
            member.lookAgain("a voter accepted a later epoch than ours");
        } else {
            sendLeaderInfo(index);
        }
    }

    /**
     * ZooKeeper's {@code Leader.getEpochToPropose}: once the leader and a quorum reported, the epoch is
     * fixed and persisted. It is above every accepted epoch reported, except that no learner may raise it
     * more than one epoch beyond what a quorum's own state justifies ({@link #proposableEpoch}). When even
     * that passes {@link Zxid#MAX_EPOCH}, the epoch space is exhausted and the node halts.
     */
    private void checkEpochQuorum() {
        if (newEpoch >= 0 || !quorum.containsQuorum(leadership.reportedVoters() | myBit)) {
            return;
        }
        final long epoch = proposableEpoch();
        if (epoch > Zxid.MAX_EPOCH) {
            member.halt("epoch space exhausted: a quorum has accepted epoch " + (epoch - 1)
                + " and no later epoch fits in a zxid (at most " + Zxid.MAX_EPOCH + ")");
            return;
        }
        try {
            storage.acceptedEpoch(epoch);
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot persist the accepted epoch", e);
            return;
        }
        newEpoch = epoch;
        long rest = leadership.learnerMask();
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(index).phase() == Phase.INFO) {
                sendLeaderInfo(index);
            }
        }
        checkEpochAcked();
    }

    /**
     * The epoch to propose: above our own accepted epoch, {@link #minNextEpoch} and every reporting learner's
     * accepted epoch, an observer's included as in ZooKeeper's {@code Leader.getEpochToPropose} (an observer
     * that accepted a later epoch would refuse a lower one), but a learner's counts only up to
     * {@code justified + 1}, where {@code justified} is the least value such that we and the reporting
     * voters whose accepted epochs do not exceed it form a quorum.
     * Legitimate state never needs more: each abandoned leadership moves an accepted epoch one past what
     * its quorum held. Safety does not rest on it (a learner whose accepted epoch is above the proposal
     * refuses it and cannot acknowledge), but a forged or edited number can no longer carry every
     * member's epoch to the end of the epoch space; nor can a quorum that includes one move the epoch
     * more than {@link #MAX_EPOCH_JUMP} above our own.
     */
    private long proposableEpoch() {
        final long own = storage.acceptedEpoch();
        final long reporters = leadership.reportedVoters();
        long justified = Long.MAX_VALUE;
        for (long candidates = reporters | myBit; candidates != 0; candidates &= candidates - 1) {
            final int c = Long.numberOfTrailingZeros(candidates);
            final long bound = Math.max(own, c == myIndex ? own : leadership.learner(c).acceptedEpoch());
            if (bound < justified && quorum.containsQuorum(myBit | reportersAtMost(reporters, bound))) {
                justified = bound;
            }
        }
        long epoch = Math.max(own + 1, minNextEpoch);
        for (long rest = leadership.reportedLearners(); rest != 0; rest &= rest - 1) {
            final long accepted = leadership.learner(Long.numberOfTrailingZeros(rest)).acceptedEpoch();
            if (accepted > justified + 1) {
                epochsCapped++;
            }
            epoch = Math.max(epoch, Math.min(accepted, justified + 1) + 1);
        }
        if (epoch > own + 1 + MAX_EPOCH_JUMP) {
            epochsCapped++;
            epoch = Math.max(own + 1 + MAX_EPOCH_JUMP, minNextEpoch);
        }
        return epoch;
    }

    private long reportersAtMost(final long reporters, final long bound) {
        long mask = 0;
        for (long rest = reporters; rest != 0; rest &= rest - 1) {
            final int index = Long.numberOfTrailingZeros(rest);
            if (leadership.learner(index).acceptedEpoch() <= bound) {
                mask |= 1L << index;
            }
        }
        return mask;
    }

    private void sendLeaderInfo(final int index) {
        if (publisher.sendLeaderInfo(ensemble.sid(index), newEpoch)) {
            leadership.learner(index).phase(Phase.EPOCH_SENT);
        } else {
            leadership.dropUnreachable(index);
        }
    }

    /**
     * ACKEPOCH. While the epoch waits for its quorum, a learner more recent than the leader (a higher
     * current epoch, or the same and a higher zxid) is refused: the leader's history must be at least as
     * recent as each of the quorum that establishes it. Once a quorum acknowledged, a later learner is
     * synced without that test, as ZooKeeper's {@code Leader.waitForEpochAck} returns at once when
     * {@code electionFinished}: its sync plan (a TRUNC of txns never committed, or a SNAP) brings it to
     * the leader's history, where refusing it would only cost a round trip (it rejoins having accepted
     * the epoch, and its -1 acknowledgement skips the test). An acknowledgement of -1 (it had already accepted this
     * epoch, possibly from a rival leader) never counts towards the quorum, which is what keeps two
     * leaders from establishing the same epoch. {@code snapshotZxid} is how far the learner's history
     * is compacted (-1: not at all, or not told): a TRUNC below it could not be applied.
     */
    public void onAckEpoch(final long from, final long currentEpoch, final long lastZxid, final long snapshotZxid) {
        final int index = ensemble.indexOf(from);
        if (!member.isLeading() || index < 0 || leadership.learner(index).phase() != Phase.EPOCH_SENT) {
            member.messageDropped();
            return;
        }
        final LearnerProgress learner = leadership.learner(index);
        learner.heardAt(member.nowNs());
        if (!isEpochAcked && currentEpoch != -1 && (currentEpoch > leaderCurrentEpochAtStart
            || currentEpoch == leaderCurrentEpochAtStart && lastZxid > leaderLastZxidAtStart)) {
            leadership.drop(index);
            leadership.refused(index, "a learner is more recent than the leader");
            return;
        }
        learner.phase(Phase.EPOCH_ACKED);
        learner.ackedEpoch(currentEpoch, lastZxid, snapshotZxid);
        if (isEpochAcked) {
            next.startSync(index);
        } else {
            checkEpochAcked();
        }
    }

    /**
     * ZooKeeper's {@code waitForEpochAck}: once the leader and a quorum of voters acknowledged the
     * epoch, it becomes the leader's current epoch and the acknowledged learners are synced.
     */
    private void checkEpochAcked() {
        if (isEpochAcked || newEpoch < 0 || !quorum.containsQuorum(leadership.epochAckVoters() | myBit)) {
            return;
        }
        try {
            storage.currentEpoch(newEpoch);
        } catch (final RuntimeException e) {
            member.cannotUseStorage("cannot persist the current epoch", e);
            return;
        }
        isEpochAcked = true;
        long rest = leadership.learnerMask();
        while (rest != 0 && member.isLeading()) {
            final int i = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (leadership.learner(i).phase() == Phase.EPOCH_ACKED) {
                next.startSync(i);
            }
        }
        if (member.isLeading()) {
            next.checkEstablished();
        }
    }

    /** The epoch this leadership negotiated; -1 until a quorum reported. */
    public long newEpoch() {
        return newEpoch;
    }

    /** True once the leader and a quorum of voters acknowledged the epoch, and it is the leader's current one. */
    public boolean isEpochAcked() {
        return isEpochAcked;
    }

    /** Accepted epochs reported by learners that were not allowed to raise the epoch proposed. */
    public long epochsCapped() {
        return epochsCapped;
    }
}
