package io.electionbench.core.sync;

import static io.electionbench.core.Zxid.epoch;
import static io.electionbench.core.Zxid.make;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import io.electionbench.core.Zxid;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * The planner against a brute-force model of ZAB histories. Epoch e's leader proposes e:1, e:2, ...;
 * a history is, per epoch, a prefix of those. The learner shares a prefix with the leader, then may
 * continue the epoch it was cut in (if the leader has nothing more of it) and may hold txns of
 * epochs the leader has none of; or it reports a new-epoch zxid e:0. Applying the plan to the
 * learner's history in the model must give the leader's, replaying only txns the leader still holds;
 * and the planner must not SNAP a learner whose history is a prefix the leader can replay from, nor
 * one that is only ahead of the leader's whole history (in its last epoch or later ones), unless the
 * learner compacted past the truncation point.
 */
class SyncPlannerProperties {
    private static final int EPOCHS = 5;

    @Property(tries = 5000)
    void applyingThePlanGivesTheLeadersHistory(
        @ForAll @Size(EPOCHS) final List<@IntRange(min = 0, max = 4) Integer> leaderCounts,
        @ForAll @IntRange(min = 0, max = 99) final int cut,
        @ForAll @IntRange(min = 0, max = 3) final int continued,
        @ForAll @Size(EPOCHS) final List<@IntRange(min = 0, max = 2) Integer> orphanCounts,
        @ForAll @IntRange(min = 0, max = 12) final int newEpochMarker,
        @ForAll @IntRange(min = 0, max = 99) final int snapshotAt,
        @ForAll @IntRange(min = 0, max = 99) final int window,
        @ForAll @IntRange(min = 0, max = 99) final int learnerSnapshotAt) {
        final List<Long> leader = new ArrayList<>();
        for (int e = 1; e <= EPOCHS; e++) {
            for (int c = 1; c <= leaderCounts.get(e - 1); c++) {
                leader.add(make(e, c));
            }
        }
        final TreeSet<Long> follower = new TreeSet<>(leader.subList(0, cut % (leader.size() + 1)));
        final boolean holdsAll = follower.size() == leader.size();
        continueCutEpoch(leader, follower, continued);
        addOrphanEpochs(leaderCounts, orphanCounts, follower, leader, holdsAll && follower.size() == leader.size());
        long followerLast = follower.isEmpty() ? -1 : follower.last();
        long followerEpoch = followerLast < 0 ? 0 : epoch(followerLast);
        if (newEpochMarker >= 1 && newEpochMarker <= EPOCHS && newEpochMarker > followerEpoch) {
            // The learner joined epoch e with no txns of it. If the leader has epoch e, what the learner
            // holds is what e's leader established: the leader's history before e:1.
            final long e = newEpochMarker;
            if (leaderCounts.get((int)e - 1) > 0) {
                follower.clear();
                leader.stream().filter(z -> z < make(e, 0)).forEach(follower::add);
            }
            followerLast = make(e, 0);
            followerEpoch = e;
        }
        // The learner compacted its first k txns into a snapshot (k = 0: no snapshot), whatever they were.
        final int k = learnerSnapshotAt % (follower.size() + 1);
        final long followerSnapshot = k == 0 ? -1 : follower.stream().skip(k - 1).findFirst().orElseThrow();
        checkPlan(leader, follower, followerLast, followerEpoch, followerSnapshot, snapshotAt, window);
    }

    /** Continues the epoch the learner was cut in, if the leader holds nothing more of that epoch. */
    private static void continueCutEpoch(final List<Long> leader, final TreeSet<Long> follower, final int continued) {
        if (follower.isEmpty()) {
            return;
        }
        final long last = follower.last();
        final boolean leaderContinues = leader.stream().anyMatch(z -> z > last && epoch(z) == epoch(last));
        for (int i = 1; i <= continued && !leaderContinues; i++) {
            follower.add(last + i);
        }
    }

