package io.electionbench.core.election;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * When a LOOKING server stops waiting and decides, and how often it resends its notifications.
 *
 * <p>{@link #ZOOKEEPER} is exactly ZooKeeper 3.9: after its proposal reaches a quorum in its round, a
 * server waits {@code finalizeWait} = 200 ms of quiet; a strictly better notification cancels the
 * wait, any other restarts it. Notifications are resent when nothing arrived for 200 ms, doubling to
 * 60 s.
 *
 * <p>{@link #FAST}, the default, decides as soon as it is safe to:
 * <ul>
 *   <li>at once, when every voter it is connected to has voted for its proposal in its round. No
 *       better vote can arrive from those voters (each voter's proposal only grows within a round and
 *       already equals ours), and a vote from a voter whose link dropped could not be acted on anyway.
 *       A voter it has never been connected to (a link still coming up at startup) counts as silent,
 *       not absent: it must be heard, or the quiet period below pass, since its vote may be the best;</li>
 *   <li>otherwise after a short adaptive quiet period: the time the last exchange took (since our
 *       proposal last changed), clamped to [minQuiet, maxQuiet]. A straggler that holds a better vote
 *       is usually heard within one more exchange. Non-better notifications are recorded (they may
 *       complete "every connected voter agrees") but do not restart the wait.</li>
 * </ul>
 * A premature decision costs liveness, never safety: the recovery phase re-validates the leader
 * (epoch negotiation needs a quorum and refuses a follower more recent than the leader), exactly the
 * argument ZooKeeper itself relies on (ZOOKEEPER-3109). To keep that cost small, a fast leader also
 * pings every connected voter as soon as it decides; a voter that already follows another leader says
 * so, and once the voters still free to follow can no longer form a quorum the leader steps down at
 * once instead of waiting initLimit ticks for learners that will never come (the case that stalls
 * ZooKeeper when a voter counted in its round has since joined someone else); and a LOOKING node that
 * proposes itself leads as soon as a quorum of learners has announced itself to it, since they have
 * decided and wait (otherwise a higher round started by a refused voter can strand them until
 * initLimit, because FOLLOWING votes from an older round never count for oneself). A leader not yet
 * established also counts a LOOKING voter that proposes someone else as a refusal (a vote it counted
 * may have been withdrawn for a better one, ZOOKEEPER-3109). A leader whose epoch is fixed looks again
 * once when a voter announces an accepted epoch above it, and leads next above that epoch:
 * ZooKeeper's learner refuses such a leader at every attempt, leaving the ensemble a voter short for
 * as long as that leader leads. A LOOKING node answers a worse vote of its
 * own round with its proposal at once (the sender evidently missed it), about 50% more notifications
 * for no 50-100 ms resend waits. A learner still waiting for the leader it chose looks again when that
 * leader goes on proposing itself in a LOOKING notification for longer than deciding takes
 * ({@link #stillLookingLeaderNs}), or proposes someone else. Resends start at 50 ms
 * and double to 1 s, since on a LAN a lost notification costs far more than a duplicate.
 */
public final class ElectionPolicy {
    public static final ElectionPolicy ZOOKEEPER = new ElectionPolicy(
        "zookeeper", false, ms(200), ms(200), ms(200), ms(60_000), ms(100), 5);
    public static final ElectionPolicy FAST = new ElectionPolicy(
        "fast", true, ms(1), ms(50), ms(50), ms(1_000), ms(5), 1);

    private final String name;
    private final boolean isDecideWhenAllConnectedAgree;
    private final long minQuietNs;
    private final long maxQuietNs;
    private final long minNotificationIntervalNs;
    private final long maxNotificationIntervalNs;
    private final long learnerRetryNs;
    private final int learnerRefusals;

    private ElectionPolicy(
        final String name, final boolean isDecideWhenAllConnectedAgree, final long minQuietNs, final long maxQuietNs,
        final long minNotificationIntervalNs, final long maxNotificationIntervalNs, final long learnerRetryNs,
        final int learnerRefusals) {
        this.learnerRefusals = learnerRefusals;
        this.name = name;
        this.isDecideWhenAllConnectedAgree = isDecideWhenAllConnectedAgree;
        this.minQuietNs = minQuietNs;
        this.maxQuietNs = maxQuietNs;
        this.minNotificationIntervalNs = minNotificationIntervalNs;
        this.maxNotificationIntervalNs = maxNotificationIntervalNs;
        this.learnerRetryNs = learnerRetryNs;
    }

    /** The policy named {@code name} ({@code fast} or {@code zookeeper}), case-insensitive. */
    public static ElectionPolicy byName(final String name) {
        switch (name.toLowerCase(Locale.ROOT)) {
            case "fast":
                return FAST;
            case "zookeeper":
            case "zk":
                return ZOOKEEPER;
            default:
                throw new IllegalArgumentException(
                    "unknown election policy '" + name + "' (expected fast or zookeeper)");
        }
    }

    public static ElectionPolicy defaultPolicy() {
        return FAST;
    }

    public String name() {
        return name;
    }

    /** True for ZooKeeper's rule: any non-better notification restarts the finalize wait. */
    public boolean isZooKeeperFinalize() {
        return !isDecideWhenAllConnectedAgree;
    }

    public boolean isDecideWhenAllConnectedAgree() {
        return isDecideWhenAllConnectedAgree;
    }

    /**
     * True when a LOOKING node answers a same-round vote worse than its proposal with its proposal at
     * once. ZooKeeper answers only older rounds, so a peer that missed our notification (it was still
     * following when it came) learns our better vote only at our next resend.
     */
    public boolean isAnswerWorseVotes() {
        return isDecideWhenAllConnectedAgree;
    }

    /**
     * True when a leader continues a learner that is exactly at the leader's snapshot zxid from its log (a
     * DIFF, no state sent); ZooKeeper needs that zxid in its window or its log and sends a SNAP otherwise
     * (docs/storage.md, "Sync planner").
     */
    public boolean isSnapshotZxidASyncPoint() {
        return isDecideWhenAllConnectedAgree;
    }

    /**
     * True when a LOOKING node resends its vote on a timeout only if some notification got through, and
     * dials every voter otherwise (ZooKeeper's {@code haveDelivered}/{@code connectAll}). The fast
     * policy resends regardless: to a link that is down a resend only replaces the one notification
     * the transport keeps for it, and the transport redials on its own (a restarted peer's prompt at
     * once), so dialling on the election's timer would not bring a vote sooner.
     */
    public boolean isResendOnlyIfDelivered() {
        return !isDecideWhenAllConnectedAgree;
    }

    /** True when a new leader probes every voter and steps down as soon as no quorum can follow it. */
    public boolean isEarlyStepDown() {
        return isDecideWhenAllConnectedAgree;
    }

    /**
     * How long to stay quiet after reaching a quorum.
     *
     * @param lastExchangeNs time since the proposal last changed
     */
    public long quietNs(final long lastExchangeNs) {
        if (!isDecideWhenAllConnectedAgree) {
            return maxQuietNs;
        }
        return Math.max(minQuietNs, Math.min(maxQuietNs, lastExchangeNs));
    }

    public long minNotificationIntervalNs() {
        return minNotificationIntervalNs;
    }

    public long maxNotificationIntervalNs() {
        return maxNotificationIntervalNs;
    }

    /**
     * How many failed tries to reach its chosen leader (refusals, and dials that fail before they
     * connect) a learner takes before it looks again. ZooKeeper's {@code Learner.connectToLeader} tries
     * 5 times, 100 ms apart, within initLimit (its would-be leader has no quorum listener until it
     * leads, so an early connect is refused and a retry may succeed); the fast policy looks again at
     * the first: a fast node refuses only when it proposes someone else, and this project's nodes
     * listen on both ports for their whole life, so a refused dial means the process is gone and a
     * retry only delays the next election.
     */
    public int learnerRefusals() {
        return learnerRefusals;
    }

    /**
     * True when a LOOKING node that proposes itself keeps a learner's announcement for when it leads
     * (fast), instead of refusing it as ZooKeeper's closed quorum port does.
     */
    public boolean isKeepEarlyLearners() {
        return isDecideWhenAllConnectedAgree;
    }

    /**
     * How long a learner that has heard nothing from the leader it chose waits while that leader still
     * sends LOOKING notifications proposing itself in the round decided, before it looks again: longer
     * than the most a deciding leader takes (its longest quiet period, then one resend interval), so a
     * leader that is about to decide is not left. Such a leader is one that cannot hear its voters (a
     * one-way cut): it steps down, proposes itself, wins their round and never decides. ZooKeeper has
     * no such rule ({@code Long.MAX_VALUE}): its learner waits initLimit ticks for LEADERINFO.
     */
    public long stillLookingLeaderNs() {
        return isDecideWhenAllConnectedAgree ? maxQuietNs + minNotificationIntervalNs : Long.MAX_VALUE;
    }

    /** Delay between a learner's attempts to reach a leader that has not answered yet. */
    public long learnerRetryNs() {
        return learnerRetryNs;
    }

    @Override
    public String toString() {
        return name;
    }

    private static long ms(final long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
