package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;

/**
 * Real ZooKeeper servers at our ports, played by raw sockets that send what ZooKeeper 3.9.5 sends: a
 * legacy observer's election header ({@code QuorumCnxManager.handleConnection}), a learner's
 * FOLLOWERINFO on our quorum port ({@code Learner.registerWithLeader}), and a leader's quorum port
 * that takes our connection and hangs up without a byte ({@code LearnerHandler.run}).
 */
@ExtendWith(LeakWatch.class)
class ZooKeeperPeerTest {
    private static final int MIN_MS = 10;
    private static final int MAX_MS = 200;

    @Test
    void legacyObserverIdGetsATemporaryIdAndTheTieBreakClosesIt() throws Exception {
        try (Loopback nodes = new Loopback(3, null)) {
            nodes.startAll();
            final int port = nodes.node(1).electionAddress().getPort();
            // V1 with an address, then the pre-3.5 form: the sid alone.
            assertClosedAfter(port, header(-65536L, Long.MAX_VALUE, "127.0.0.1:1"));
            assertClosedAfter(port, header(Long.MAX_VALUE, -1, null));
            final TransportCounters counters = nodes.counters(1);
            Loopback.await(5_000, "both counted", () -> counters.refusedCount(RefuseReason.LEGACY_OBSERVER_ID) == 2);
            assertEquals(0, counters.refusedCount(RefuseReason.UNKNOWN_SID), "not refused as an unknown sid");
            assertEquals(0, counters.refusedCount(RefuseReason.BAD_HEADER));
        }
    }

