package io.electionbench.transport.node;

/**
 * One state change (or the start of serving), as streamed by {@code GET /events}: one JSON object per
 * line with the member's monotonic timestamp ({@code System.nanoTime()}, comparable across members
 * on the same host).
 */
public final class NodeEvent {
    private final long timestampNs;
    private final long sid;
    private final String from;
    private final String to;
    private final long leader;
    private final long electionEpoch;
    private final String reason;

    public NodeEvent(final long timestampNs, final long sid, final String from, final String to, final long leader,
        final long electionEpoch, final String reason) {
        this.timestampNs = timestampNs;
        this.sid = sid;
        this.from = from;
        this.to = to;
        this.leader = leader;
        this.electionEpoch = electionEpoch;
        this.reason = reason;
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

    /** {@code {"ts","sid","from","to","leader","electionEpoch","reason"}}. */
    public String toJson() {
        return "{\"ts\":" + timestampNs + ",\"sid\":" + sid + ",\"from\":\"" + from + "\",\"to\":\"" + to
            + "\",\"leader\":" + leader + ",\"electionEpoch\":" + electionEpoch + ",\"reason\":\"" + escape(reason) + "\"}";
    }

    static String escape(final String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return toJson();
    }
}
