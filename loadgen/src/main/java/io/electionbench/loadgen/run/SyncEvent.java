package io.electionbench.loadgen.run;

/**
 * A learner finished a sync with its leader (the node's {@code onSynced}: GET /events kind
 * {@code synced}, or the simulator's observer), stamped like {@link TrialEvent}.
 *
 * @param tsNs       when it acknowledged NEWLEADER
 * @param mode       DIFF, TRUNC or SNAP
 * @param txns       txns received in the sync stream
 * @param bytes      payload and snapshot bytes received
 * @param durationNs from the stream's first message to the NEWLEADER ACK
 */
public record SyncEvent(long sid, long tsNs, String mode, long txns, long bytes, long durationNs) {
    /** True when the sync moved data (an empty DIFF moves none). */
    public boolean hasData() {
        return txns > 0 || bytes > 0;
    }
}
