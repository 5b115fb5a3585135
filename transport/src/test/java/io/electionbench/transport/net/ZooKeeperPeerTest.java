package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real ZooKeeper servers at our ports, played by raw sockets that send what ZooKeeper 3.9.5 sends: a
 * legacy observer's election header ({@code QuorumCnxManager.handleConnection}).
 */
@ExtendWith(LeakWatch.class)
class ZooKeeperPeerTest {

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

    private static void assertClosedAfter(final int port, final byte[] header) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(header);
            assertEquals(-1, socket.getInputStream().read(), "closed by the tie-break");
        }
    }
}
