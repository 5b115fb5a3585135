package io.electionbench.transport.node;

import io.electionbench.core.Zxid;

/**
 * An immutable snapshot of a member's election state, built on the agent thread when something
 * changed and published through a volatile field; the admin endpoint reads it without locks.
 *
 * <p>{@code epoch} is the peer epoch of the vote the member decided for (the elected leader's
 * epoch, identical on every member that follows it), or the member's currentEpoch while LOOKING;
 * {@code electionEpoch} is the round of that decision, or the current round while LOOKING;
 * {@code since} is the monotonic time ({@code System.nanoTime()}) of the last state change.
 */
public final class NodeStatus {
    private final long sid;
    private final String state;
    private final long leader;
    private final long epoch;
    private final long zxid;
    private final long electionEpoch;
    private final boolean isServing;
    private final long sinceNs;
    private final String policy;
    private final long decisions;
    private final long electionRounds;
    private final long lastElectionNs;

    public NodeStatus(final long sid, final String state, final long leader, final long epoch, final long zxid,
        final long electionEpoch, final boolean isServing, final long sinceNs, final String policy,
        final long decisions, final long electionRounds, final long lastElectionNs) {
        this.sid = sid;
        this.state = state;
        this.leader = leader;
        this.epoch = epoch;
        this.zxid = zxid;
        this.electionEpoch = electionEpoch;
        this.isServing = isServing;
        this.sinceNs = sinceNs;
        this.policy = policy;
        this.decisions = decisions;
        this.electionRounds = electionRounds;
        this.lastElectionNs = lastElectionNs;
    }

    /** The status before the agent's first duty cycle. */
    static NodeStatus starting(final long sid, final String policy) {
        return new NodeStatus(sid, "STARTING", -1, 0, 0, 0, false, System.nanoTime(), policy, 0, 0, 0);
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

    public long zxid() {
        return zxid;
    }

    public long electionEpoch() {
        return electionEpoch;
    }

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

    /** The {@code GET /state} body. */
    public String toJson() {
        return "{\"sid\":" + sid + ",\"state\":\"" + state + "\",\"leader\":" + leader + ",\"epoch\":" + epoch
            + ",\"zxid\":\"" + Zxid.toString(zxid) + "\",\"electionEpoch\":" + electionEpoch + ",\"serving\":" + isServing
            + ",\"since\":" + sinceNs + ",\"policy\":\"" + policy + "\",\"elections\":" + decisions
            + ",\"electionRounds\":" + electionRounds + ",\"lastElectionNs\":" + lastElectionNs + "}";
    }

    @Override
    public String toString() {
        return toJson();
    }
}
