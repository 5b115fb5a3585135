package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.wire.WireError;

/**
 * A notification with a state code outside 0..3 reaches the agent from an observer, which
 * ZooKeeper's {@code WorkerReceiver} answers before it reads the state, and is dropped from a voter.
 */
@ExtendWith(LeakWatch.class)
class NonVoterStateTest {
    @Test
    void anUnknownStateCodeIsDroppedFromAVoterAndPassedOnFromAnObserver() throws Exception {
        final int[] ports = FreePorts.pick(6);
        final Ensemble ensemble = Ensemble.builder().participant(1).participant(2).observer(3).build();
        final List<PeerAddress> servers = List.of(
            new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
            new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false),
            new PeerAddress(3, "127.0.0.1", ports[4], ports[5], true));
        final TransportConfig config = new TransportConfig().mySid(1).ensemble(ensemble).servers(servers).conclude();
        final RingBuffer ring = MemberAgent.newInboundRing(1 << 16);
        final List<long[]> notifications = new ArrayList<>();
        try (PeerTransport node = new PeerTransport(config, ring, new TransportCounters())) {
            node.start();
            try (Socket voter = connect(ports[1], 2, ports[3]); Socket observer = connect(ports[1], 3, ports[5])) {
                send(voter, 9);
                Loopback.await(5_000, "the voter's notification dropped",
                    () -> node.counters().badFrames(WireError.UNKNOWN_STATE) >= 1);
                send(observer, 9);
                Loopback.await(5_000, "the observer's notification on the ring", () -> {
                    ring.read((type, buffer, index, length) -> {
                        if (type == InboundMessages.NOTIFICATION) {
                            notifications.add(new long[] {buffer.getLong(index), buffer.getInt(index + 40)});
                        }
                    });
                    return !notifications.isEmpty();
                });
            }
            assertEquals(1, notifications.size());
            assertEquals(3, notifications.get(0)[0], "from the observer");
            assertEquals(9, notifications.get(0)[1], "its state code as sent");
            assertEquals(1, node.counters().badFrames(WireError.UNKNOWN_STATE), "only the voter's was dropped");
        }
    }

    /** A raw ZooKeeper peer: the V1 header naming {@code sid} (larger than 1, so the link is kept). */
    private static Socket connect(final int port, final long sid, final int ownPort) throws Exception {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        final byte[] address = ("127.0.0.1:" + ownPort).getBytes(StandardCharsets.UTF_8);
        final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeLong(-65536L);
        out.writeLong(sid);
        out.writeInt(address.length);
        out.write(address);
        out.flush();
        return socket;
    }

    /** A version-2 notification with state {@code state}, no vote, and an empty config. */
    private static void send(final Socket socket, final int state) throws Exception {
        final byte[] payload = ByteBuffer.allocate(44).putInt(state).putLong(Long.MIN_VALUE).putLong(Long.MIN_VALUE)
            .putLong(1).putLong(Long.MIN_VALUE).putInt(2).putInt(0).array();
        final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }
}
