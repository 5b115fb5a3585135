package io.electionbench.core.sim.check;

/** An invariant that failed in a simulation, at a virtual time. */
public final class Violation {
    private final long timeNs;
    private final String invariant;
    private final String detail;

    public Violation(final long timeNs, final String invariant, final String detail) {
        this.timeNs = timeNs;
        this.invariant = invariant;
        this.detail = detail;
    }

    public long timeNs() {
        return timeNs;
    }

    /** A short stable name: {@code two-leaders}, {@code leader-completeness}, {@code liveness}, ... */
    public String invariant() {
        return invariant;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return String.format("t=%.3fms %s: %s", timeNs / 1e6, invariant, detail);
    }
}
