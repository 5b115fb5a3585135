package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.log.TxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.doubles.DroppingPublisher;
import io.electionbench.core.sim.doubles.MemoryState;
import io.electionbench.core.sync.SyncMode;

/**
 * {@code GET /state} shows the recovery phases as they change: a learner's own step and a leader's
 * view of each learner, published in the duty cycle they change in (a role change, not progress), at
 * the end of the JSON. One agent stepped by hand with a fake clock, its status published after each step.
 */
class StatusRecoveryPhasesTest {
    private static final int LOOKING = ServerState.LOOKING.code();

    @TempDir
    Path dataDir;

    private long nowNs = TimeUnit.SECONDS.toNanos(1000);

    @Test
    void aLeaderShowsEachLearnersPhaseFromAnnouncementToSynced() {
        final Stepped leader = new Stepped(3);
        leader.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, 1));
        leader.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, 2));
        leader.vote(1, 3);
        leader.vote(2, 3);
        nowNs += TimeUnit.MILLISECONDS.toNanos(60);
        leader.step();
        assertEquals("LEADING", leader.status().state());
        assertEquals("NONE", leader.status().learnerStep());
        assertTrue(leader.status().toJson().endsWith(",\"learnerStep\":\"NONE\",\"learners\":{}}"),
            leader.status().toJson());

        leader.offer(ring -> InboundMessages.offerLearnerInfo(ring, 1, 0, 0, 0));
        assertEquals("EPOCH_SENT", leader.status().learnerPhase(1), "the leader and 1 fixed the epoch and sent it");
        assertNull(leader.status().learnerPhase(2), "2 has not announced itself");

        leader.offer(ring -> InboundMessages.offerAckEpoch(ring, 1, 0, 0, -1));
        assertEquals("NEWLEADER_SENT", leader.status().learnerPhase(1), "an empty DIFF, then NEWLEADER, in one cycle");

        final long newLeaderZxid = Zxid.make(leader.agent.newEpoch(), 0);
        leader.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.ACK, 1, newLeaderZxid));
        assertEquals("SYNCED", leader.status().learnerPhase(1));
        assertTrue(leader.status().isServing());
        assertTrue(leader.status().toJson().endsWith(",\"learnerStep\":\"NONE\",\"learners\":{\"1\":\"SYNCED\"}}"),
            leader.status().toJson());

        leader.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, 1));
        assertNull(leader.status().learnerPhase(1), "a learner whose link dropped is no longer one");
    }

    @Test
    void aLearnerShowsItsOwnStepFromDecisionToServing() {
        final Stepped learner = new Stepped(1);
        learner.vote(2, 3);
        learner.vote(3, 3);
        assertEquals("FOLLOWING", learner.status().state());
        assertEquals("AWAIT_LEADER_INFO", learner.status().learnerStep());

        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.LEADER_INFO, 3, 1));
        assertEquals("AWAIT_SYNC", learner.status().learnerStep());
        learner.offer(ring -> InboundMessages.offerSyncStart(ring, 3, SyncMode.DIFF.code(), 0));
        assertEquals("SYNCING", learner.status().learnerStep());
        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0)));
        assertEquals("SYNCED", learner.status().learnerStep());
        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.UP_TO_DATE, 3, 0));
        assertEquals("SERVING", learner.status().learnerStep());
        assertTrue(learner.status().toJson().endsWith(",\"learnerStep\":\"SERVING\",\"learners\":{}}"),
            learner.status().toJson());

        learner.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, 3));
        assertEquals("LOOKING", learner.status().state());
        assertEquals("NONE", learner.status().learnerStep());
    }

    @Test
    void theEventStreamCarriesEveryPhaseChangeOfALeadersLearner() {
        final Stepped leader = new Stepped(3);
        leader.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, 1));
        leader.vote(1, 3);
        leader.vote(2, 3);
        nowNs += TimeUnit.MILLISECONDS.toNanos(60);
        leader.step();
        leader.events.clear();
        leader.offer(ring -> InboundMessages.offerLearnerInfo(ring, 1, 0, 0, 0));
        leader.offer(ring -> InboundMessages.offerAckEpoch(ring, 1, 0, 0, -1));
        final long newLeaderZxid = Zxid.make(leader.agent.newEpoch(), 0);
        leader.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.ACK, 1, newLeaderZxid));
        leader.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, 1));
        assertEquals(List.of("1:EPOCH_SENT", "1:NEWLEADER_SENT", "1:SYNCED", "1:NONE"), leader.phases(),
            "one event per phase seen at the end of a cycle, and NONE when the leader forgot the learner");
        final NodeEvent first = leader.events.stream().filter(NodeEvent::isPhase).findFirst().orElseThrow();
        assertEquals("{\"ts\":" + first.timestampNs() + ",\"sid\":3,\"kind\":\"phase\",\"leader\":3,\"learner\":1,"
            + "\"phase\":\"EPOCH_SENT\"}", first.toJson());
    }

    @Test
    void theEventStreamCarriesALearnersOwnSteps() {
        final Stepped learner = new Stepped(1);
        learner.vote(2, 3);
        learner.vote(3, 3);
        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.LEADER_INFO, 3, 1));
        learner.offer(ring -> InboundMessages.offerSyncStart(ring, 3, SyncMode.DIFF.code(), 0));
        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0)));
        learner.offer(ring -> InboundMessages.offerZxid(ring, InboundMessages.UP_TO_DATE, 3, 0));
        learner.offer(ring -> InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, 3));
        assertEquals(List.of("self:AWAIT_LEADER_INFO", "self:AWAIT_SYNC", "self:SYNCING", "self:SYNCED",
            "self:SERVING", "self:NONE"), learner.phases());
        final NodeEvent step = learner.events.stream().filter(NodeEvent::isPhase).findFirst().orElseThrow();
        assertEquals("{\"ts\":" + step.timestampNs() + ",\"sid\":1,\"kind\":\"phase\",\"leader\":3,"
            + "\"step\":\"AWAIT_LEADER_INFO\"}", step.toJson());
    }

    /** One agent of a 3-member ensemble and its status publisher, stepped on the test's clock. */
    private final class Stepped {
        final StatusPublisher publisher;
        final MemberAgent agent;
        final List<NodeEvent> events = new ArrayList<>();

        Stepped(final long sid) {
            publisher = new StatusPublisher(sid, "fast", new StorageAlarm(sid, dataDir));
            agent = new MemberAgent(sid, Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT,
                new MemoryState(new MemoryTxnLog()),
                new DroppingPublisher(), publisher, MemberAgent.newInboundRing(64 * 1024), () -> nowNs);
            publisher.agent(agent);
            publisher.sink(events::add);
            step();
        }

        /** A LOOKING vote of round 1 from {@code from} for {@code leader}, both with empty histories. */
        void vote(final long from, final long leader) {
            offer(ring -> InboundMessages.offerNotification(ring, from, LOOKING, leader, 0, 1, 0,
                MemberAgent.NOTIFICATION_VERSION));
        }

        /** Hands one message to the agent and runs a duty cycle, then publishes (no time passes). */
        void offer(final Predicate<RingBuffer> message) {
            assertTrue(message.test(agent.inbound()));
            step();
        }

        void step() {
            agent.doWork(nowNs);
            publisher.publishIfChanged(nowNs);
        }

        NodeStatus status() {
            return publisher.status();
        }

        /** The phase events so far, as {@code learner:phase} ({@code self} for the member's own step). */
        List<String> phases() {
            final List<String> out = new ArrayList<>();
            for (final NodeEvent e : events) {
                if (e.isPhase()) {
                    out.add((e.learner() == NodeEvent.SELF ? "self" : String.valueOf(e.learner())) + ":" + e.phaseName());
                }
            }
            return out;
        }
    }
}
