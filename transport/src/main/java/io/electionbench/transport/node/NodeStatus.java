package io.electionbench.transport.node;

import java.util.Arrays;

import io.electionbench.core.Zxid;
import io.electionbench.core.zab.LearnerProgress;

/**
 * An immutable snapshot of a member's election and recovery state, built on the agent thread when
 * something changed and published through a volatile field; the admin endpoint reads it without locks.
 *
 * <p>{@code epoch} is the peer epoch of the vote the member decided for (the elected leader's
 * epoch, identical on every member that follows it), or the member's currentEpoch while LOOKING;
 * {@code electionEpoch} is the round of that decision, or the current round while LOOKING;
 * {@code since} is the monotonic time ({@code System.nanoTime()}) of the last state change.
 * {@code serving} is true only between the agent's {@code onServing} (a leader's epoch established by
 * a quorum, or a learner's UPTODATE) and its next state change. {@code learnerStep} is a learner's
 * own step through recovery and {@code learners} a leader's view of each of its learners
 * ({@code Follower.Step}, {@code LearnerProgress.Phase}).
 */
public final class NodeStatus {
    private final long sid;
    private final String state;
    private final long leader;
    private final long epoch;
    private final long lastZxid;
    private final long commitZxid;
    private final long electionEpoch;
    private final boolean isServing;
    private final long sinceNs;
    private final String policy;
    private final long decisions;
    private final long electionRounds;
    private final long lastElectionNs;
    private final long acceptedEpoch;
    private final long currentEpoch;
    private final String syncMode;
    private final long syncsReceived;
    private final long syncTxnsReceived;
    private final long syncBytesReceived;
    private final long lastSyncNs;
    private final long syncTxnsSent;
    private final long syncBytesSent;
    private final long writesCommitted;
    private final String learnerStep;
    /** The leader's learners and their phases, in member order; empty unless leading. */
    private final long[] learnerSids;
    private final LearnerProgress.Phase[] learnerPhases;

    private NodeStatus(final Builder b) {
        this.sid = b.sid;
        this.state = b.state;
        this.leader = b.leader;
        this.epoch = b.epoch;
        this.lastZxid = b.lastZxid;
        this.commitZxid = b.commitZxid;
        this.electionEpoch = b.electionEpoch;
        this.isServing = b.isServing;
        this.sinceNs = b.sinceNs;
        this.policy = b.policy;
        this.decisions = b.decisions;
        this.electionRounds = b.electionRounds;
        this.lastElectionNs = b.lastElectionNs;
        this.acceptedEpoch = b.acceptedEpoch;
        this.currentEpoch = b.currentEpoch;
        this.syncMode = b.syncMode;
        this.syncsReceived = b.syncsReceived;
        this.syncTxnsReceived = b.syncTxnsReceived;
        this.syncBytesReceived = b.syncBytesReceived;
        this.lastSyncNs = b.lastSyncNs;
        this.syncTxnsSent = b.syncTxnsSent;
        this.syncBytesSent = b.syncBytesSent;
        this.writesCommitted = b.writesCommitted;
        this.learnerStep = b.learnerStep;
        this.learnerSids = Arrays.copyOf(b.learnerSids, b.learnerCount);
        this.learnerPhases = Arrays.copyOf(b.learnerPhases, b.learnerCount);
    }

    /** The status before the agent's first duty cycle. */
    static NodeStatus starting(final long sid, final String policy) {
        final Builder b = new Builder();
        b.sid = sid;
        b.policy = policy;
        b.sinceNs = System.nanoTime();
        return b.build();
    }

    public long sid() {
        return sid;
    }

    /** LOOKING, FOLLOWING, LEADING, OBSERVING, or STARTING before the first duty cycle. */
    public String state() {
        return state;
    }

    /** The leader this member follows or is; -1 while LOOKING. */
    public long leader() {
        return leader;
    }

    public long epoch() {
        return epoch;
    }

    /** The last zxid of the member's txn log (0 when empty); {@code zxid} and {@code lastZxid} in JSON. */
    public long zxid() {
        return lastZxid;
    }

    /** Committed up to this zxid as far as the member knows (a leader decides it; a learner hears it). */
    public long commitZxid() {
        return commitZxid;
    }

    public long electionEpoch() {
        return electionEpoch;
    }

    /** True from the agent's {@code onServing} until its next state change. */
    public boolean isServing() {
        return isServing;
    }

    public long sinceNs() {
        return sinceNs;
    }

    public String policy() {
        return policy;
    }

    /** Elections this member decided. */
    public long decisions() {
        return decisions;
    }

