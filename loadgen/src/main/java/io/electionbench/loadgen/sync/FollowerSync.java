package io.electionbench.loadgen.sync;

/**
 * One lagging follower's catch-up in one trial.
 *
 * @param sid        the follower
 * @param mode       how the leader synced it: DIFF, TRUNC or SNAP
 * @param txns       txns it received in the sync stream
 * @param bytes      payload and snapshot bytes it received in the sync stream (no framing)
 * @param syncNs     from its SYNC_START to its NEWLEADER ACK, on the follower (the agent's
 *                   {@code onSynced}, published as {@code NodeStatus.lastSyncNs()})
 * @param servingNs  {@code System.nanoTime()} when the benchmark first saw the follower serve (UPTODATE
 *                   received), polling its published status every 200 us
 * @param readyNs    from the start of the follower's node to it serving: storage open, election,
 *                   discovery, sync and UPTODATE
 */
public record FollowerSync(long sid, String mode, long txns, long bytes, long syncNs, long servingNs, long readyNs) {
    public double txnsPerSecond() {
        return txns * 1e9 / syncNs;
    }

    public double bytesPerSecond() {
        return bytes * 1e9 / syncNs;
    }
}
