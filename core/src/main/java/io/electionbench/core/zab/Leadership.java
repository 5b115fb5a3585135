package io.electionbench.core.zab;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.zab.LearnerProgress.Phase;

/**
 * A leader's learners and its liveness (ZooKeeper's {@code Leader.lead} loop and
 * {@code LearnerHandler.ping}): which members are its learners, one {@link LearnerProgress} each; pings
 * every tickTime/2; and stepping down when no quorum connected within initLimit, when the voters still
 * free to follow it can no longer form a quorum (early-step-down policy), or, once established, when
 * the learners heard from within syncLimit ticks plus itself no longer form a quorum. Ending a
 * relationship is here too: a learner that went silent is refused, one a send failed to has its link
 * reset. The other phases read the records through {@link #learner} and the derived voter sets. One
 * preallocated object per agent, entered when the member decides for itself; agent thread only. See
 * docs/architecture.md.
 */
public final class Leadership {
    private final Member member;
    private final int myIndex;
    private final long myBit;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final NodeTiming timing;
    private final PeerPublisher publisher;
    private final PersistentState storage;
    /** The leader's view of each member as its learner, by member index (ours unused), preallocated. */
    private final LearnerProgress[] learners;

    /** The members registered as learners; every loop over learners walks it in member order. */
    private long learnerMask;
    /** Voters that refused this leadership, which are not all learners. */
    private long refusedMask;
    private boolean isEstablished;
    private long establishDeadlineNs;
    private long nextPingNs;
    private long nextTickNs;

    public Leadership(final Member member, final long mySid, final Ensemble ensemble, final ElectionPolicy policy,
        final NodeTiming timing, final PeerPublisher publisher, final PersistentState storage) {
        this.member = member;
        this.myIndex = ensemble.indexOf(mySid);
        this.myBit = 1L << myIndex;
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.policy = policy;
        this.timing = timing;
        this.publisher = publisher;
        this.storage = storage;
        this.learners = new LearnerProgress[ensemble.size()];
        for (int i = 0; i < learners.length; i++) {
            learners[i] = new LearnerProgress(i);
        }
    }

    /**
     * The member leads from now, with the learners that chose it while it looked: each counts as heard
     * from now, every record starts from NONE, and the learners and (early-step-down policy) the other
     * connected voters are pinged at once.
     */
    public void enter(final long earlyLearners) {
        final long nowNs = member.nowNs();
        learnerMask = earlyLearners;
        for (long rest = learnerMask; rest != 0; rest &= rest - 1) {
            learners[Long.numberOfTrailingZeros(rest)].heardAt(nowNs);
        }
        refusedMask = 0;
        isEstablished = false;
        establishDeadlineNs = nowNs + timing.initLimitNs();
        forgetAll();
        pingLearners();
        if (policy.isEarlyStepDown()) {
            probeVoters();
        }
        nextPingNs = nowNs + timing.tickNs() / 2;
    }

