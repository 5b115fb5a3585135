package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * The pipeline of an established peer connection (docs/transport.md, "Pipeline and links"): the
 * handshake handler has given its place to the link's frame handler, and a fault handler stands in
 * front of that only once faults are enabled, on the connections open then and on every later one.
 */
@ExtendWith(LeakWatch.class)
class PipelineTest {
    private static final long TIMEOUT_MS = 10_000;

    @Test
    void anEstablishedConnectionHasItsFrameHandlerAndFaultsOnlyOnceEnabled() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            Loopback.await(TIMEOUT_MS, "the election links", () -> nodes.node(1).isElectionLinkUp(2)
                && nodes.node(2).isElectionLinkUp(1));
            for (final long sid : new long[] {1, 2}) {
                assertEquals(List.of(ElectionFrameHandler.NAME), handlers(nodes, sid, PortKind.ELECTION),
                    "node " + sid);
                assertEquals(List.of(QuorumFrameHandler.NAME), handlers(nodes, sid, PortKind.QUORUM), "node " + sid);
            }
            assertThrows(IllegalStateException.class, () -> nodes.node(1).faults().isolate(2),
                "a fault nothing would apply is refused");
            assertFalse(nodes.node(1).faults().isEnabled());

            assertTrue(nodes.node(1).enableFaults().isEnabled());
            assertEquals(List.of(FaultHandler.NAME, ElectionFrameHandler.NAME), handlers(nodes, 1, PortKind.ELECTION),
                "the open connections have it as soon as enableFaults returns");
            assertEquals(List.of(FaultHandler.NAME, QuorumFrameHandler.NAME), handlers(nodes, 1, PortKind.QUORUM));
            assertEquals(List.of(QuorumFrameHandler.NAME), handlers(nodes, 2, PortKind.QUORUM), "the peer's do not");