    @Test
    void zooKeeperLearnerIsHeldUnansweredAndReported() throws Exception {
        try (Loopback nodes = new Loopback(3, null)) {
            nodes.startAll();
            final PeerTransport node1 = nodes.node(1);
            final int port = node1.quorumAddress().getPort();
            try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port)) {
                first.getOutputStream().write(followerInfo(3));
                first.setSoTimeout(500);
                // Held: neither answered nor closed, so the learner waits for its own timeout.
                assertThrows(SocketTimeoutException.class, () -> first.getInputStream().read());
                assertEquals(Incompatibility.ZOOKEEPER_LEARNER, node1.incompatibility(3));
                assertTrue(node1.incompatiblePeersJson().contains("{\"sid\":3,\"reason\":\"zookeeper_learner\""),
                    node1.incompatiblePeersJson());
                try (Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    second.getOutputStream().write(followerInfo(3));
                    first.setSoTimeout(5_000);
                    assertEquals(-1, first.getInputStream().read(), "the newer connection of sid 3 replaces it");
                    second.setSoTimeout(5_000);
                    assertEquals(-1, second.getInputStream().read(), "closed at the handshake deadline");
                }
            }
            assertEquals(2, nodes.counters(1).refusedCount(RefuseReason.ZOOKEEPER_LEARNER));
            assertEquals(0, nodes.counters(1).refusedCount(RefuseReason.BAD_HEADER));
            assertEquals(0, nodes.counters(1).refusedCount(RefuseReason.HANDSHAKE_TIMEOUT));
            assertTrue(node1.incompatiblePeersJson().contains("\"times\":2"), node1.incompatiblePeersJson());
        }
    }

    @Test
    void zooKeeperLeaderThatHangsUpIsRedialedWithBackoffAndReported() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = List.of(
            new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
            new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false));
        final AtomicInteger dials = new AtomicInteger();
        try (ServerSocket leader = new ServerSocket();
             PeerTransport node2 = transport(2, servers)) {
            leader.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[0]));
            final Thread acceptor = new Thread(() -> hangUpOnEveryDial(leader, dials), "zookeeper-leader");
            acceptor.start();
            try {
                // As a learner: the LEARNER_INFO kept while the link is down goes out on the first connection.
                assertTrue(node2.publisher().sendLearnerInfo(1, 0, 0, 0));
                node2.start();
                Loopback.await(5_000, "sid 1 found incompatible", () -> node2.incompatibility(1) != null);
                assertEquals(Incompatibility.ZOOKEEPER_LEADER, node2.incompatibility(1));
                final PeerLink link = node2.link(PortKind.QUORUM, 0);
                Loopback.await(5_000, "backed off to the cap", () -> link.backoffMs() == MAX_MS);
                final int dialed = dials.get();
                // The ramp from MIN to MAX doubles: log2(MAX / MIN) dials and a few more.
                assertTrue(dialed >= 2 && dialed <= 10, dialed + " dials before the backoff reached its cap");
            } finally {
                leader.close();
                acceptor.join(5_000);
            }
        }
    }

    @Test
    void ourOwnResetOrAPeerThatSpokeIsNotIncompatible() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(10_000);
            final PeerTransport node2 = nodes.node(2);
            final QuorumLink link = (QuorumLink)node2.link(PortKind.QUORUM, 0);
            // Node 1 has no agent: LEARNER_INFO goes unanswered, and we reset the link ourselves.
            assertTrue(node2.publisher().sendLearnerInfo(1, 0, 0, 0));
            Loopback.await(5_000, "LEARNER_INFO sent", () -> nodes.counters(2).get(TransportCounters.QUORUM_SENT) == 1);
            link.eventLoop.submit(() -> link.resetConnection("test")).sync();
            Loopback.await(5_000, "the reset seen", () -> nodes.counters(2).get(TransportCounters.LINKS_DOWN) >= 1);
            nodes.awaitQuorumLinks(10_000);
            assertNull(node2.incompatibility(1), "our own reset says nothing about the peer");
            // Node 1 answers, then goes away: a peer that spoke our protocol is not incompatible.
            assertTrue(node2.publisher().sendLearnerInfo(1, 0, 0, 0));
            assertTrue(nodes.node(1).publisher().sendLearnerReject(2));
            Loopback.await(5_000, "the reject received",
                () -> nodes.counters(2).get(TransportCounters.QUORUM_RECEIVED) == 1);
            nodes.node(1).close();
            Loopback.await(5_000, "the link down", () -> !node2.isQuorumLinkUp(1));
            assertNull(node2.incompatibility(1));
            assertEquals("[]", node2.incompatiblePeersJson());
        }
    }

    /** Accepts, reads what arrives within 100 ms, and closes without a byte, as a ZooKeeper leader does. */
    private static void hangUpOnEveryDial(final ServerSocket leader, final AtomicInteger dials) {
        final byte[] sink = new byte[4096];
        try {
            while (true) {
                try (Socket socket = leader.accept()) {
                    dials.incrementAndGet();
                    socket.setSoTimeout(100);
                    try {
                        final InputStream in = socket.getInputStream();
                        while (in.read(sink) > 0) {
                            continue;
                        }
                    } catch (final SocketTimeoutException enough) {
                        // LearnerHandler gives up on what it read.
                    }
                }
            }
        } catch (final IOException closed) {
            // Done.
        }
    }

    private static PeerTransport transport(final long sid, final List<PeerAddress> servers) {
        final TransportConfig config = new TransportConfig()
            .mySid(sid)
            .ensemble(Ensemble.majority(2))
            .servers(servers)
            .handshakeTimeoutMs(2_000)
            .reconnectBackoffMs(MIN_MS, MAX_MS)
            .conclude();
        return new PeerTransport(config, MemberAgent.newInboundRing(1 << 16), new TransportCounters());
    }

    /** An election-port header: {@code first}, then (unless the pre-3.5 form) the sid and address. */
    private static byte[] header(final long first, final long sid, final String address) throws IOException {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeLong(first);
        if (address != null) {
            final byte[] text = address.getBytes(StandardCharsets.UTF_8);
            out.writeLong(sid);
            out.writeInt(text.length);
            out.write(text);
        }
        return bytes.toByteArray();
    }

    /** ZooKeeper 3.9's FOLLOWERINFO as jute writes it: type, zxid, LearnerInfo (sid, 0x10000, config), no auth. */
    private static byte[] followerInfo(final long sid) throws IOException {
        final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(11);
        out.writeLong(0);
        out.writeInt(20);
        out.writeLong(sid);
        out.writeInt(0x10000);
        out.writeLong(0);
        out.writeInt(-1);
        return bytes.toByteArray();
    }

    private static void assertClosedAfter(final int port, final byte[] header) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(header);
            assertEquals(-1, socket.getInputStream().read(), "closed by the tie-break");
        }
    }
}
