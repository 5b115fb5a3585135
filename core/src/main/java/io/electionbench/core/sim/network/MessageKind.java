package io.electionbench.core.sim.network;

import java.util.Locale;

/**
 * The kinds of message a scenario's message faults name ({@code drop 1->3 notification 2}): an election
 * notification, or one of the quorum messages of ZooKeeper's {@code Leader} packet types as this
 * project carries them. Connection events are no message and never faulted.
 */
public enum MessageKind {
    NOTIFICATION("notification"),
    /** FOLLOWERINFO or OBSERVERINFO. */
    LEARNER_INFO("learnerinfo"),
    LEARNER_REJECT("learnerreject"),
    LEADER_INFO("leaderinfo"),
    ACK_EPOCH("ackepoch"),
    /** The start of a sync stream: DIFF, TRUNC or SNAP. */
    SYNC_START("sync"),
    SNAPSHOT_CHUNK("snapchunk"),
    PROPOSAL("proposal"),
    NEW_LEADER("newleader"),
    ACK("ack"),
    COMMIT("commit"),
    UP_TO_DATE("uptodate"),
    PING("ping"),
    PING_ACK("pingack");

    private final String token;

    MessageKind(final String token) {
        this.token = token;
    }

    /** The word a scenario writes for this kind. */
    public String token() {
        return token;
    }

    /**
     * The kind a scenario word names, case-insensitively.
     *
     * @throws IllegalArgumentException naming every kind when none matches
     */
    public static MessageKind parse(final String word) {
        final String lower = word.toLowerCase(Locale.ROOT);
        for (final MessageKind k : values()) {
            if (k.token.equals(lower)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown message kind '" + word + "' (expected one of: " + tokens() + ")");
    }

    /** Every kind's word, comma-separated. */
    public static String tokens() {
        final StringBuilder sb = new StringBuilder();
        for (final MessageKind k : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(k.token);
        }
        return sb.toString();
    }
}
