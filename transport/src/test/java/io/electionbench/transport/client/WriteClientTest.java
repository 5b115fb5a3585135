package io.electionbench.transport.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.Loopback;
import io.electionbench.transport.net.RefuseReason;
import io.electionbench.transport.net.TransportCounters;
import io.electionbench.transport.net.WriteRouter;

/**
 * A {@link WriteClient} against a real single-member {@code PeerTransport} whose ring is drained by
 * a fake agent answering through the {@link WriteRouter} as the real agent does.
 */
@ExtendWith(LeakWatch.class)
class WriteClientTest {
    private static final long TIMEOUT_MS = 10_000;
    private static final byte[] SECRET = "s3cret".getBytes(StandardCharsets.UTF_8);

    @Test
    void pipelinedWritesAreAllAnsweredInOrder() throws Exception {
        final int writes = 10_000;
        final int window = 2_000;
        final int payloadBytes = 64;
        try (Loopback node = new Loopback(1, null); FakeAgent agent = new FakeAgent(node.ring(1), payloadBytes)) {
            node.node(1).enableClientWrites(agent.router);
            node.node(1).agentThread(agent);
            node.startAll();
            agent.start();
            final Results results = new Results(writes);
            try (WriteClient client = new WriteClient(results)) {
                client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                assertTrue(client.isConnected());
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[payloadBytes]);
                final long startNs = System.nanoTime();
                final long deadline = startNs + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
                for (int seq = 0; seq < writes; seq++) {
                    payload.putLong(0, seq);
                    payload.putLong(payloadBytes - 8, ~seq);
                    while (seq - results.count.get() >= window || !client.write(seq, payload, 0, payloadBytes)) {
                        assertTrue(System.nanoTime() - deadline < 0, "write " + seq + " accepted in time");
                        LockSupport.parkNanos(10_000);
                    }
                }
                Loopback.await(TIMEOUT_MS, writes + " results", () -> results.count.get() == writes);
                final long elapsedNs = System.nanoTime() - startNs;
                assertEquals("", results.error.toString());
                for (int i = 0; i < writes; i++) {
                    assertEquals(i, results.sequences[i], "answer " + i);
                    assertEquals(WriteListener.COMMITTED, results.statuses[i]);
                    assertEquals(i + 1L, results.zxids[i], "zxid of write " + i);
                }
                assertEquals("", agent.error.toString());
                assertEquals(writes, node.counters(1).get(TransportCounters.CLIENT_WRITES));
                assertEquals(0, node.counters(1).get(TransportCounters.CLIENT_WRITES_BUSY));
                System.out.printf("WriteClientTest: %d pipelined writes (window %d) in %.1f ms, %.0f writes/s%n",
                    writes, window, elapsedNs / 1e6, writes / (elapsedNs / 1e9));
            }
            assertEquals(1, node.counters(1).get(TransportCounters.CLIENT_CONNECTIONS));
        }
    }

    @Test
    void authenticatesWithThePeerSecret() throws Exception {
        try (Loopback node = new Loopback(1, SECRET); FakeAgent agent = new FakeAgent(node.ring(1), 16)) {
            node.node(1).enableClientWrites(agent.router);
            node.startAll();
            agent.start();
            final Results results = new Results(10);
            try (WriteClient client = new WriteClient(results).authSecret(SECRET)) {
                client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
                for (int seq = 0; seq < 10; seq++) {
                    payload.putLong(0, seq);
                    payload.putLong(8, ~seq);
                    assertTrue(client.write(seq, payload, 0, 16));
                }
                Loopback.await(TIMEOUT_MS, "10 results", () -> results.count.get() == 10);
                assertEquals(9L, results.sequences[9]);
            }
            assertTrue(node.counters(1).get(TransportCounters.AUTH_SUCCEEDED) >= 1);

            final String where = "127.0.0.1:" + node.quorumPort(1);
            try (WriteClient wrong =
                new WriteClient(new Results(1)).authSecret("other".getBytes(StandardCharsets.UTF_8))) {
                final IOException refused = assertThrows(IOException.class,
                    () -> wrong.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS));
                assertTrue(refused.getMessage().contains(where), refused.getMessage());
                assertTrue(refused.getMessage().contains("authentication"), refused.getMessage());
                assertFalse(wrong.isConnected());
            }
        }
    }

    @Test
    void aNodeWithoutClientWritesRefusesUntilEnabled() throws Exception {
        try (Loopback node = new Loopback(1, null); FakeAgent agent = new FakeAgent(node.ring(1), 16)) {
            node.startAll();
            agent.start();
            final Results refused = new Results(1);
            try (WriteClient client = new WriteClient(refused)) {
                client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                Loopback.await(TIMEOUT_MS, "the refusal", () -> refused.disconnect.get() != null);
                assertFalse(client.isConnected());
                assertFalse(client.write(1, new UnsafeBuffer(new byte[8]), 0, 8));
            }
            assertEquals(1, node.counters(1).refusedCount(RefuseReason.CLIENT_WRITES_DISABLED));

            node.node(1).enableClientWrites(agent.router);
            final Results results = new Results(1);
            try (WriteClient client = new WriteClient(results)) {
                client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[16]);
                payload.putLong(8, ~0L);
                assertTrue(client.write(0, payload, 0, 16));
                Loopback.await(TIMEOUT_MS, "the answer", () -> results.count.get() == 1);
                assertEquals(WriteListener.COMMITTED, results.statuses[0]);
            }
        }
    }

    /** No agent drains the 64 KiB ring: writes beyond it are answered BUSY at once; an oversized one TOO_LARGE. */
    @Test
    void aFullRingIsAnsweredBusyAndAnOversizedWriteTooLarge() throws Exception {
        final int writes = 200;
        try (Loopback node = new Loopback(1, null, 64 * 1024)) {
            node.node(1).enableClientWrites(new WriteRouter());
            node.startAll();
            final Results results = new Results(writes + 1);
            try (WriteClient client = new WriteClient(results)) {
                client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[MemberAgent.MAX_WRITE_BYTES + 1]);
                for (int seq = 0; seq < writes; seq++) {
                    assertTrue(client.write(seq, payload, 0, 1024));
                }
                final TransportCounters counters = node.counters(1);
                Loopback.await(TIMEOUT_MS, "every write read",
                    () -> counters.get(TransportCounters.CLIENT_WRITES) == writes);
                Loopback.await(TIMEOUT_MS, "BUSY answers",
                    () -> results.count.get() == counters.get(TransportCounters.CLIENT_WRITES_BUSY));
                final int ringFits = (64 * 1024) / (1024 + 16 + 8);
                assertTrue(results.count.get() >= writes - ringFits, results.count.get() + " BUSY");
                for (int i = 0; i < results.count.get(); i++) {
                    assertEquals(WriteListener.BUSY, results.statuses[i]);
                    assertEquals(1L, results.leaders[i]);
                }
                final int busy = results.count.get();
                assertTrue(client.write(writes, payload, 0, MemberAgent.MAX_WRITE_BYTES + 1));
                Loopback.await(TIMEOUT_MS, "TOO_LARGE", () -> results.count.get() == busy + 1);
                assertEquals(WriteListener.TOO_LARGE, results.statuses[busy]);
                assertEquals(writes, results.sequences[busy]);
            }
        }
    }

    @Test
    void aFailedConnectNamesTheAddress() throws Exception {
        final int port = FreePorts.pick(1)[0];
        try (WriteClient client = new WriteClient(new Results(1))) {
            final IOException failure = assertThrows(IOException.class, () -> client.connect("127.0.0.1", port, 2_000));
            assertTrue(failure.getMessage().contains("127.0.0.1:" + port), failure.getMessage());
            assertThrows(IllegalArgumentException.class, () -> client.write(-1, new UnsafeBuffer(new byte[1]), 0, 1));
            assertFalse(client.write(1, new UnsafeBuffer(new byte[1]), 0, 1), "not connected");
        }
    }

    /** Collects results on the client's event loop; {@link #count} publishes them to the test thread. */
    static final class Results implements WriteClient.Listener {
        final long[] sequences;
        final int[] statuses;
        final long[] zxids;
        final long[] leaders;
        final AtomicInteger count = new AtomicInteger();
        final AtomicReference<Throwable> disconnect = new AtomicReference<>();
        final StringBuilder error = new StringBuilder();

        Results(final int capacity) {
            sequences = new long[capacity];
            statuses = new int[capacity];
            zxids = new long[capacity];
            leaders = new long[capacity];
        }

        @Override
        public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
            final int i = count.get();
            if (i >= sequences.length) {
                error.append("extra result ").append(sequence).append(';');
                return;
            }
            sequences[i] = sequence;
            statuses[i] = status;
            zxids[i] = zxid;
            leaders[i] = leaderSid;
            count.set(i + 1);
        }

        @Override
        public void onDisconnected(final Throwable cause) {
            disconnect.set(cause);
        }
    }

    /**
     * Stands in for the agent: reads WRITE records off the ring, checks the payload (sequence first,
     * its complement last) and commits each with the next zxid through the router.
     */
    static final class FakeAgent extends Thread implements AutoCloseable {
        final WriteRouter router = new WriteRouter();
        final StringBuilder error = new StringBuilder();
        private final RingBuffer ring;
        private final int payloadBytes;
        private volatile boolean isRunning = true;
        private long zxid;

        FakeAgent(final RingBuffer ring, final int payloadBytes) {
            super("fake-agent");
            setDaemon(true);
            this.ring = ring;
            this.payloadBytes = payloadBytes;
        }

        @Override
        public void run() {
            while (isRunning) {
                if (ring.read(this::onMessage) == 0) {
                    LockSupport.parkNanos(20_000);
                }
            }
        }

        private void onMessage(final int type, final org.agrona.MutableDirectBuffer buffer, final int index,
            final int length) {
            if (type != InboundMessages.WRITE) {
                return;
            }
            final long requestId = buffer.getLong(index);
            final int payloadLength = buffer.getInt(index + 8);
            final long sequence = requestId & WriteRouter.MAX_SEQUENCE;
            if (payloadLength != payloadBytes || buffer.getLong(index + 16) != sequence
                || buffer.getLong(index + 16 + payloadLength - 8) != ~sequence) {
                error.append("bad payload for ").append(sequence).append(';');
            }
            router.onWriteResult(requestId, WriteListener.COMMITTED, ++zxid, 1);
        }

        @Override
        public void close() {
            isRunning = false;
            try {
                join(TIMEOUT_MS);
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
