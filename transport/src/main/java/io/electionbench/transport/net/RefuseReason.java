package io.electionbench.transport.net;

import java.util.Locale;

/**
 * Why an incoming or outgoing connection was closed during its handshake, or a write client's
 * before its first whole frame; a metric label each.
 */
public enum RefuseReason {
    /** A fatal header decode error (its {@link io.electionbench.transport.wire.WireError} is counted too). */
    BAD_HEADER,
    /** The sid is not a member of the ensemble. */
    UNKNOWN_SID,
    /** The peer claims our own sid. */
    SELF_SID,
    /** Nothing (or not enough) arrived within the handshake deadline. */
    HANDSHAKE_TIMEOUT,
    /** The peer closed the connection before finishing its header or authentication. */
    TRUNCATED_HANDSHAKE,
    /** The HMAC challenge-response failed. */
    AUTH_FAILED,
    /** A quorum-port connection from a smaller sid (only the larger sid dials that port). */
    WRONG_DIRECTION,
    /** The TLS handshake failed: an untrusted or unverifiable certificate, or a plain-text peer on a TLS port. */
    TLS_HANDSHAKE_FAILED,
    /** A write client on the quorum port of a node that has not enabled client writes. */
    CLIENT_WRITES_DISABLED,
    /** A write client from a source address that already has {@code maxClientCnxns} client connections open. */
    MAX_CLIENT_CNXNS,
    /** A write client while {@code maxCnxns} client connections are open in all. */
    MAX_CNXNS,
    /**
     * A write client that finished no frame within {@code handshakeTimeoutMs} of its handshake, or
     * started one and did not finish it within that time.
     */
    CLIENT_FRAME_TIMEOUT,
    /**
     * An election-port header with ZooKeeper's legacy observer id (Long.MAX_VALUE): the peer gets a
     * temporary id below every member's, and the tie-break closes the connection, as in ZooKeeper.
     */
    LEGACY_OBSERVER_ID,
    /**
     * A real ZooKeeper learner's FOLLOWERINFO or OBSERVERINFO on the quorum port: a member's connection
     * is held unanswered until the handshake deadline, anyone else's closed.
     */
    ZOOKEEPER_LEARNER;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    public String metricName() {
        return metricName;
    }
}
