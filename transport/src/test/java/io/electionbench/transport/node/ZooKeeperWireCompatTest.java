package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.LeakWatch;

/**
 * A raw-socket peer speaking ZooKeeper 3.9's V1 header and notification layout gets correctly laid
 * out answers, checked field by field at ZooKeeper's offsets.
 */
@ExtendWith(LeakWatch.class)
class ZooKeeperWireCompatTest {
    @TempDir
    Path dir;

    @Test
    void lookingNodeAnswersV1PeerAtZooKeeperOffsets() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3);
             ServerSocket sid3Listener =
                 new ServerSocket(ensemble.electionPorts[2], 50, InetAddress.getLoopbackAddress())) {
            ensemble.start(1);
            // Node 1 (smaller sid) prompts sid 3: V1 header, then it closes (ZooKeeper's tie-break).
            try (Socket prompt = sid3Listener.accept()) {
                prompt.setSoTimeout(3000);
                final DataInputStream in = new DataInputStream(prompt.getInputStream());
                assertEquals(-65536L, in.readLong(), "protocol version V1");
                assertEquals(1L, in.readLong(), "sid");
                final byte[] address = new byte[in.readInt()];
                in.readFully(address);
                assertEquals("127.0.0.1:" + ensemble.electionPorts[0], new String(address, StandardCharsets.UTF_8));
                assertEquals(-1, in.read(), "the smaller sid closes after its header");
            }
            try (RawPeer peer = new RawPeer(ensemble.electionPorts[0])) {
                peer.headerV1(3, "127.0.0.1:" + ensemble.electionPorts[2]);
                // A LOOKING voter from round 0 (< node 1's round 1): node 1 answers with its proposal.
                peer.frame(RawPeer.notification(0, 3, 0, 0, 0));
                assertProposal(ensemble, peer.readNotification(n -> true));
                // The legacy 28-byte form is accepted too (peerEpoch = zxid >> 32).
                peer.frame(ByteBuffer.allocate(28).putInt(0).putLong(3).putLong(0).putLong(0).array());
                assertProposal(ensemble, peer.readNotification(n -> true));
            }
        }
    }

    @Test
    void decidedNodeAnswersLookingPeerWithItsStateAndVote() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.start(1);
            ensemble.start(2);
            // Serving: the epoch is established, so the vote carries it (ZooKeeper's updateElectionVote).
            final long leader = ensemble.awaitServing(10_000);
            final NodeStatus status = ensemble.nodes[1].status();
            try (RawPeer peer = new RawPeer(ensemble.electionPorts[0])) {
                peer.headerV1(3, "127.0.0.1:" + ensemble.electionPorts[2]);
                peer.frame(RawPeer.notification(0, 3, 0, 0, 0));
                final ByteBuffer reply = peer.readNotification(n -> n.getInt(0) != 0);
                assertEquals(leader == 1 ? 2 : 1, reply.getInt(0), "state ordinal FOLLOWING=1 / LEADING=2");
                assertEquals(leader, reply.getLong(4), "leader");
                assertEquals(0L, reply.getLong(12), "zxid");
                assertEquals(status.electionEpoch(), reply.getLong(20), "electionEpoch of the decided vote");
                assertEquals(1L, reply.getLong(28), "peerEpoch: the epoch established after the election");
                assertEquals(2, reply.getInt(36), "version");
                assertEquals(reply.capacity() - 44, reply.getInt(40), "configLength");
            }
        }
    }

    private static void assertProposal(final TestEnsemble ensemble, final ByteBuffer n) {
        assertEquals(0, n.getInt(0), "state LOOKING");
        assertEquals(1L, n.getLong(4), "leader: its own sid");
        assertEquals(0L, n.getLong(12), "zxid");
        assertEquals(1L, n.getLong(20), "electionEpoch: its first round");
        assertEquals(0L, n.getLong(28), "peerEpoch");
        assertEquals(2, n.getInt(36), "version");
        final int configLength = n.getInt(40);
        assertEquals(n.capacity() - 44, configLength);
        final String config = new String(n.array(), 44, configLength, StandardCharsets.UTF_8);
        for (int i = 0; i < 3; i++) {
            assertTrue(config.contains("server." + (i + 1) + "=127.0.0.1:" + ensemble.quorumPorts[i] + ":"
                + ensemble.electionPorts[i] + ":participant\n"), config);
        }
        assertTrue(config.endsWith("\nversion=0"), config);
    }
}
