package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;

/**
 * Prompts from the smaller sid do not defeat the larger sid's reconnect backoff: while its dials keep
 * failing their handshake, node 2 redials at its backoff's pace however often node 1 prompts, and a
 * completed handshake resets the backoff.
 */
@ExtendWith(LeakWatch.class)
class PromptBackoffTest {
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);
    private static final int MIN_MS = 10;
    private static final int MAX_MS = 200;
    private static final long PROMPTING_MS = 2_000;

    @Test
    void promptsDoNotResetTheBackoffAndAHandshakeDoes() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = twoServers(ports);
        final AtomicInteger dials = new AtomicInteger();
        try (PeerTransport node2 = transport(2, servers)) {
            // Node 1's election port hangs up on every dial, as a peer with another secret fails it.
            final ServerSocket hangUp = new ServerSocket();
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        hangUp.accept().close();
                        dials.incrementAndGet();
                    }
                } catch (final IOException closed) {
                    // Done.
                }
            }, "hang-up");
            try {
                hangUp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[1]));
                acceptor.start();
                node2.start();
                int prompts = 0;
                final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROMPTING_MS);
                final int dialsBefore = dials.get();
                while (System.nanoTime() - endNs < 0) {
                    prompt(ports[3], ports[1]);
                    prompts++;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                final int dialed = dials.get() - dialsBefore;
                // At most one dial per backoff interval at its cap (drawn from [MAX/2, MAX]), plus the ramp up to it.
                final long bound = PROMPTING_MS / (MAX_MS / 2) + 8;
                assertTrue(prompts >= 50, "prompts sent: " + prompts);
                assertTrue(dialed <= bound,
                    dialed + " dials in " + PROMPTING_MS + " ms of " + prompts + " prompts, at most " + bound);
                assertTrue(node2.counters().refusedCount(RefuseReason.TRUNCATED_HANDSHAKE) >= 1);
            } finally {
                hangUp.close();
                acceptor.join(5_000);
            }
            final PeerLink link = node2.link(PortKind.ELECTION, 0);
            assertEquals(MAX_MS, link.backoffMs(), "backed off to the cap");
            try (PeerTransport node1 = transport(1, servers)) {
                node1.start();
                Loopback.await(10_000, "the election link up", () -> node2.isElectionLinkUp(1));
                Loopback.await(5_000, "the backoff reset by the handshake", () -> link.backoffMs() == MIN_MS);
            }
        }
    }

    @Test
    void aPromptFromAPeerThatWasUnreachableIsDialedBackAtOnce() throws Exception {
        // A fixed 5 s backoff: node 2's redial after its first refused dial comes 2.5-5 s later, so a
        // link up sooner than that was the prompt's doing (a restarted member rejoining, as in ZooKeeper).
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = twoServers(ports);
        try (PeerTransport node2 = transport(2, servers, 5_000, 5_000)) {
            node2.start();
            Loopback.await(5_000, "node 2's first dial refused", () ->
                node2.counters().get(TransportCounters.CONNECTS_FAILED) >= 1);
            try (PeerTransport node1 = transport(1, servers)) {
                final long startNs = System.nanoTime();
                node1.start();
                Loopback.await(10_000, "the election link up", () -> node2.isElectionLinkUp(1));
                final long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertTrue(upMs < 2_000,
                    "link up " + upMs + " ms after node 1 started: the prompt waited for the backoff");
            }
        }
    }

    /**
     * A restarted follower with the smaller sid cannot dial its leader's quorum port (the larger sid
     * dials it), so the prompt that brings the election link back must bring the quorum link back too:
     * without it the learner waited for the leader's quorum backoff (up to reconnectMaxMs), most of a
     * follower-crash rejoin.
     */
    @Test
    void aPromptFromAPeerThatWasUnreachableDialsItsQuorumLinkBackAtOnceToo() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final List<PeerAddress> servers = twoServers(ports);
        try (PeerTransport node2 = transport(2, servers, 5_000, 5_000)) {
            node2.start();
            Loopback.await(5_000, "node 2's first dials of both links refused", () ->
                node2.counters().get(TransportCounters.CONNECTS_FAILED) >= 2);
            try (PeerTransport node1 = transport(1, servers)) {
                final long startNs = System.nanoTime();
                node1.start();
                Loopback.await(10_000, "the quorum link up", () -> node2.isQuorumLinkUp(1));
                final long upMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertTrue(upMs < 2_000,
                    "quorum link up " + upMs + " ms after node 1 started: it waited for the backoff");
            }
        }
    }

    /** Servers 1 and 2 on loopback: election and quorum ports from {@code ports} (quorum first). */
    private static List<PeerAddress> twoServers(final int[] ports) {
        return List.of(
            new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
            new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false));
    }

    private static PeerTransport transport(final long sid, final List<PeerAddress> servers) {
        return transport(sid, servers, MIN_MS, MAX_MS);
    }

    private static PeerTransport transport(final long sid, final List<PeerAddress> servers, final int minMs,
        final int maxMs) {
        final TransportConfig config = new TransportConfig()
            .mySid(sid)
            .ensemble(Ensemble.majority(2))
            .servers(servers)
            .handshakeTimeoutMs(2_000)
            .reconnectBackoffMs(minMs, maxMs)
            .authSecret(SECRET)
            .conclude();
        return new PeerTransport(config, MemberAgent.newInboundRing(1 << 16), new TransportCounters());
    }

    /** What node 1 sends to prompt node 2: its ZooKeeper V1 header, then it hangs up. */
    private static void prompt(final int port, final int myElectionPort) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            final byte[] address = ("127.0.0.1:" + myElectionPort).getBytes(StandardCharsets.UTF_8);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeLong(-65536L);
            out.writeLong(1);
            out.writeInt(address.length);
            out.write(address);
            out.flush();
        }
    }
}
