package io.electionbench.loadgen.write;

/**
 * When each write of a trial is due: write {@code i} at {@code startNs + i / rate}, whatever happened
 * to earlier writes. A stalled ensemble does not slow the schedule down, it builds a backlog, which is
 * what real clients do to a service that stops answering (open loop). A write's latency counts from
 * this intended time, not from when it could finally be sent: that is the coordinated-omission
 * correction (a closed-loop writer that waits for each answer would record one slow write for a
 * 300 ms stall where an open-loop client population sees a whole stall's worth of slow writes, from
 * 300 ms down to nothing). Pure: tested without sockets.
 */
public final class OpenLoopSchedule {
    private final long startNs;
    private final double intervalNs;

    /**
     * @param startNs   when write 0 is due, on the writer's clock
     * @param ratePerS  writes per second, above 0
     */
    public OpenLoopSchedule(final long startNs, final double ratePerS) {
        if (!(ratePerS > 0) || Double.isInfinite(ratePerS)) {
            throw new IllegalArgumentException("write rate must be a positive number, got " + ratePerS);
        }
        this.startNs = startNs;
        this.intervalNs = 1e9 / ratePerS;
    }

    public long startNs() {
        return startNs;
    }

    /** The intended time of write {@code index} (0-based). */
    public long intendedNs(final long index) {
        return startNs + (long)(index * intervalNs);
    }

    /** How many writes are due at {@code nowNs}: those with {@code intendedNs(i) <= nowNs}. */
    public long dueBy(final long nowNs) {
        if (nowNs - startNs < 0) {
            return 0;
        }
        long n = (long)((nowNs - startNs) / intervalNs) + 1;
        while (n > 0 && intendedNs(n - 1) - nowNs > 0) {
            n--;
        }
        while (intendedNs(n) - nowNs <= 0) {
            n++;
        }
        return n;
    }
}
