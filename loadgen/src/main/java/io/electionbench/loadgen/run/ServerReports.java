package io.electionbench.loadgen.run;

import java.util.List;

/**
 * What the servers of one trial reported about themselves, from their own logs: the elections' durations
 * by their own clock, and how the leader synced each learner that (re)joined (ZooKeeper's
 * {@code LearnerHandler.syncFollower} decision). Empty for targets that report none.
 *
 * @param electionsMs the new leaders' "LEADING - LEADER ELECTION TOOK - N MS" values
 * @param diffs       learners sent a DIFF
 * @param truncs      learners sent a TRUNC
 * @param snaps       learners sent a SNAP
 * @param syncGaps    per learner synced, the txns between its last zxid and the leader's
 *                    ({@code LearnerHandler.syncFollower}'s "Synchronizing with Learner" line: lastProcessedZxid
 *                    minus peerLastZxid), where both are of one epoch; across epochs the count is not known
 */
public record ServerReports(List<Long> electionsMs, int diffs, int truncs, int snaps, List<Long> syncGaps) {
    public static final ServerReports NONE = new ServerReports(List.of(), 0, 0, 0, List.of());

    public ServerReports {
        electionsMs = List.copyOf(electionsMs);
        syncGaps = List.copyOf(syncGaps);
    }

    /** True when a server reported anything at all. */
    public boolean isEmpty() {
        return electionsMs.isEmpty() && diffs + truncs + snaps == 0;
    }
}
