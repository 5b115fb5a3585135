package io.electionbench.core.sim.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.fault.MessageFault;

/** A scenario's message faults act on exactly the messages they name, deterministically. */
class MessageFaultsTest {
    private static final long BOUND_NS = TimeUnit.SECONDS.toNanos(60);

    @Test
    void aFaultThatMatchesNothingLeavesTheRunEventForEventTheSame() {
        final Simulator plain = elect(null);
        final Simulator faulted = elect(new MessageFault(MessageAction.DROP, MessageFault.EVERY, 2,
            MessageKind.SNAPSHOT_CHUNK, 1, 0));
        assertEquals(plain.traceHash(), faulted.traceHash());
        assertEquals(plain.nowNs(), faulted.nowNs());
        assertEquals(plain.messagesDelivered(), faulted.messagesDelivered());
        assertEquals(2, faulted.messageFaultsPending(), "one rule per link: 1->2 and 3->2, neither used");
    }

    @Test
    void aDelayedLeaderInfoHoldsTheEstablishedLeaderBackByTheDelay() {
        final Simulator plain = elect(null);
        final Simulator delayed = elect(new MessageFault(MessageAction.DELAY, 3, MessageFault.EVERY,
            MessageKind.LEADER_INFO, 1, TimeUnit.SECONDS.toNanos(1)));
        final long heldBack = delayed.nowNs() - plain.nowNs();
        assertTrue(heldBack >= TimeUnit.MILLISECONDS.toNanos(990) && heldBack <= TimeUnit.MILLISECONDS.toNanos(1010),
            "held back by " + heldBack + " ns");
        assertEquals(0, delayed.messageFaultsPending(), "the LEADERINFO to 1 and to 2 each used its rule up");
        assertTrue(delayed.violations().isEmpty(), delayed.violations().toString());
    }

    @Test
    void droppedAndDuplicatedNotificationsChangeTheDeliveriesOnlyByWhatTheyName() {
        final Simulator plain = elect(null);
        final Simulator duplicated =
            elect(new MessageFault(MessageAction.DUPLICATE, 1, 3, MessageKind.NOTIFICATION, 1, 0));
        assertNotEquals(plain.messagesDelivered(), duplicated.messagesDelivered());
        assertEquals(0, duplicated.messageFaultsPending());
        final Simulator dropped = elect(new MessageFault(MessageAction.DROP, 1, 3, MessageKind.NOTIFICATION, 1000, 0));
        assertEquals(1, dropped.messageFaultsPending(), "1 sends 3 fewer than 1,000 notifications in one election");
        assertTrue(dropped.isStable());
        assertTrue(dropped.violations().isEmpty(), dropped.violations().toString());
    }

    @Test
    void aFaultNeedsTwoServersAndAPositiveCount() {
        assertThrows(IllegalArgumentException.class,
            () -> new MessageFault(MessageAction.DROP, 1, 1, MessageKind.ACK, 1, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new MessageFault(MessageAction.DROP, 1, 2, MessageKind.ACK, 0, 0));
        assertThrows(IllegalArgumentException.class,
            () -> new MessageFault(MessageAction.DELAY, 1, 2, MessageKind.ACK, 1, 0));
    }

    /** Three servers elect from scratch on a LAN, with {@code fault} (if any) set before they start. */
    private static Simulator elect(final MessageFault fault) {
        final Ensemble ensemble = Ensemble.builder().participant(1).participant(2).participant(3).build();
        final Simulator sim =
            new Simulator(ensemble, ElectionPolicy.ZOOKEEPER, NodeTiming.DEFAULT, NetworkModel.LAN, 7);
        if (fault != null) {
            sim.faultMessages(fault);
        }
        for (long sid = 1; sid <= 3; sid++) {
            sim.start(sid);
        }
        assertTrue(sim.runUntilStable(BOUND_NS), sim.describe());
        return sim;
    }
}
