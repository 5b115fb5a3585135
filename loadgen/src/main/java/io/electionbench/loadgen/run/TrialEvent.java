package io.electionbench.loadgen.run;

/**
 * A state change reported by a node, stamped with the node's monotonic clock (System.nanoTime, which
 * is CLOCK_MONOTONIC and shared by every process on the host; virtual time on the simulator).
 *
 * @param state LOOKING, FOLLOWING, LEADING, OBSERVING, or SERVING (the node started serving in its state)
 */
public record TrialEvent(long sid, long tsNs, String state, long leader) {
    public static final String SERVING = "SERVING";
}
