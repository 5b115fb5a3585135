package io.electionbench.loadgen.run;

import java.util.concurrent.TimeUnit;

/**
 * The client sessions of every cell on a real target (docs/loadgen.md, "Failover as clients see it"):
 * how many, their session timeout, and the operations per second each issues, half reads and half writes,
 * open loop. Validated once, where the flags are parsed. At the default rate each kind runs at 10 a second per
 * session, so an unavailability is known to 100 ms while the session is healthy (and to the probe backoff
 * once it is not, see {@link ClientStream}).
 *
 * @param sessions         client sessions per cell; 0 for none
 * @param sessionTimeoutMs ZooKeeper's session timeout; our nodes' clients give up on a silent server after
 *                         two thirds of it, as ZooKeeper's client does ({@code ClientCnxn}'s read timeout)
 * @param ratePerS         operations a second per session, reads and writes alike
 */
public record ClientLoad(int sessions, int sessionTimeoutMs, double ratePerS) {
    public static final int DEFAULT_SESSION_TIMEOUT_MS = 4_000;
    public static final double DEFAULT_RATE_PER_S = 20;
    /** ZooKeeper's client runs two threads per session; a thousand is plenty for a laptop. */
    public static final int MAX_SESSIONS = 1_000;
    public static final int MIN_SESSION_TIMEOUT_MS = 100;
    public static final int MAX_SESSION_TIMEOUT_MS = 600_000;
    public static final double MAX_RATE_PER_S = 1_000;
    public static final ClientLoad NONE = new ClientLoad(0, DEFAULT_SESSION_TIMEOUT_MS, DEFAULT_RATE_PER_S);

    /**
     * @throws IllegalArgumentException one line naming the flag that is out of range
     */
    public ClientLoad {
        if (sessions < 0 || sessions > MAX_SESSIONS) {
            throw new IllegalArgumentException("--clients " + sessions + " is not in 0.." + MAX_SESSIONS);
        }
        if (sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS || sessionTimeoutMs > MAX_SESSION_TIMEOUT_MS) {
            throw new IllegalArgumentException("--session-timeout " + sessionTimeoutMs + " is not in "
                + MIN_SESSION_TIMEOUT_MS + ".." + MAX_SESSION_TIMEOUT_MS + " ms");
        }
        if (!(ratePerS > 0) || ratePerS > MAX_RATE_PER_S) {
            throw new IllegalArgumentException("--client-rate " + ratePerS + " is not above 0 and at most "
                + MAX_RATE_PER_S + " operations per second per session");
        }
    }

    public boolean isActive() {
        return sessions > 0;
    }

    /** Reads a second per session, and as many writes. */
    double perKindRatePerS() {
        return ratePerS / 2;
    }

    /** How long a server may hold an answer before the client gives up on it: ZooKeeper's read timeout. */
    long readTimeoutNs() {
        return TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs) * 2 / 3;
    }
}
