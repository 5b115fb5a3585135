package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;

/**
 * The election link's outbound ring, drained by the event loop: a notification whose record wraps to
 * the ring's start is sent by the drain that reads the padding before it. One read per drain stops
 * at the ring's end, and the notification then waited for the agent's next notification to that
 * peer, which may be a resend tens of milliseconds later.
 */
@ExtendWith(LeakWatch.class)
class ElectionLinkTest {
    private static final long TIMEOUT_MS = 10_000;
    /** Bytes of one notification record in the outbound ring: 8 of header and 40 of fields. */
    private static final int RECORD_BYTES = 48;

    @Test
    void everyNotificationSentOneAtATimeArrivesAcrossTheRingsWrap() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            Loopback.await(TIMEOUT_MS, "the election link", () -> nodes.node(2).isElectionLinkUp(1));
            final int wrapsAfter = nodes.node(2).config().outboundRingBytes() / RECORD_BYTES + 1;
            for (long zxid = 1; zxid <= 3L * wrapsAfter; zxid++) {
                assertTrue(nodes.node(2).publisher().sendNotification(1, 0, 2, zxid, 1, 1), "notification " + zxid);
                final long expected = zxid;
                final long[] got = {-1};
                final String what = "notification " + zxid + " at 1, with no other send to wake the link";
                Loopback.await(TIMEOUT_MS, what, () -> {
                    nodes.ring(1).read((type, buffer, index, length) -> {
                        if (type == InboundMessages.NOTIFICATION) {
                            got[0] = buffer.getLong(index + 16);
                        }
                    });
                    return got[0] == expected;
                });
            }
        }
    }
}
