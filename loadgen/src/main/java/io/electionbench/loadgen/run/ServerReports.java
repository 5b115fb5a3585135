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
 */
public record ServerReports(List<Long> electionsMs, int diffs, int truncs, int snaps) {
    public static final ServerReports NONE = new ServerReports(List.of(), 0, 0, 0);

    public ServerReports {
        electionsMs = List.copyOf(electionsMs);
    }

    /** True when a server reported anything at all. */
    public boolean isEmpty() {
        return electionsMs.isEmpty() && diffs + truncs + snaps == 0;
    }
}
