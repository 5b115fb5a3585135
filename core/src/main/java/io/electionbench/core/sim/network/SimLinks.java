package io.electionbench.core.sim.network;

/**
 * Every simulated link as its sender sees it, so that the simulator's publisher keeps the
 * {@link io.electionbench.core.election.PeerPublisher} contract: whether the sender holds a quorum
 * connection (it opens when the sender is told PEER_CONNECTED and closes when it is told of a reset),
 * and how much each link holds: messages on their way, and quorum messages sent into a cut, which
 * stay queued until the link resets, as TCP keeps unacknowledged data. The limits are the
 * {@link NetworkModel}'s. Counts what was refused ({@link SendFailure}). Simulator thread only.
 */
final class SimLinks {
    static final byte NOT_COUNTED = 0;
    static final byte ELECTION = 1;
    static final byte QUORUM = 2;

    private final boolean[][] isQuorumOpen;
    private final int[][] quorumOnWay;
    private final int[][] quorumStuck;
    private final int[][] electionOnWay;
    private final boolean[] sawBackpressure;
    private final long[] failures = new long[SendFailure.values().length];

    SimLinks(final int size) {
        isQuorumOpen = new boolean[size][size];
        quorumOnWay = new int[size][size];
        quorumStuck = new int[size][size];
        electionOnWay = new int[size][size];
        sawBackpressure = new boolean[size];
    }

    /** True if {@code from} may hand a notification to {@code to}'s election link; counts a refusal. */
    boolean acceptsNotification(final int from, final int to, final NetworkModel network) {
        if (electionOnWay[from][to] < network.electionLinkCapacity()) {
            return true;
        }
        sawBackpressure[from] = true;
        failures[SendFailure.NOTIFICATION.ordinal()]++;
        return false;
    }

    /**
     * True if {@code from}'s quorum link to {@code to} takes one more message of {@code kind}: a
     * message that needs an open connection is refused on a closed one (the transport's
     * {@code needsLink}), and every message on a full link. Counts a refusal.
     */
    boolean acceptsQuorum(final int from, final int to, final SendFailure kind, final boolean needsOpen,
        final NetworkModel network) {
        final boolean isFull = held(from, to) >= network.quorumLinkCapacity();
        if (!isFull && (isQuorumOpen[from][to] || !needsOpen)) {
            return true;
        }
        sawBackpressure[from] |= isFull;
        failures[kind.ordinal()]++;
        return false;
    }

    /** Open and below the high water mark; counts a no. */
    boolean isWritable(final int from, final int to, final NetworkModel network) {
        if (isQuorumOpen[from][to] && held(from, to) < network.quorumHighWater()) {
            return true;
        }
        sawBackpressure[from] = true;
        failures[SendFailure.NOT_WRITABLE.ordinal()]++;
        return false;
    }

    private int held(final int from, final int to) {
        return quorumOnWay[from][to] + quorumStuck[from][to];
    }

    /** A message is on its way on the link of {@code kind} ({@link #ELECTION} or {@link #QUORUM}). */
    void sent(final SimEvent e, final byte kind) {
        e.link = kind;
        if (kind == ELECTION) {
            electionOnWay[e.from][e.to]++;
        } else if (kind == QUORUM) {
            quorumOnWay[e.from][e.to]++;
        }
    }

    /** The message left the link: delivered, or lost in a cut (then {@link #stuck} follows). */
    void arrived(final SimEvent e) {
        if (e.link == ELECTION) {
            electionOnWay[e.from][e.to]--;
        } else if (e.link == QUORUM) {
            quorumOnWay[e.from][e.to]--;
        }
        e.link = NOT_COUNTED;
    }

    /** A quorum message from {@code from} could not cross a cut to {@code to}: it waits in the link. */
    void stuck(final int from, final int to) {
        quorumStuck[from][to]++;
    }

    /** {@code at} was told its connection to {@code peer} is established. */
    void opened(final int at, final int peer) {
        isQuorumOpen[at][peer] = true;
    }

    /** True while {@code at} holds a connection to {@code peer} (told it came up, not yet that it went). */
    boolean isOpen(final int at, final int peer) {
        return isQuorumOpen[at][peer];
    }

    /** {@code at} was told its connection to {@code peer} was reset: what it had queued is gone. */
    void closed(final int at, final int peer) {
        isQuorumOpen[at][peer] = false;
        quorumStuck[at][peer] = 0;
    }

    /** A cut between {@code i} and {@code j} healed: whatever waited in it is delivered or reset now. */
    void healed(final int i, final int j) {
        quorumStuck[i][j] = 0;
        quorumStuck[j][i] = 0;
    }

    /** {@code i} starts afresh (a new process): it holds no connection and nothing queued. */
    void restarted(final int i) {
        for (int j = 0; j < isQuorumOpen.length; j++) {
            isQuorumOpen[i][j] = false;
            quorumStuck[i][j] = 0;
        }
    }

    /** True if a link refused {@code i} a send or answered it not writable since the last call. */
    boolean takeBackpressure(final int i) {
        final boolean saw = sawBackpressure[i];
        sawBackpressure[i] = false;
        return saw;
    }

    long failures(final SendFailure kind) {
        return failures[kind.ordinal()];
    }
}
