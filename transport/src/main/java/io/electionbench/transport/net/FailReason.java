package io.electionbench.transport.net;

import java.io.IOException;
import java.util.Locale;

import javax.net.ssl.SSLException;

/**
 * Why an exception closed a connection (after or during its handshake); a metric label each
 * ({@code connections_failed{reason}}). Refusals for what a peer sent are {@link RefuseReason}s and
 * bad frames {@link io.electionbench.transport.wire.WireError}s; these are what is left.
 */
public enum FailReason {
    /** The socket failed: reset by the peer, broken pipe, a read or write error. */
    IO_ERROR,
    /** TLS failed on an established connection (a bad record, an alert); a failed TLS handshake is a refusal. */
    TLS_ERROR,
    /** Any other exception out of a handler: a bug, since every decoder is total. */
    HANDLER_ERROR;

    private static final int MAX_REASON_CHARS = 200;

    private final String metricName = name().toLowerCase(Locale.ROOT);

    public String metricName() {
        return metricName;
    }

    /** The reason for {@code cause}: TLS anywhere in its chain first, then an I/O error, else a handler error. */
    public static FailReason of(final Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException) {
                return TLS_ERROR;
            }
        }
        return cause instanceof IOException ? IO_ERROR : HANDLER_ERROR;
    }

    /**
     * The innermost message, at most {@value #MAX_REASON_CHARS} characters: SslHandler wraps the JDK's
     * reason (e.g. "PKIX path building failed") in DecoderExceptions, and NotSslRecordException
     * hex-dumps whatever a plain-text peer sent, so a hostile one would decide the line's length.
     */
    static String rootMessage(final Throwable cause) {
        Throwable t = cause;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        final String message = t == cause ? String.valueOf(cause) : cause.getClass().getSimpleName() + ": " + t;
        return message.length() <= MAX_REASON_CHARS ? message : message.substring(0, MAX_REASON_CHARS) + "...";
    }
}
