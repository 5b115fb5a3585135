package io.electionbench.core.election;

import static io.electionbench.core.election.AgentHarness.FOLLOWING;
import static io.electionbench.core.election.AgentHarness.LEADING;
import static io.electionbench.core.election.AgentHarness.LOOKING;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;

/**
 * A member whose disk fills up (docs/storage.md, "When the disk fails"), one agent driven by hand over
 * {@link FullDiskLog}: it gives up its role, stays out of elections (no vote, no answer, never itself)
 * while probes of its storage fail, probing after one tick and then twice as long up to initLimit, and
 * rejoins once a probe succeeds. A leader holds back the sync of a learner that keeps leaving its syncs.
 */
class StorageFailureTest {
    private static final long TICK_MS = NodeTiming.DEFAULT.tickTimeMs();
    private static final long INIT_LIMIT_MS = TICK_MS * NodeTiming.DEFAULT.initLimit();

    /** Server 3 of 3 with the given history, LEADING after 1 and 2 voted for it, not yet established. */
    private static AgentHarness leader(final long... zxids) {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(3), ElectionPolicy.FAST);
        h.storage.epoch = zxids.length == 0 ? 0 : Zxid.epoch(zxids[zxids.length - 1]);
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
        for (final long z : zxids) {
            payload.putLong(0, z);
            h.storage.log.append(z, payload, 0, 8);
        }
        h.start();
        h.connected(1);
        h.connected(2);
        final long last = h.storage.lastLoggedZxid();
        h.notification(1, LOOKING, 3, last, 1, h.storage.epoch);
        h.notification(2, LOOKING, 3, last, 1, h.storage.epoch);
        h.advanceMs(60);
        assertEquals(ServerState.LEADING, h.agent.state());
        h.take();
        return h;
    }

    /** Server 1 of 3 following 3, synced and serving in epoch 1. */
    private static AgentHarness servingFollower() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        h.connected(2);
        h.connected(3);
        h.notification(2, LOOKING, 3, 0, 1, 0);
        h.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, h.agent.state());
        h.followThrough(3, 1);
        assertTrue(h.agent.isServing());
        h.take();
        return h;
    }

    private static String lastTransition(final AgentHarness h) {
        return h.transitions.get(h.transitions.size() - 1);
    }

    /**
     * Steps {@code ms} in 100 ms duty cycles and checks at each that the agent is out of elections: LOOKING,
     * no election round begun, nothing sent but refusals.
     */
    private static void assertOutOfElectionsFor(final AgentHarness h, final long ms) {
        final long rounds = h.agent.electionRounds();
        final long decisions = h.agent.decisions();
        for (long t = 0; t < ms; t += 100) {
            h.advanceMs(100);
            assertEquals(ServerState.LOOKING, h.agent.state(), h.transitions.toString());
            assertEquals(rounds, h.agent.electionRounds(), "no election round while the storage fails");
            assertEquals(decisions, h.agent.decisions());
            final List<AgentHarness.Sent> sent = h.take();
            assertTrue(sent.stream().allMatch(s -> s.type().equals("reject")), "only refusals: " + sent);
        }
    }

    /** The retry delays (ms) the agent reported with each storage failure. */
    private static List<Long> retriesMs(final AgentHarness h) {
        return h.storageEvents.stream().filter(e -> e[0] > 0).map(e -> TimeUnit.NANOSECONDS.toMillis(e[1]))
            .collect(Collectors.toList());
    }

    @Test
    void aLeaderThatCannotAppendStepsDownAndOffersItselfAgainOnlyOnceItsDiskTakesWrites() {
        final AgentHarness h = leader();
        h.learnerInfo(1);
        h.recover(1);
        assertTrue(h.agent.isServing());
        h.write(8);
        h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(1, 1));
        assertArrayEquals(new long[] {8, WriteListener.COMMITTED, Zxid.make(1, 1), 3}, h.writeResults.remove(0));
        h.take();

        h.storage.disk.isFull = true;
        h.write(9);
        assertArrayEquals(new long[] {9, WriteListener.UNKNOWN, Zxid.make(1, 2), 3}, h.writeResults.remove(0));
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals("LOOKING: cannot append to the log", lastTransition(h));
        final List<AgentHarness.Sent> sent = h.take();
        assertTrue(sent.stream().anyMatch(s -> s.type().equals("reject") && s.to() == 1),
            "its learner is let go: " + sent);
        assertTrue(sent.stream().noneMatch(s -> s.type().equals("notification")), "and it does not vote: " + sent);
        assertTrue(h.agent.isStorageFailed());
        assertEquals(List.of(TICK_MS), retriesMs(h), "said once, with the first retry one tick away");

        // Both others vote for it (it logged the most), then one announces itself as its learner: a quorum
        // for it, which a member that cannot write must not take.
        final long round = h.agent.logicalClock();
        h.notification(1, LOOKING, 3, Zxid.make(1, 1), round, 1);
        h.notification(2, LOOKING, 3, Zxid.make(1, 1), round, 1);
        h.learnerInfo(1, 1);
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals(List.of("reject"), h.take().stream().map(AgentHarness.Sent::type).collect(Collectors.toList()),
            "a learner that chose it is refused, and votes get no answer");
        assertOutOfElectionsFor(h, 60_000);
        assertEquals(List.of(TICK_MS, 2 * TICK_MS, 4 * TICK_MS, 8 * TICK_MS, INIT_LIMIT_MS, INIT_LIMIT_MS),
            retriesMs(h), "the probe backs off: one tick, doubling, at most initLimit");
        assertEquals(retriesMs(h).size(), h.agent.storageFailures());

        h.storage.disk.isFull = false;
        final long recoveredBy = h.nowNs + TimeUnit.MILLISECONDS.toNanos(INIT_LIMIT_MS);
        while (h.agent.isStorageFailed() && h.nowNs - recoveredBy < 0) {
            h.advanceMs(100);
        }
        assertFalse(h.agent.isStorageFailed());
        assertEquals("LOOKING: storage accepts writes again", lastTransition(h));
        assertEquals(-1, h.storageEvents.get(h.storageEvents.size() - 1)[0], "the recovery is reported");
        final List<AgentHarness.Sent> votes = h.take("notification");
        assertEquals(List.of(1L, 2L), votes.stream().map(AgentHarness.Sent::to).sorted().collect(Collectors.toList()));
        assertTrue(votes.stream().allMatch(v -> v.leader() == 3 && v.state() == LOOKING),
            "it proposes itself again: " + votes);
    }

    @Test
    void aLeaderWhoseStagedAppendsCannotBeWrittenForASyncStepsDownInsteadOfThrowing() {
        final AgentHarness h = leader(Zxid.make(1, 1), Zxid.make(1, 2));
        h.storage.disk.isFull = true;
        // A failed flush leaves appends staged in memory; FileTxnLog must write them before any read.
        assertThrows(java.io.UncheckedIOException.class, () -> h.agent.storage().log().flush());
        h.learnerInfo(1);
        h.ackEpoch(1, 1, Zxid.make(1, 1));
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals("LOOKING: cannot read the log for a learner's sync", lastTransition(h));
        assertTrue(h.agent.isStorageFailed());
    }

    @Test
    void aFollowerThatCannotAppendBacksOffAndDoesNotRejoinUntilItsDiskTakesWrites() {
        final AgentHarness h = servingFollower();
        h.storage.disk.isFull = true;
        h.proposal(3, Zxid.make(1, 1));
        assertEquals(ServerState.LOOKING, h.agent.state());
        assertEquals("LOOKING: cannot append to the log", lastTransition(h));
        assertTrue(h.take().stream().anyMatch(s -> s.type().equals("reject") && s.to() == 3), "it leaves its leader");

        // The leader and its other follower tell it who leads: before, it joined at once, failed again and
        // looked again, about 100 times a second, and the leader streamed the whole DIFF every time.
        final long round = h.agent.logicalClock();
        h.notification(3, LEADING, 3, 0, 1, 1);
        h.notification(2, FOLLOWING, 3, 0, 1, 1);
        assertOutOfElectionsFor(h, 29_000);
        assertEquals(round, h.agent.logicalClock());
        assertEquals(List.of(TICK_MS, 2 * TICK_MS, 4 * TICK_MS, 8 * TICK_MS), retriesMs(h));
        final int writesTried = h.storage.disk.failedWrites;
        assertEquals(retriesMs(h).size(), writesTried, "one write per failure: the append, then one per probe");

        h.storage.disk.isFull = false;
        while (h.agent.isStorageFailed()) {
            h.advanceMs(100);
        }
        h.notification(3, LEADING, 3, 0, 1, 1);
        h.notification(2, FOLLOWING, 3, 0, 1, 1);
        assertEquals(ServerState.FOLLOWING, h.agent.state(), h.transitions.toString());
        assertEquals(List.of(3L),
            h.take("learnerInfo").stream().map(AgentHarness.Sent::to).collect(Collectors.toList()));
    }

    /** An epoch file that cannot be written (EIO: its writes are in place, so a full disk rarely fails them). */
    @Test
    void aMemberThatCannotPersistAnEpochStaysOutOfElectionsToo() {
        final AgentHarness learner = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        learner.connected(2);
        learner.connected(3);
        learner.notification(2, LOOKING, 3, 0, 1, 0);
        learner.notification(3, LOOKING, 3, 0, 1, 0);
        assertEquals(ServerState.FOLLOWING, learner.agent.state());
        learner.storage.isEpochWriteFailing = true;
        learner.zxidMessage(InboundMessages.LEADER_INFO, 3, 1);
        assertEquals("LOOKING: cannot persist the accepted epoch", lastTransition(learner));
        assertTrue(learner.agent.isStorageFailed());
        learner.take();
        learner.notification(3, LEADING, 3, 0, 1, 1);
        learner.notification(2, FOLLOWING, 3, 0, 1, 1);
        assertOutOfElectionsFor(learner, 1_000);

        final AgentHarness leader = leader();
        leader.storage.isEpochWriteFailing = true;
        leader.learnerInfo(1);
        assertEquals("LOOKING: cannot persist the accepted epoch", lastTransition(leader));
        assertTrue(leader.agent.isStorageFailed());
        assertTrue(leader.take().stream().noneMatch(s -> s.type().equals("notification")), "and it does not vote");
    }

    @Test
    void aFollowerFailingAgainSoonAfterAProbeSucceededKeepsBackingOff() {
        final AgentHarness h = servingFollower();
        h.storage.disk.isFull = true;
        h.proposal(3, Zxid.make(1, 1));
        h.advanceMs(TICK_MS);
        h.advanceMs(2 * TICK_MS);
        assertEquals(List.of(TICK_MS, 2 * TICK_MS, 4 * TICK_MS), retriesMs(h));
        h.storage.disk.isFull = false;
        h.advanceMs(4 * TICK_MS);
        assertFalse(h.agent.isStorageFailed());
        h.notification(3, LEADING, 3, 0, 1, 1);
        h.notification(2, FOLLOWING, 3, 0, 1, 1);
        h.followThrough(3, 1);
        assertTrue(h.agent.isServing());
        // Room for the probe, not for what the leader sends next.
        h.storage.disk.isFull = true;
        h.proposal(3, Zxid.make(1, 1));
        assertTrue(h.agent.isStorageFailed());
        assertEquals(8 * TICK_MS, retriesMs(h).get(retriesMs(h).size() - 1), "on from the last delay, not one tick");
    }

    @Test
    void aLeaderHoldsBackTheSyncOfALearnerThatKeepsLeavingItsSyncsUnfinished() {
        final AgentHarness h = leader(Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(1, 3));
        h.learnerInfo(2);
        h.ackEpoch(2, 1, Zxid.make(1, 3));
        h.zxidMessage(InboundMessages.ACK, 2, Zxid.make(2, 0));
        assertTrue(h.agent.isServing());
        h.take();

        // 1 joins and leaves before acknowledging NEWLEADER, twice: the second sync starts at once.
        for (int attempt = 1; attempt <= 2; attempt++) {
            h.learnerInfo(1, 1);
            h.ackEpoch(1, 1, Zxid.make(1, 1));
            assertEquals(1, h.take("syncStart").size(), "attempt " + attempt + " starts at once");
            h.reject(1);
        }
        assertEquals(0, h.agent.syncsDeferred());
        h.learnerInfo(1, 1);
        h.ackEpoch(1, 1, Zxid.make(1, 1));
        assertTrue(h.take("syncStart").isEmpty(), "after two unfinished syncs the third waits a tick");
        assertEquals(1, h.agent.syncsDeferred());
        h.advanceMs(TICK_MS - 100);
        assertTrue(h.take("syncStart").isEmpty());
        h.advanceMs(100);
        final List<AgentHarness.Sent> sent = h.take();
        final List<AgentHarness.Sent> starts = sent.stream().filter(s -> s.type().equals("syncStart"))
            .collect(Collectors.toList());
        assertEquals(1, starts.size(), sent.toString());
        assertEquals(1, starts.get(0).to());
        assertEquals(SyncMode.DIFF.code(), starts.get(0).state());
        h.reject(1);

        h.learnerInfo(1, 2);
        h.ackEpoch(1, 1, Zxid.make(1, 1));
        h.advanceMs(2 * TICK_MS - 100);
        assertTrue(h.take("syncStart").isEmpty(), "the wait doubles");
        h.advanceMs(100);
        assertEquals(1, h.take("syncStart").size());
        h.zxidMessage(InboundMessages.ACK, 1, Zxid.make(2, 0));
        assertEquals(1, h.take("upToDate").size(), "synced");

        h.quorumDisconnected(1);
        h.learnerInfo(1, 2);
        h.ackEpoch(1, -1, Zxid.make(1, 3));
        assertEquals(1, h.take("syncStart").size(), "a finished sync clears the count: the next starts at once");
    }

    @Test
    void aLearnerThatRefusesItsLeaderMidSyncIsNotStreamedTheRest() {
        final long[] zxids = new long[10_000];
        for (int i = 0; i < zxids.length; i++) {
            zxids[i] = Zxid.make(1, i + 1);
        }
        final AgentHarness h = leader(zxids);
        h.learnerInfo(1, 1);
        h.ackEpoch(1, 1, 0);
        final List<AgentHarness.Sent> first = h.take("proposal");
        assertTrue(first.size() > 0 && first.size() < zxids.length,
            "a duty cycle streams a batch or two, not all: " + first.size());
        h.reject(1);
        h.advanceMs(1);
        h.advanceMs(1);
        assertTrue(h.take().stream().noneMatch(s -> s.type().equals("proposal") || s.type().equals("newLeader")),
            "nothing more goes to a learner that left");
    }
}