    /** Times this member started looking. */
    public long electionRounds() {
        return electionRounds;
    }

    /** Duration of the last election, LOOKING to decision. */
    public long lastElectionNs() {
        return lastElectionNs;
    }

    public long acceptedEpoch() {
        return acceptedEpoch;
    }

    public long currentEpoch() {
        return currentEpoch;
    }

    /** DIFF, TRUNC or SNAP: how a leader last synced this member; null if never. */
    public String syncMode() {
        return syncMode;
    }

    /** Sync streams this member received and acknowledged (NEWLEADER ACKs). */
    public long syncsReceived() {
        return syncsReceived;
    }

    public long syncTxnsReceived() {
        return syncTxnsReceived;
    }

    public long syncBytesReceived() {
        return syncBytesReceived;
    }

    /** Duration of the last sync received, from its first message to the NEWLEADER ACK. */
    public long lastSyncNs() {
        return lastSyncNs;
    }

    public long syncTxnsSent() {
        return syncTxnsSent;
    }

    public long syncBytesSent() {
        return syncBytesSent;
    }

    /** Writes this member committed as leader. */
    public long writesCommitted() {
        return writesCommitted;
    }

    /** A learner's own step through recovery (NONE unless FOLLOWING or OBSERVING); {@code learnerStep} in JSON. */
    public String learnerStep() {
        return learnerStep;
    }

    /** How many learners a leader has; {@code learners} in JSON. */
    int learnerCount() {
        return learnerSids.length;
    }

    long learnerSid(final int i) {
        return learnerSids[i];
    }

    LearnerProgress.Phase learnerPhaseAt(final int i) {
        return learnerPhases[i];
    }

    /** A leader's view of learner {@code sid} (INFO ... SYNCED), or null when it is not one of its learners. */
    public String learnerPhase(final long learnerSid) {
        for (int i = 0; i < learnerSids.length; i++) {
            if (learnerSids[i] == learnerSid) {
                return learnerPhases[i].name();
            }
        }
        return null;
    }

    /** The {@code GET /state} body. Fields are only ever added at the end. */
    public String toJson() {
        return "{\"sid\":" + sid + ",\"state\":\"" + state + "\",\"leader\":" + leader + ",\"epoch\":" + epoch
            + ",\"zxid\":\"" + Zxid.toString(lastZxid) + "\",\"electionEpoch\":" + electionEpoch
            + ",\"serving\":" + isServing
            + ",\"since\":" + sinceNs + ",\"policy\":\"" + policy + "\",\"elections\":" + decisions
            + ",\"electionRounds\":" + electionRounds + ",\"lastElectionNs\":" + lastElectionNs
            + ",\"lastZxid\":\"" + Zxid.toString(lastZxid) + "\",\"commitZxid\":\"" + Zxid.toString(commitZxid)
            + "\",\"syncMode\":" + (syncMode == null ? "null" : "\"" + syncMode + "\"")
            + ",\"acceptedEpoch\":" + acceptedEpoch + ",\"currentEpoch\":" + currentEpoch
            + ",\"learnerStep\":\"" + learnerStep + "\",\"learners\":" + learnersJson() + "}";
    }

    private String learnersJson() {
        final StringBuilder json = new StringBuilder("{");
        for (int i = 0; i < learnerSids.length; i++) {
            json.append(i == 0 ? "\"" : ",\"").append(learnerSids[i])
                .append("\":\"").append(learnerPhases[i].name()).append('"');
        }
        return json.append('}').toString();
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** Filled on the agent thread, then frozen by {@link #build()}. */
    static final class Builder {
        long sid;
        String state = "STARTING";
        long leader = -1;
        long epoch;
        long lastZxid;
        long commitZxid;
        long electionEpoch;
        boolean isServing;
        long sinceNs;
        String policy;
        long decisions;
        long electionRounds;
        long lastElectionNs;
        long acceptedEpoch;
        long currentEpoch;
        String syncMode;
        long syncsReceived;
        long syncTxnsReceived;
        long syncBytesReceived;
        long lastSyncNs;
        long syncTxnsSent;
        long syncBytesSent;
        long writesCommitted;
        String learnerStep = "NONE";
        int learnerCount;
        long[] learnerSids = new long[0];
        LearnerProgress.Phase[] learnerPhases = new LearnerProgress.Phase[0];

        /** Room for {@code members} learners (the ensemble's size). */
        void members(final int members) {
            learnerSids = new long[members];
            learnerPhases = new LearnerProgress.Phase[members];
        }

        NodeStatus build() {
            return new NodeStatus(this);
        }
    }
}