            final Channel before = channel(nodes, 1, PortKind.QUORUM);
            nodes.node(1).publisher().resetQuorumLink(2);
            Loopback.await(TIMEOUT_MS, "a new quorum connection", () -> {
                final Channel now = channel(nodes, 1, PortKind.QUORUM);
                return now != null && now != before;
            });
            assertNotSame(before, channel(nodes, 1, PortKind.QUORUM));
            assertEquals(List.of(FaultHandler.NAME, QuorumFrameHandler.NAME), handlers(nodes, 1, PortKind.QUORUM),
                "a connection established later has it too");
        }
    }

    /**
     * Faults enabled on a connection that holds the first half of a frame: the fault handler takes
     * that half over and so starts on the frame boundary. Isolated at once, the peer's next two
     * frames are dropped whole (the completed one and the one after it), nothing of them reaches the
     * agent, nothing is a bad frame, and the connection stays up until the heal resets it.
     */
    @Test
    void faultsEnabledWithHalfAFrameBufferedTakeItOverAndStartOnTheFrameBoundary() throws Exception {
        try (Loopback nodes = new Loopback(2, null); Socket peer = new Socket()) {
            nodes.node(1).start();
            peer.connect(new InetSocketAddress("127.0.0.1", nodes.quorumPort(1)), (int)TIMEOUT_MS);
            final OutputStream out = peer.getOutputStream();
            out.write(bytes(b -> QuorumHeaderCodec.encode(b, 2)));
            Loopback.await(TIMEOUT_MS, "the raw peer's quorum link", () -> nodes.node(1).isQuorumLinkUp(2));
            final byte[] second = proposal(2);
            final int half = second.length / 2;
            final byte[] first = proposal(1);
            final byte[] firstAndHalf = Arrays.copyOf(first, first.length + half);
            System.arraycopy(second, 0, firstAndHalf, first.length, half);
            out.write(firstAndHalf);
            out.flush();
            assertEquals(1, QuorumLinkTest.drain(nodes.ring(1), 1).get(0).longs[0], "proposal 1 delivered");
            final PeerFrameHandler frames = (PeerFrameHandler)channel(nodes, 1, PortKind.QUORUM).pipeline()
                .get(QuorumFrameHandler.NAME);
            Loopback.await(TIMEOUT_MS, "half of proposal 2 buffered",
                () -> onLoop(nodes, frames::bufferedBytes) == half);

            nodes.node(1).enableFaults().isolate(2);
            out.write(Arrays.copyOfRange(second, half, second.length));
            out.write(proposal(3));
            out.flush();
            Loopback.await(TIMEOUT_MS, "proposals 2 and 3 dropped",
                () -> nodes.counters(1).get(TransportCounters.FAULT_DROPPED) == 2);
            final List<InboundRecord> reached = new ArrayList<>();
            nodes.ring(1).read((type, buffer, index, length) -> reached.add(InboundRecord.read(type, buffer, index)));
            assertEquals(List.of(), reached, "nothing of them reached the agent");
            assertEquals(0, nodes.counters(1).badFrames(WireError.BAD_FRAME_LENGTH), "no frame was cut apart");
            assertTrue(nodes.node(1).isQuorumLinkUp(2), "an isolation keeps the connection");
            nodes.node(1).healFaults();
            Loopback.await(TIMEOUT_MS, "the reset of a connection that dropped frames",
                () -> !nodes.node(1).isQuorumLinkUp(2));
        }
    }

    /**
     * A node deaf to a peer (a one-way cut on its side) drops every frame from that peer on arrival and
     * still sends its own: the peer gets node 1's proposal, node 1 gets nothing of the peer's, the
     * connection stays up, and the heal resets it since frames were lost on it.
     */
    @Test
    void aDeafenedPeersFramesAreDroppedWhileOursStillReachIt() throws Exception {
        try (Loopback nodes = new Loopback(2, null)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            nodes.node(1).enableFaults().deafen(2);
            assertArrayEquals(new long[] {2}, nodes.node(1).faults().deafSids());
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
            Loopback.await(TIMEOUT_MS, "node 2's proposal sent", () -> nodes.node(2).publisher()
                .sendProposal(1, 7, payload, 0, payload.capacity()));
            Loopback.await(TIMEOUT_MS, "node 2's proposal dropped at node 1",
                () -> nodes.counters(1).get(TransportCounters.FAULT_DROPPED) == 1);
            Loopback.await(TIMEOUT_MS, "node 1's proposal sent", () -> nodes.node(1).publisher()
                .sendProposal(2, 9, payload, 0, payload.capacity()));
            assertEquals(9, QuorumLinkTest.drain(nodes.ring(2), 1).get(0).longs[0], "node 1's proposal reached 2");
            final List<InboundRecord> reached = new ArrayList<>();
            nodes.ring(1).read((type, buffer, index, length) -> {
                if (type != InboundMessages.PEER_CONNECTED) {
                    reached.add(InboundRecord.read(type, buffer, index));
                }
            });
            assertEquals(List.of(), reached, "nothing of node 2's reached node 1's agent");
            assertTrue(nodes.node(1).isQuorumLinkUp(2), "a one-way cut keeps the connection");
            nodes.node(1).healFaults();
            assertArrayEquals(new long[0], nodes.node(1).faults().deafSids());
            Loopback.await(TIMEOUT_MS, "the reset of a connection that dropped frames",
                () -> !nodes.node(1).isQuorumLinkUp(2));
        }
    }

    /** A PROPOSAL frame whose payload is all ones, so bytes from its middle never read as a frame length. */
    private static byte[] proposal(final long zxid) {
        final byte[] payload = new byte[200];
        Arrays.fill(payload, (byte)0xFF);
        return bytes(b -> QuorumMessageCodec.encodeProposal(b, zxid, new UnsafeBuffer(payload), 0, payload.length));
    }

    private static byte[] bytes(final Consumer<ByteBuf> encoder) {
        final ByteBuf buf = Unpooled.buffer();
        try {
            encoder.accept(buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static <T> T onLoop(final Loopback nodes, final Callable<T> task) {
        try {
            return channel(nodes, 1, PortKind.QUORUM).eventLoop().submit(task).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (final Exception ex) {
            throw new AssertionError(ex);
        }
    }

    /**
     * Faults enabled on both ends while a stream of proposals of many sizes is under way and the
     * learner's ring is full (its connection paused with whole frames buffered): the fault handlers
     * join, the frame handler keeps and delivers what it holds, and every proposal arrives once, in
     * order, on the same connection.
     */
    @Test
    void faultsEnabledMidStreamStartOnAFrameBoundaryAndLoseNothing() throws Exception {
        final int proposals = 2_000;
        try (Loopback nodes = new Loopback(2, null, 64 * 1024)) {
            nodes.startAll();
            nodes.awaitQuorumLinks(TIMEOUT_MS);
            final Channel learnerChannel = channel(nodes, 1, PortKind.QUORUM);
            final TestProposals.Verifier learner = new TestProposals.Verifier(nodes.ring(1), proposals);
            final PeerPublisher publisher = nodes.node(2).publisher();
            send(publisher, 1, proposals / 4, learner, false);
            Loopback.await(TIMEOUT_MS, "the learner's connection paused",
                () -> nodes.counters(1).get(TransportCounters.INBOUND_PAUSED) > 0);
            nodes.node(1).enableFaults();
            nodes.node(2).enableFaults();
            assertEquals(List.of(FaultHandler.NAME, QuorumFrameHandler.NAME), handlers(nodes, 1, PortKind.QUORUM));
            send(publisher, proposals / 4 + 1, proposals, learner, true);
            Loopback.await(TIMEOUT_MS, "every proposal at the learner (" + learner.last() + ")", learner::poll);
            assertEquals("", learner.errors.toString());
            assertEquals(0, nodes.counters(1).badFrames(WireError.BAD_FRAME_LENGTH) + nodes.counters(1)
                .badFrames(WireError.BAD_MAGIC) + nodes.counters(1).badFrames(WireError.UNKNOWN_TYPE));
            assertEquals(learnerChannel, channel(nodes, 1, PortKind.QUORUM), "the connection never dropped");
            assertEquals(0, nodes.counters(1).get(TransportCounters.FAULT_DROPPED));
        }
    }

    /** Sends proposals {@code from..to} (TestProposals), waiting for writability; drains the learner if asked. */
    private static void send(final PeerPublisher publisher, final long from, final long to,
        final TestProposals.Verifier learner, final boolean isDraining) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
        for (long zxid = from; zxid <= to; zxid++) {
            while (!publisher.isWritable(1)) {
                assertTrue(System.nanoTime() - deadline < 0, "the link never became writable again");
                if (isDraining) {
                    learner.poll();
                }
                LockSupport.parkNanos(10_000);
            }
            final byte[] payload = TestProposals.payload(zxid);
            assertTrue(publisher.sendProposal(1, zxid, new UnsafeBuffer(payload), 0, payload.length),
                "proposal " + zxid);
            if (isDraining) {
                learner.poll();
            }
        }
    }

    private static Channel channel(final Loopback nodes, final long sid, final PortKind kind) {
        final long peer = sid == 1 ? 2 : 1;
        return nodes.node(sid).link(kind, (int)peer - 1).liveChannel();
    }

    /** The names of the handlers in the pipeline of {@code sid}'s connection to its peer, without Netty's own. */
    private static List<String> handlers(final Loopback nodes, final long sid, final PortKind kind) throws Exception {
        final Channel ch = channel(nodes, sid, kind);
        // Read on the event loop: the handshake handler leaves there.
        return ch.eventLoop().submit(() -> ch.pipeline().names().stream()
            .filter(name -> !name.startsWith("DefaultChannelPipeline$"))
            .collect(Collectors.toList())).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
