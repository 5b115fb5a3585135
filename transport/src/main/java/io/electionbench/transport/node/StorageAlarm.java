package io.electionbench.transport.node;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what the agent records about a failing disk ({@code ElectionObserver.onStorageFailure} and
 * {@code onStorageRecovered}), bounded: the first failure is one ERROR line naming what failed, the file
 * or directory and the cause (no stack trace); the failed probes after it are counted and summed up in
 * one WARN line at most every {@link #INTERVAL_NS}; the probe that succeeds is one WARN line with the
 * count. A disk that keeps failing again soon after a probe passed (room for the probe, not for what
 * follows) gets no more than one failure line and one recovery line per {@link #INTERVAL_NS}, each with
 * the count of what was left out. The agent probes at most once per tick, backing off to initLimit, so
 * this is called rarely. Agent thread only (plain fields); see docs/storage.md, "When the disk fails".
 */
final class StorageAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionNode.class);
    /** At most one failure line and one recovery line per this interval, after the first of each. */
    static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(60);

    private final long sid;
    private final Path dataDir;
    private boolean hasLoggedFailure;
    private long lastFailureLineNs;
    private long unloggedFailures;
    private boolean hasLoggedRecovery;
    private long lastRecoveryLineNs;
    private long unloggedRecoveries;
    /** Read by the admin endpoint's metrics. */
    private volatile long failures;
    private volatile boolean isFailing;

    StorageAlarm(final long sid, final Path dataDir) {
        this.sid = sid;
        this.dataDir = dataDir;
    }

    void onFailure(final String reason, final RuntimeException cause, final long failuresInRow, final long retryNs,
        final long nowNs) {
        failures++;
        isFailing = true;
        final boolean isDue = !hasLoggedFailure || nowNs - lastFailureLineNs >= INTERVAL_NS;
        if (!isDue) {
            unloggedFailures++;
        } else if (failuresInRow == 1) {
            LOG.error("node {}: {}: {}; it takes no part in elections until a write to {} succeeds "
                + "(next try in {} ms){}", sid, reason, describe(cause), dataDir,
                TimeUnit.NANOSECONDS.toMillis(retryNs), leftOut());
            logged(nowNs);
        } else {
            LOG.warn("node {}: storage still fails ({} more failed tries in {} s; last: {}); out of elections, "
                + "next try in {} ms",
                sid, unloggedFailures + 1, TimeUnit.NANOSECONDS.toSeconds(nowNs - lastFailureLineNs), describe(cause),
                TimeUnit.NANOSECONDS.toMillis(retryNs));
            logged(nowNs);
        }
    }

    void onRecovered(final long failuresInRow, final long failedSinceNs, final long nowNs) {
        isFailing = false;
        if (hasLoggedRecovery && nowNs - lastRecoveryLineNs < INTERVAL_NS) {
            unloggedRecoveries++;
            return;
        }
        LOG.warn("node {}: storage accepts writes again after {} failed tries over {} ms; taking part in elections "
            + "again{}",
            sid, failuresInRow, TimeUnit.NANOSECONDS.toMillis(nowNs - failedSinceNs),
            unloggedRecoveries == 0 ? "" : " (" + unloggedRecoveries + " earlier recoveries not logged)");
        hasLoggedRecovery = true;
        lastRecoveryLineNs = nowNs;
        unloggedRecoveries = 0;
    }

    private String leftOut() {
        return unloggedFailures == 0 ? "" : " (" + unloggedFailures + " failures not logged since the last line)";
    }

    private void logged(final long nowNs) {
        hasLoggedFailure = true;
        lastFailureLineNs = nowNs;
        unloggedFailures = 0;
    }

    long failures() {
        return failures;
    }

    boolean isFailing() {
        return isFailing;
    }

    /** The exception's message (which names the file or directory) and its causes' messages, without a trace. */
    static String describe(final Throwable cause) {
        final StringBuilder sb = new StringBuilder(String.valueOf(cause.getMessage()));
        Throwable inner = cause.getCause();
        for (int depth = 0; inner != null && depth < 4; depth++, inner = inner.getCause()) {
            sb.append(": ").append(inner.getMessage() == null ? inner.getClass().getSimpleName() : inner.getMessage());
        }
        return sb.toString();
    }
}
