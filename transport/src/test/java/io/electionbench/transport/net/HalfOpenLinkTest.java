package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;

/**
 * A half-open election link: node 2 (the larger sid) keeps a connection whose other end node 1 no longer has, as a
 * REJECT cut on node 1's host leaves it (node 1's own firewall resets its socket; the reset never reaches node 2).
 * Node 1, played here by raw sockets, can only prompt. A prompt on a link up for longer than twice reconnectMaxMs
 * makes node 2 close it and dial again; a prompt right after the link came up does not. Before, node 2 ignored every
 * prompt while its link was "up" and node 1 stayed cut off until node 2 next wrote to it.
 */
@ExtendWith(LeakWatch.class)
class HalfOpenLinkTest {
    private static final int MIN_MS = 10;
    private static final int MAX_MS = 1_000;
    private static final long STALE_MS = 2L * MAX_MS;

    @Test
    void aPromptOnALinkLongUpRedialsItAndOneRightAfterItCameUpDoesNot() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final LinkedBlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        try (ServerSocket node1 = new ServerSocket()) {
            node1.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports[1]));
            final Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(node1.accept());
                    }
                } catch (final IOException closed) {
                    // Done.
                }
            }, "node-1-election-port");
            acceptor.start();
            try (PeerTransport node2 = transport(List.of(
                new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
                new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false)))) {
                node2.start();
                final Socket first = accepted.poll(10, TimeUnit.SECONDS);
                assertNotNull(first, "node 2 dialed node 1's election port");
                try {
                    Loopback.await(5_000, "node 2's election link up", () -> node2.isElectionLinkUp(1));
                    final long upNs = System.nanoTime();

                    // A prompt that crossed node 2's dial: the fresh link stands.
                    prompt(ports[3], ports[1]);
                    assertNull(accepted.poll(300, TimeUnit.MILLISECONDS), "a prompt right after the link came up");
                    assertEquals(0, node2.counters().get(TransportCounters.HALF_OPEN_RESETS));

                    // Node 1 forgets the connection without a word; node 2 has nothing to send on it and stays up.
                    final long waitMs = STALE_MS + 200 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upNs);
                    assertNull(accepted.poll(Math.max(0, waitMs), TimeUnit.MILLISECONDS), "no redial of its own");
                    assertTrue(node2.isElectionLinkUp(1), "node 2 still believes in its link");

                    final long promptNs = System.nanoTime();
                    prompt(ports[3], ports[1]);
                    final Socket second = accepted.poll(5, TimeUnit.SECONDS);
                    assertNotNull(second, "node 2 redials after a prompt on its half-open link");
                    second.close();
                    final long redialMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - promptNs);
                    assertTrue(redialMs < MAX_MS, "redialled " + redialMs + " ms after the prompt");
                    assertEquals(1, node2.counters().get(TransportCounters.HALF_OPEN_RESETS));
                    assertTrue(isClosedByPeer(first), "node 2 closed the half-open connection");
                } finally {
                    first.close();
                }
            } finally {
                node1.close();
                acceptor.join(5_000);
                Socket s;
                while ((s = accepted.poll()) != null) {
                    s.close();
                }
            }
        }
    }

    private static PeerTransport transport(final List<PeerAddress> servers) {
        final TransportConfig config = new TransportConfig()
            .mySid(2)
            .ensemble(Ensemble.majority(2))
            .servers(servers)
            .handshakeTimeoutMs(2_000)
            .reconnectBackoffMs(MIN_MS, MAX_MS)
            .conclude();
        return new PeerTransport(config, MemberAgent.newInboundRing(1 << 16), new TransportCounters());
    }

    /** Reads what node 2 sent (its header) until the end of the stream, within 5 s. */
    private static boolean isClosedByPeer(final Socket socket) throws IOException {
        socket.setSoTimeout(5_000);
        final InputStream in = socket.getInputStream();
        final byte[] buffer = new byte[512];
        try {
            while (true) {
                if (in.read(buffer) < 0) {
                    return true;
                }
            }
        } catch (final SocketTimeoutException ex) {
            return false;
        } catch (final IOException reset) {
            return true;
        }
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
