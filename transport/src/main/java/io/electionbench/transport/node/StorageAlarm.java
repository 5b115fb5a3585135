package io.electionbench.transport.node;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says what the agent records about a failing disk ({@code ElectionObserver.onStorageFailure} and
 * {@code onStorageRecovered}), bounded: the first failure of a stretch is one ERROR line naming what
 * failed, the file or directory and the cause (no stack trace); the failed probes after it are counted
 * and summed up in one WARN line at most every {@link #REMINDER_INTERVAL_NS}; the probe that succeeds is
 * one WARN line with the count. The agent probes at most once per tick, backing off to initLimit, so this
 * is called rarely. Agent thread only (plain fields); see docs/storage.md, "When the disk fails".
 */
final class StorageAlarm {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionNode.class);
    /** A member still out of elections says so again, with the count, at most this often. */
    static final long REMINDER_INTERVAL_NS = TimeUnit.SECONDS.toNanos(60);

    private final long sid;
    private final Path dataDir;
    private long lastLineNs;
    private long unreported;
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
        if (failuresInRow == 1) {
            lastLineNs = nowNs;
            unreported = 0;
            LOG.error("node {}: {}: {}; it takes no part in elections until a write to {} succeeds (next try in {} ms)",
                sid, reason, describe(cause), dataDir, TimeUnit.NANOSECONDS.toMillis(retryNs));
            return;
        }
        unreported++;
        if (nowNs - lastLineNs >= REMINDER_INTERVAL_NS) {
            LOG.warn("node {}: storage still fails ({} more failed tries in {} s; last: {}); out of elections, "
                + "next try in {} ms",
                sid, unreported, TimeUnit.NANOSECONDS.toSeconds(nowNs - lastLineNs), describe(cause),
                TimeUnit.NANOSECONDS.toMillis(retryNs));
            lastLineNs = nowNs;
            unreported = 0;
        }
    }

    void onRecovered(final long failuresInRow, final long failedSinceNs, final long nowNs) {
        isFailing = false;
        LOG.warn("node {}: storage accepts writes again after {} failed tries over {} ms; taking part in elections "
            + "again",
            sid, failuresInRow, TimeUnit.NANOSECONDS.toMillis(nowNs - failedSinceNs));
        unreported = 0;
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
