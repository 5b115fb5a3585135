package io.electionbench.transport.net;

/**
 * Rate limit for WARN lines a remote peer can cause at will (connections that fail by the
 * thousand): at most {@link #LINES_PER_WINDOW} lines per {@link #WINDOW_NS}; the first line let
 * through after a suppressed stretch says how many were left out. Owned by one event loop thread,
 * so plain fields.
 */
public final class WarnLimiter {
    static final int LINES_PER_WINDOW = 10;
    static final long WINDOW_NS = 10_000_000_000L;

    private long windowStartNs;
    private int linesInWindow;
    private long suppressed;
    private boolean hasStarted;

    /**
     * @return -1 if this line must be suppressed (it is counted), else how many lines were suppressed
     *         since the last one let through
     */
    public long admit(final long nowNs) {
        if (!hasStarted || nowNs - windowStartNs >= WINDOW_NS) {
            hasStarted = true;
            windowStartNs = nowNs;
            linesInWindow = 0;
        }
        if (linesInWindow >= LINES_PER_WINDOW) {
            suppressed++;
            return -1;
        }
        linesInWindow++;
        final long skipped = suppressed;
        suppressed = 0;
        return skipped;
    }

    /** The suffix for a line let through after {@code skipped} suppressed ones. */
    public static String suffix(final long skipped) {
        return skipped > 0 ? " (" + skipped + " similar lines suppressed)" : "";
    }
}