    /** The leadership ends: every learner is forgotten and told at once (ZooKeeper closes the learner sockets). */
    public void leave() {
        forgetAll();
        long rest = learnerMask;
        learnerMask = 0;
        isEstablished = false;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendLearnerReject(ensemble.sid(index));
        }
    }

    private void forgetAll() {
        for (final LearnerProgress learner : learners) {
            learner.forget();
        }
    }

    /** NEWLEADER acknowledged by a quorum: the epoch is established, and from now syncLimit ticks decide liveness. */
    public void established() {
        isEstablished = true;
        nextTickNs = member.nowNs() + timing.tickNs();
    }

    /** True once this leadership's epoch is established: it serves. */
    public boolean isEstablished() {
        return isEstablished;
    }

    /** Pings, and the step-down checks: initLimit until established, then a quorum heard within syncLimit per tick. */
    public int doWork(final long nowNs) {
        int work = 0;
        if (nowNs - nextPingNs >= 0) {
            pingLearners();
            if (!isEstablished && policy.isEarlyStepDown()) {
                probeVoters();
            }
            nextPingNs = nowNs + timing.tickNs() / 2;
            work++;
        }
        if (!isEstablished) {
            if (nowNs - establishDeadlineNs >= 0) {
                member.lookAgain("no quorum of learners within initLimit");
                return work + 1;
            }
        } else if (nowNs - nextTickNs >= 0) {
            nextTickNs = nowNs + timing.tickNs();
            work++;
            if (!quorum.containsQuorum(syncedMask(nowNs))) {
                member.lookAgain("not sufficient followers synced");
            }
        }
        return work;
    }

    /** The earliest time {@link #doWork} has timer work. */
    public long deadlineNs() {
        final long stepDownNs = isEstablished ? nextTickNs : establishDeadlineNs;
        return nextPingNs - stepDownNs <= 0 ? nextPingNs : stepDownNs;
    }

    /** Ourselves plus the synced learners heard from within syncLimit ticks; drops the others. */
    private long syncedMask(final long nowNs) {
        long rest = learnerMask;
        long synced = myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            if (nowNs - learners[index].lastHeardNs() > timing.syncLimitNs()) {
                drop(index);
            } else if (learners[index].phase() == Phase.SYNCED) {
                synced |= 1L << index;
            }
        }
        return synced;
    }

    private void pingLearners() {
        final long zxid = storage.lastLoggedZxid();
        long rest = learnerMask;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendPing(ensemble.sid(index), zxid);
        }
    }

    /**
     * Pings connected voters that have not announced themselves, so those following elsewhere refuse
     * now; repeated every ping round until established, since a voter still LOOKING cannot refuse yet.
     */
    private void probeVoters() {
        final long zxid = storage.lastLoggedZxid();
        long rest = member.connectedMask() & quorum.votersMask() & ~learnerMask & ~myBit;
        while (rest != 0) {
            final int index = Long.numberOfTrailingZeros(rest);
            rest &= rest - 1;
            publisher.sendPing(ensemble.sid(index), zxid);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Learners coming and going.

    /** A learner announced itself (FOLLOWERINFO): registered, heard from now, and pinged at once. */
    public void register(final int index) {
        learnerMask |= 1L << index;
        refusedMask &= ~(1L << index);
        learners[index].heardAt(member.nowNs());
        publisher.sendPing(ensemble.sid(index), storage.lastLoggedZxid());
    }

    /**
     * True if a learner announcing itself again with the resume flag keeps its session: it is synced
     * in this established epoch, so the session on its quorum link is intact and it only announced
     * itself because its election link came back (a healed partition). It counts as heard from.
     * Restarting discovery with a serving learner made it look again, and a leader whose learners all
     * did that stepped down for nothing.
     */
    public boolean resumes(final int index, final long acceptedEpoch, final long epoch) {
        if (!isEstablished || !isLearner(index) || learners[index].phase() != Phase.SYNCED || acceptedEpoch != epoch) {
            return false;
        }
        learners[index].heardAt(member.nowNs());
        return true;
    }

    /** A learner answered a ping. */
    public void onPingAck(final int index) {
        if (isLearner(index)) {
            learners[index].heardAt(member.nowNs());
        }
    }

    /**
     * A member refused this leadership or left it (ZooKeeper's learner closes its socket): a learner's
     * sync stream stops, as when its link drops, and an early-step-down leader counts the refusal.
     */
    public void onRejected(final int index) {
        if (isLearner(index)) {
            forget(index);
        }
        learnerMask &= ~(1L << index);
        refused(index, "a quorum follows another leader");
    }

    /** The learner's quorum link dropped: the relationship is over, and it announces itself afresh. */
    public void onLinkDown(final int index) {
        if (isLearner(index)) {
            forget(index);
        }
        learnerMask &= ~(1L << index);
    }

    /**
     * A not-yet-established leader under an early-step-down policy learns that a voter will not follow
     * it now (it refused, or it is LOOKING for someone else, as after a premature decision that counted
     * a vote since withdrawn, ZOOKEEPER-3109). Once the connected voters that have not refused cannot
     * form a quorum, waiting initLimit ticks for learners is pointless: look again at once.
     */
    public void refused(final int index, final String reason) {
        if (!member.isLeading() || isEstablished || !policy.isEarlyStepDown()) {
            return;
        }
        refusedMask |= 1L << index;
        final long free = (member.connectedMask() | myBit | learnerMask) & quorum.votersMask() & ~refusedMask;
        if (!quorum.containsQuorum(free)) {
            member.lookAgain(reason);
        }
    }

    /** Forgets a learner's recovery progress (it left, or it announced itself again and starts over). */
    public void forget(final int index) {
        final LearnerProgress learner = learners[index];
        if (learner.isInSync()) {
            learner.syncFailed(member.nowNs(), timing.tickNs(), timing.initLimitNs());
        }
        learner.forget();
    }

    /**
     * Ends the relationship with a learner that went silent or cannot follow: it hears a refusal, looks
     * again and rejoins.
     */
    public void drop(final int index) {
        forget(index);
        learnerMask &= ~(1L << index);
        publisher.sendLearnerReject(ensemble.sid(index));
    }

    /**
     * Ends the relationship with a learner a send to failed. The link that refused the send may refuse a
     * refusal too, so the connection is reset ({@link PeerPublisher#resetQuorumLink}): the learner sees it
     * drop, looks again and rejoins, instead of serving on without what it was not sent (ZooKeeper's
     * {@code LearnerHandler.shutdown} closes the learner's socket).
     */
    public void dropUnreachable(final int index) {
        forget(index);
        learnerMask &= ~(1L << index);
        publisher.resetQuorumLink(ensemble.sid(index));
    }

    // ------------------------------------------------------------------------------------------------
    // What the other phases read. The voter sets are derived from the records when a check runs, a loop
    // over at most 64 records, once per recovery message: never per write.

    /** The record of member {@code index}; meaningful while it is a learner, or while it waits for us to lead. */
    public LearnerProgress learner(final int index) {
        return learners[index];
    }

    /** The members registered as learners (member index mask). */
    public long learnerMask() {
        return learnerMask;
    }

    public boolean isLearner(final int index) {
        return (learnerMask & (1L << index)) != 0;
    }

    /** Voters that reported to this leadership (FOLLOWERINFO): while the epoch is not fixed, its reporters. */
    public long reportedVoters() {
        long mask = 0;
        for (final LearnerProgress learner : learners) {
            if (learner.phase() != Phase.NONE && quorum.isVoter(learner.index())) {
                mask |= 1L << learner.index();
            }
        }
        return mask;
    }

    /**
     * Learners that reported to this leadership, observers included: ZooKeeper's {@code Leader.getEpochToPropose}
     * raises the epoch above every connecting learner's accepted epoch, but counts only participants.
     */
    public long reportedLearners() {
        long mask = 0;
        for (final LearnerProgress learner : learners) {
            if (learner.phase() != Phase.NONE) {
                mask |= 1L << learner.index();
            }
        }
        return mask;
    }

    /** Voters whose ACKEPOCH counts towards the epoch: acknowledged with their current epoch, not -1. */
    public long epochAckVoters() {
        long mask = 0;
        for (final LearnerProgress learner : learners) {
            if (learner.phase().compareTo(Phase.EPOCH_ACKED) >= 0 && learner.currentEpoch() != -1
                && quorum.isVoter(learner.index())) {
                mask |= 1L << learner.index();
            }
        }
        return mask;
    }

    /** Voters in {@code phase}. */
    public long votersIn(final Phase phase) {
        long mask = 0;
        for (final LearnerProgress learner : learners) {
            if (learner.phase() == phase && quorum.isVoter(learner.index())) {
                mask |= 1L << learner.index();
            }
        }
        return mask;
    }

    /** A registered learner is in {@code phase}. */
    public boolean hasLearnerIn(final Phase phase) {
        for (long rest = learnerMask; rest != 0; rest &= rest - 1) {
            if (learners[Long.numberOfTrailingZeros(rest)].phase() == phase) {
                return true;
            }
        }
        return false;
    }

    /** A registered learner is not synced, or has not acknowledged everything up to {@code zxid}. */
    public boolean hasLearnerBehind(final long zxid) {
        for (long rest = learnerMask; rest != 0; rest &= rest - 1) {
            final LearnerProgress learner = learners[Long.numberOfTrailingZeros(rest)];
            if (learner.phase() != Phase.SYNCED || learner.ackedZxid() < zxid) {
                return true;
            }
        }
        return false;
    }
}