    /**
     * Txns of epochs after the learner's last that the leader holds none of (a leader nobody else
     * followed). Epochs after the leader's last txn only on top of the leader's whole history: such an
     * epoch was established (it has txns) by a quorum that any later leader's discovery quorum meets, so a
     * leader with no txn of it or after it holds exactly the history it was established on.
     */
    private static void addOrphanEpochs(final List<Integer> leaderCounts, final List<Integer> orphanCounts,
        final TreeSet<Long> follower, final List<Long> leader, final boolean holdsLeadersHistory) {
        final long from = follower.isEmpty() ? 1 : epoch(follower.last()) + 1;
        final long leaderLastEpoch = leader.isEmpty() ? 0 : epoch(leader.get(leader.size() - 1));
        for (long e = from; e <= EPOCHS; e++) {
            if (e > leaderLastEpoch && !holdsLeadersHistory) {
                return;
            }
            if (leaderCounts.get((int)e - 1) == 0) {
                for (int c = 1; c <= orphanCounts.get((int)e - 1); c++) {
                    follower.add(make(e, c));
                }
            }
        }
    }

    private static void checkPlan(final List<Long> leader, final TreeSet<Long> follower, final long followerLast,
        final long followerEpoch, final long followerSnapshot, final int snapshotAt, final int window) {
        // The leader's snapshot covers its first s txns; the rest are held (on disk), and the last w of
        // those are also in the in-memory committed window.
        final int s = snapshotAt % (leader.size() + 1);
        final List<Long> held = leader.subList(s, leader.size());
        final int w = window % (held.size() + 1);
        final long last = leader.isEmpty() ? -1 : leader.get(leader.size() - 1);
        final long min = w == 0 ? last : held.get(held.size() - w);
        final long diskFirst = held.isEmpty() ? -1 : held.get(0);
        final TreeSet<Long> heldSet = new TreeSet<>(held);
        final SyncPlan plan = SyncPlanner.plan(last, min, last, diskFirst, heldSet::contains, followerLast,
            followerEpoch, followerSnapshot, new SyncPlan());
        Statistics.collect(plan.reason());
        Statistics.coverage(coverage -> {
            for (final SyncReason reason : SyncReason.values()) {
                coverage.check(reason).count(n -> n > 0);
            }
        });
        final String what = "leader " + text(leader) + " (snapshot " + s + ", window " + w + "), learner "
            + text(follower) + " last " + Zxid.toString(followerLast) + " epoch " + followerEpoch + " snapshot "
            + Zxid.toString(followerSnapshot) + ": " + plan;
        assertEquals(leader, apply(plan, leader, follower, followerLast, heldSet, what), what);
        if (isPrefix(follower, leader) && (heldSet.contains(followerLast) || followerLast == last)) {
            assertEquals(SyncMode.DIFF, plan.mode(), "a replayable prefix needs no SNAP: " + what);
        }
        if (plan.mode() == SyncMode.TRUNC) {
            assertTrue(plan.zxid() >= followerSnapshot,
                "a TRUNC the learner can apply, not below its snapshot: " + what);
        }
        if (!leader.isEmpty() && follower.containsAll(leader) && follower.last() > last
            && followerLast == follower.last()) {
            assertEquals(followerSnapshot > last ? Tuple.of(SyncMode.SNAP, last) : Tuple.of(SyncMode.TRUNC, last),
                Tuple.of(plan.mode(), plan.zxid()), "ahead of the leader's history, in its epoch or a later one: "
                    + what);
        }
    }

    /** The learner's history after the sync; the leader may only send txns it still holds. */
    private static List<Long> apply(final SyncPlan plan, final List<Long> leader, final TreeSet<Long> follower,
        final long followerLast, final TreeSet<Long> held, final String what) {
        final TreeSet<Long> result = new TreeSet<>();
        final long from;
        switch (plan.mode()) {
            case SNAP -> {
                return new ArrayList<>(leader);
            }
            case DIFF -> {
                assertEquals(followerLast, plan.zxid(), what);
                result.addAll(follower);
                from = plan.zxid();
            }
            default -> {
                result.addAll(follower.headSet(plan.zxid(), true));
                from = plan.zxid();
            }
        }
        for (final long z : leader) {
            if (z > from) {
                assertTrue(held.contains(z),
                    "the plan needs " + Zxid.toString(z) + ", which the leader compacted: " + what);
                result.add(z);
            }
        }
        return new ArrayList<>(result);
    }

    private static boolean isPrefix(final TreeSet<Long> follower, final List<Long> leader) {
        return follower.size() <= leader.size() && new ArrayList<>(follower).equals(leader.subList(0, follower.size()));
    }

    private static String text(final Iterable<Long> zxids) {
        final StringBuilder sb = new StringBuilder("[");
        for (final long z : zxids) {
            sb.append(sb.length() > 1 ? " " : "").append(Zxid.toString(z));
        }
        return sb.append(']').toString();
    }
}
