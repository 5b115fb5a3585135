package io.electionbench.core.election;

/**
 * Learns the outcome of each write offered to an agent ({@link InboundMessages#offerWrite}), on the
 * agent thread. Implementations must not block; the transport hands the answer to the client's
 * connection.
 */
@FunctionalInterface
public interface WriteListener {
    WriteListener NONE = (requestId, status, zxid, leaderSid) -> {
    };

    /** Logged by the leader and a quorum: durable across any minority of failures. {@code zxid} names it. */
    int COMMITTED = 0;
    /** This node does not lead; {@code leaderSid} is the leader it follows, -1 when it knows none. */
    int NOT_LEADER = 1;
    /** This node leads but its epoch is not established yet (no quorum synced): retry shortly. */
    int NOT_READY = 2;
    /** Too many writes outstanding; retry after some complete. */
    int BUSY = 3;
    /**
     * The leader stopped leading after proposing it ({@code zxid}) and before a quorum acknowledged:
     * the write may or may not survive. Never counted as acknowledged.
     */
    int UNKNOWN = 4;
    /** The payload exceeds {@link MemberAgent#MAX_WRITE_BYTES}. */
    int TOO_LARGE = 5;

    void onWriteResult(long requestId, int status, long zxid, long leaderSid);

    static String statusName(final int status) {
        switch (status) {
            case COMMITTED:
                return "committed";
            case NOT_LEADER:
                return "not-leader";
            case NOT_READY:
                return "not-ready";
            case BUSY:
                return "busy";
            case UNKNOWN:
                return "unknown";
            case TOO_LARGE:
                return "too-large";
            default:
                return "status-" + status;
        }
    }
}
