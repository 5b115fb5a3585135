package io.electionbench.loadgen.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PeerProxiesTest {
    @Test
    void aPartitionCutsExactlyTheLinksBetweenSides() throws IOException {
        final Map<Long, PeerProxies.Ports> servers = new HashMap<>();
        for (long sid = 1; sid <= 3; sid++) {
            servers.put(sid, new PeerProxies.Ports(20000 + (int)sid, 21000 + (int)sid));
        }
        try (PeerProxies proxies = new PeerProxies(servers, Set.of(22001))) {
            assertEquals(20002, proxies.quorum(1, 2).upstream().getPort());
            assertEquals(21003, proxies.election(2, 3).upstream().getPort());
            assertNotEquals(proxies.electionPort(1, 2), proxies.electionPort(3, 2),
                "each server has its own proxy to a peer");

            proxies.partition(new long[][] {{3}, {1, 2}});
            for (long a = 1; a <= 3; a++) {
                for (long b = 1; b <= 3; b++) {
                    if (a != b) {
                        final boolean crosses = a == 3 || b == 3;
                        assertEquals(crosses, proxies.election(a, b).isCut(), a + "->" + b);
                        assertEquals(crosses, proxies.quorum(a, b).isCut(), a + "->" + b);
                    }
                }
            }
            proxies.heal();
            assertFalse(proxies.election(1, 3).isCut() || proxies.quorum(3, 1).isCut());
        }
    }

    /**
     * Server 1 dials server 2's election port through its proxy; server 2, the larger sid, would dial
     * back the address in the header, and must find there its own proxy to server 1.
     */
    @Test
    void theElectionHeaderPointsTheDialBackAtTheReverseProxy() throws IOException {
        try (ServerSocket election1 = listen(); ServerSocket election2 = listen()) {
            final Map<Long, PeerProxies.Ports> servers = Map.of(
                1L, new PeerProxies.Ports(1, election1.getLocalPort()), 2L,
                    new PeerProxies.Ports(2, election2.getLocalPort()));
            try (PeerProxies proxies = new PeerProxies(servers, Set.of());
                Socket initiator = new Socket(InetAddress.getLoopbackAddress(), proxies.electionPort(1, 2))) {
                final DataOutputStream out = new DataOutputStream(initiator.getOutputStream());
                final byte[] mine = ("127.0.0.1:" + election1.getLocalPort()).getBytes(StandardCharsets.UTF_8);
                out.writeLong(ElectionHeaderRewriter.PROTOCOL_VERSION_V1);
                out.writeLong(1);
                out.writeInt(mine.length);
                out.write(mine);
                out.writeInt(2);
                out.write(new byte[] {7, 8});
                out.flush();
                try (Socket received = accept(election2)) {
                    final DataInputStream in = new DataInputStream(received.getInputStream());
                    assertEquals(ElectionHeaderRewriter.PROTOCOL_VERSION_V1, in.readLong());
                    assertEquals(1, in.readLong());
                    final byte[] address = new byte[in.readInt()];
                    in.readFully(address);
                    final String dialBack = new String(address, StandardCharsets.UTF_8);
                    assertEquals("127.0.0.1:" + proxies.electionPort(2, 1), dialBack);
                    assertEquals(2, in.readInt());
                    final byte[] payload = new byte[2];
                    in.readFully(payload);
                    assertArrayEquals(new byte[] {7, 8}, payload, "what follows the header is untouched");

                    // The dial-back lands on server 1's real port, through the proxy a cut of 2 -> 1 stops.
                    final int port = Integer.parseInt(dialBack.substring(dialBack.indexOf(':') + 1));
                    try (Socket back = new Socket(InetAddress.getLoopbackAddress(),
                        port); Socket landed = accept(election1)) {
                        assertTrue(landed.isConnected());
                        assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), election1.getLocalPort()),
                            proxies.election(2, 1).upstream());
                        assertTrue(back.isConnected());
                    }
                }
            }
        }
    }

    private static ServerSocket listen() throws IOException {
        final ServerSocket s = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        s.setSoTimeout(5000);
        return s;
    }

    private static Socket accept(final ServerSocket server) throws IOException {
        final Socket s = server.accept();
        s.setSoTimeout(5000);
        return s;
    }
}
