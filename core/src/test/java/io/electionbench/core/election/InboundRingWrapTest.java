package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.Test;

import io.electionbench.core.quorum.Ensemble;

/**
 * A message whose record wraps to the start of the agent's inbound ring is read in the same duty cycle
 * as the padding before it. A ring read stops at the buffer's end, so one read per cycle left it for a
 * later cycle, and a cycle that read only the padding reported no work, so the agent idled with the
 * message waiting (a new leader kept an ACKEPOCH unread for a ping interval in the simulator).
 */
class InboundRingWrapTest {
    /** LEARNER_INFO records from a non-member: each is read, counted as dropped and changes nothing else. */
    private static final long STRANGER = 99;

    @Test
    void aMessageThatWrapsIsReadInTheCycleThatReadsThePaddingBeforeIt() {
        final AgentHarness h = new AgentHarness(1, Ensemble.majority(3), ElectionPolicy.FAST).start();
        final int capacity = h.agent.inbound().capacity();
        final int record = RecordDescriptor.HEADER_LENGTH + LearnerInfoFlyweight.LENGTH;
        assertTrue(capacity % record != 0, "the records must not tile the ring exactly, or nothing would wrap");
        // Fill the ring up to less than one record before its end, a message per duty cycle.
        final int beforeEnd = capacity / record;
        long dropped = h.agent.messagesDropped();
        for (int i = 0; i < beforeEnd; i++) {
            assertTrue(InboundMessages.offerLearnerInfo(h.agent.inbound(), STRANGER, 0, 0, 0));
            h.agent.doWork(h.nowNs);
            assertEquals(++dropped, h.agent.messagesDropped(), "message " + i);
        }
        // The next record does not fit before the end: padding there, the record at the start.
        assertTrue(InboundMessages.offerLearnerInfo(h.agent.inbound(), STRANGER, 0, 0, 0));
        final int work = h.agent.doWork(h.nowNs);
        assertEquals(dropped + 1, h.agent.messagesDropped(), "the wrapped message is read in the same cycle");
        assertTrue(work > 0, "and the cycle reports work");
        assertEquals(0, h.agent.inbound().size(), "nothing is left waiting");
    }
}
