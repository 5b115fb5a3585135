package io.electionbench.transport.net;

import java.util.Locale;

/** Why an incoming or outgoing connection was closed during its handshake; a metric label each. */
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
    CLIENT_WRITES_DISABLED;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    public String metricName() {
        return metricName;
    }
}
