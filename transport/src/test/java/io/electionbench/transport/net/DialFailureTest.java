package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;

/**
 * A dial the agent asks for ({@code PeerPublisher.connect}) to a member whose ports are closed is
 * reported to it as PEER_UNREACHABLE, once per call, from either side of the tie-break: the larger
 * sid dials the quorum port, the smaller one prompts on the election port.
 */
@ExtendWith(LeakWatch.class)
class DialFailureTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void aDialToAClosedPortIsReportedToTheAgentOncePerCall(final long mySid) throws Exception {
        final long peerSid = 3 - mySid;
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = List.of(
            new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
            new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false));
        final TransportConfig config = new TransportConfig()
            .mySid(mySid)
            .ensemble(Ensemble.majority(2))
            .servers(servers)
            .reconnectBackoffMs(5_000, 5_000)
            .authSecret(SECRET)
            .conclude();
        final RingBuffer ring = MemberAgent.newInboundRing(1 << 16);
        final AtomicInteger unreachable = new AtomicInteger();
        try (PeerTransport node = new PeerTransport(config, ring, new TransportCounters())) {
            node.start();
            // The first dial at start fails too, unasked: it is not reported, and the 5 s backoff holds the next.
            Loopback.await(5_000, "the dial at start refused",
                () -> node.counters().get(TransportCounters.CONNECTS_FAILED) >= 1);
            final MessageHandler counter = (type, buffer, index, length) -> {
                if (type == InboundMessages.PEER_UNREACHABLE) {
                    assertEquals(peerSid, buffer.getLong(index), "the peer that cannot be reached");
                    unreachable.incrementAndGet();
                }
            };
            for (int call = 1; call <= 2; call++) {
                node.publisher().connect(peerSid);
                final int expected = call;
                Loopback.await(5_000, "PEER_UNREACHABLE " + call, () -> {
                    ring.read(counter);
                    return unreachable.get() >= expected;
                });
            }
            // Reports are offered in the order of the link's failures: a report of the unasked dial at
            // start would be on the ring by now.
            ring.read(counter);
            assertEquals(2, unreachable.get(), "one report per call, none for the dial at start");
        }
    }
}
