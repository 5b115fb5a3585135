package io.electionbench.transport.node;

import io.electionbench.core.Zxid;

/**
 * One state change (or the start of serving), one completed sync, or one recovery phase change, as
 * streamed by {@code GET /events}: one JSON object per line with the member's monotonic timestamp
 * ({@code System.nanoTime()}, comparable across members on the same host). State events keep their
 * original shape (no {@code kind} field); a sync event has {@code "kind":"synced"} and a phase event
 * {@code "kind":"phase"}, and each is sent only to subscribers that ask for its kind
 * ({@code ?kinds=state,synced,phase}), so older readers never see them.
 */
public final class NodeEvent {
    /** The kind of a sync event in JSON and in {@code ?kinds=}. */
    public static final String SYNCED = "synced";
    /** The kind of a recovery phase event in JSON and in {@code ?kinds=}. */
    public static final String PHASE = "phase";
    /** A phase event's {@code learner} when the phase is the member's own step as a learner. */
    public static final long SELF = -1;

    private final long timestampNs;
    private final long sid;
    private final String from;
    private final String to;
    private final long leader;
    private final long electionEpoch;
    private final String reason;
    /** A sync event's details, null for other events. */
    private final SyncDetail sync;
    private final String phase;
    private final long learner;

    /** What a sync event adds: the mode, where the learner's history ends, what moved and how long it took. */
    private record SyncDetail(String mode, long lastZxid, long txns, long bytes, long durationNs) {
    }

    public NodeEvent(final long timestampNs, final long sid, final String from, final String to, final long leader,
        final long electionEpoch, final String reason) {
        this(timestampNs, sid, from, to, leader, electionEpoch, reason, null, null, 0);
    }

    private NodeEvent(final long timestampNs, final long sid, final String from, final String to, final long leader,
        final long electionEpoch, final String reason, final SyncDetail sync, final String phase, final long learner) {
        this.timestampNs = timestampNs;
        this.sid = sid;
        this.from = from;
        this.to = to;
        this.leader = leader;
        this.electionEpoch = electionEpoch;
        this.reason = reason;
        this.sync = sync;
        this.phase = phase;
        this.learner = learner;
    }

    /**
     * A recovery phase as of the end of the agent's duty cycle at {@code timestampNs}: the member's own
     * step as a learner ({@code learner} {@link #SELF}, {@code Follower.Step}) or, on a leader, its view of
     * learner {@code learner} ({@code LearnerProgress.Phase}; {@code NONE} when the leader forgot it).
     */
    public static NodeEvent phase(final long timestampNs, final long sid, final long leader, final long learner,
        final String phase) {
        return new NodeEvent(timestampNs, sid, null, null, leader, 0, PHASE, null, phase, learner);
    }

    /** True for a recovery phase event. */
    public boolean isPhase() {
        return phase != null;
    }

    /** The phase or step of a phase event, null for other events. */
    public String phaseName() {
        return phase;
    }

    /** A phase event's learner: its sid, or {@link #SELF}. */
    public long learner() {
        return learner;
    }

    /**
     * A learner logged its leader's sync stream and acknowledged NEWLEADER at {@code timestampNs}
     * (the agent's {@code onSynced}).
     *
     * @param epoch      the learner's new current epoch
     * @param durationNs from the stream's first message (SYNC_START) to the NEWLEADER ACK
     */
    public static NodeEvent synced(final long timestampNs, final long sid, final long leader, final long epoch,
        final String mode, final long lastZxid, final long txns, final long bytes, final long durationNs) {
        return new NodeEvent(timestampNs, sid, null, null, leader, epoch, SYNCED,
            new SyncDetail(mode, lastZxid, txns, bytes, durationNs), null, 0);
    }

    /** True for a sync event, false for a state change or the start of serving. */
    public boolean isSynced() {
        return sync != null;
    }

    public long timestampNs() {
        return timestampNs;
    }

    public String from() {
        return from;
    }

    public String to() {
        return to;
    }

    public long leader() {
        return leader;
    }

    public String reason() {
        return reason;
    }

    /**
     * A state event: {@code {"ts","sid","from","to","leader","electionEpoch","reason"}}; a sync event:
     * {@code {"ts","sid","kind":"synced","leader","epoch","mode","lastZxid":"E:C","txns","bytes","durationNs"}};
     * a phase event: {@code {"ts","sid","kind":"phase","leader","step"}} for the member's own step, or
     * {@code {"ts","sid","kind":"phase","leader","learner","phase"}} for a leader's view of a learner.
     */
    public String toJson() {
        if (phase != null) {
            return "{\"ts\":" + timestampNs + ",\"sid\":" + sid + ",\"kind\":\"" + PHASE + "\",\"leader\":" + leader
                + (learner == SELF ? ",\"step\":\"" : ",\"learner\":" + learner + ",\"phase\":\"") + phase + "\"}";
        }
        if (sync != null) {
            return "{\"ts\":" + timestampNs + ",\"sid\":" + sid + ",\"kind\":\"" + SYNCED + "\",\"leader\":" + leader
                + ",\"epoch\":" + electionEpoch + ",\"mode\":\"" + sync.mode()
                + "\",\"lastZxid\":\"" + Zxid.toString(sync.lastZxid())
                + "\",\"txns\":" + sync.txns() + ",\"bytes\":" + sync.bytes() + ",\"durationNs\":" + sync.durationNs()
                + "}";
        }
        return "{\"ts\":" + timestampNs + ",\"sid\":" + sid + ",\"from\":\"" + from + "\",\"to\":\"" + to
            + "\",\"leader\":" + leader + ",\"electionEpoch\":" + electionEpoch
            + ",\"reason\":\"" + escape(reason) + "\"}";
    }

    static String escape(final String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return toJson();
    }
}
