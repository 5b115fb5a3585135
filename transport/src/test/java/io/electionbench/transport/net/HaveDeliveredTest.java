package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;

/**
 * {@code PeerPublisher.haveDelivered} as ZooKeeper's {@code QuorumCnxManager.haveDelivered}: false
 * while the notification sent to the only peer waits for a connection, true once the link is up and
 * has taken it.
 */
@ExtendWith(LeakWatch.class)
class HaveDeliveredTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    @Test
    void aNotificationWaitingForAConnectionIsNotDeliveredAndIsOnceTheLinkIsUp() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = List.of(
            new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
            new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false));
        try (PeerTransport node2 = transport(2, servers)) {
            node2.start();
            final PeerPublisher publisher = node2.publisher();
            assertFalse(publisher.haveDelivered(), "nothing sent yet");
            publisher.sendNotification(1, ServerState.LOOKING.code(), 2, 0, 1, 0);
            Loopback.await(5_000, "the dial to the absent node 1 refused",
                () -> node2.counters().get(TransportCounters.CONNECTS_FAILED) >= 1);
            assertFalse(publisher.haveDelivered(), "node 1 is down: the notification waits");
            try (PeerTransport node1 = transport(1, servers)) {
                node1.start();
                Loopback.await(10_000, "delivered once the link is up", publisher::haveDelivered);
            }
        }
    }

    private static PeerTransport transport(final long sid, final List<PeerAddress> servers) {
        final TransportConfig config = new TransportConfig()
            .mySid(sid)
            .ensemble(Ensemble.majority(2))
            .servers(servers)
            .reconnectBackoffMs(10, 50)
            .authSecret(SECRET)
            .conclude();
        return new PeerTransport(config, MemberAgent.newInboundRing(1 << 16), new TransportCounters());
    }
}
