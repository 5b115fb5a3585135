package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.electionbench.core.quorum.Ensemble;

/**
 * Turns the node events of one trial into its metrics, measured from the fault instant:
 * <ul>
 *   <li>detection: the first survivor entering LOOKING;</li>
 *   <li>time-to-leader: the first instant a server is LEADING and, counting it, a quorum of voters are
 *       FOLLOWING it (each by its own latest report);</li>
 *   <li>time-to-ready: the first instant, at or after that, when that leader reports serving (a quorum
 *       of learners connected; with the recovery phase, the new epoch established);</li>
 *   <li>rounds: the most times any one server entered LOOKING.</li>
 * </ul>
 * Pure: the same events give the same numbers, so it is tested on hand-made event lists.
 */
public final class TrialAnalysis {
    /**
     * A follower whose leader the target cannot tell (ZooKeeper's {@code srvr} says only "Mode:
     * follower"); it counts towards whichever server is LEADING.
     */
    public static final long UNKNOWN = -1;

    private final Ensemble ensemble;

    public TrialAnalysis(final Ensemble ensemble) {
        this.ensemble = ensemble;
    }

    /** What one trial measured; times are nanoseconds after the fault, -1 when not reached. */
    public record Outcome(long detectionNs, long leaderNs, long readyNs, long leader, int rounds) {
        public boolean isRecovered() {
            return leaderNs >= 0 && readyNs >= 0;
        }
    }

    /**
     * @param before   every node's state just before the fault (absent or down nodes may be omitted)
     * @param events   events in any order; only those at or after {@code faultNs} are used
     * @param exclude  a leader that does not count as recovery (the one just killed or paused), or -1
     */
    public Outcome analyze(final Map<Long, NodeView> before, final List<TrialEvent> events, final long faultNs,
        final long exclude) {
        final List<TrialEvent> sorted = new ArrayList<>();
        for (final TrialEvent e : events) {
            if (e.tsNs() >= faultNs) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparingLong(TrialEvent::tsNs));
        final Map<Long, String> state = new HashMap<>();
        final Map<Long, Long> leaderOf = new HashMap<>();
        before.forEach((sid, v) -> {
            if (v.isUp()) {
                state.put(sid, v.state());
                leaderOf.put(sid, v.leader());
            }
        });
        final Map<Long, Integer> lookings = new HashMap<>();
        long detection = -1;
        long leaderAt = -1;
        long leader = -1;
        long readyAt = -1;
        for (final TrialEvent e : sorted) {
            if (TrialEvent.SERVING.equals(e.state())) {
                if (leaderAt >= 0 && readyAt < 0 && e.sid() == leader) {
                    readyAt = e.tsNs();
                }
                continue;
            }
            state.put(e.sid(), e.state());
            leaderOf.put(e.sid(), e.leader());
            if ("LOOKING".equals(e.state())) {
                lookings.merge(e.sid(), 1, Integer::sum);
                if (detection < 0) {
                    detection = e.tsNs();
                }
            }
            if (leaderAt < 0) {
                final long established = establishedLeader(state, leaderOf, exclude);
                if (established > 0) {
                    leaderAt = e.tsNs();
                    leader = established;
                }
            }
        }
        if (leaderAt >= 0 && readyAt < 0) {
            readyAt = servedBefore(sorted, leader, leaderAt);
        }
        final int rounds = lookings.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new Outcome(since(detection, faultNs), since(leaderAt, faultNs), since(readyAt, faultNs), leader,
            rounds);
    }

    /** A LEADING server other than {@code exclude} followed, with itself, by a quorum of voters; or -1. */
    private long establishedLeader(final Map<Long, String> state, final Map<Long, Long> leaderOf, final long exclude) {
        for (final Map.Entry<Long, String> candidate : state.entrySet()) {
            final long l = candidate.getKey();
            if (l == exclude || !"LEADING".equals(candidate.getValue())) {
                continue;
            }
            long mask = ensemble.maskOf(l);
            for (final Map.Entry<Long, String> f : state.entrySet()) {
                final long followed = leaderOf.getOrDefault(f.getKey(), UNKNOWN);
                if ("FOLLOWING".equals(f.getValue()) && (followed == l || followed == UNKNOWN)) {
                    mask |= ensemble.maskOf(f.getKey());
                }
            }
            if (ensemble.quorum().containsQuorum(mask)) {
                return l;
            }
        }
        return -1;
    }

    /** The leader may report serving before its last follower reports FOLLOWING; then ready = leader time. */
    private static long servedBefore(final List<TrialEvent> sorted, final long leader, final long leaderAt) {
        for (final TrialEvent e : sorted) {
            if (e.sid() == leader && TrialEvent.SERVING.equals(e.state()) && e.tsNs() <= leaderAt) {
                return leaderAt;
            }
        }
        return -1;
    }

    private static long since(final long ts, final long faultNs) {
        return ts < 0 ? -1 : ts - faultNs;
    }
}
