package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.client.WriteClient;

/**
 * Every write client of a node shares one results ring ({@link ClientResults}), so the node bounds
 * the unanswered writes of all its connections together to half the records the ring holds: beyond
 * that a write is answered BUSY at once, and answers free the room again.
 */
@ExtendWith(LeakWatch.class)
class ClientResultsBoundTest {
    private static final long TIMEOUT_MS = 10_000;
    /** 64 KiB hold 1,365 records of 48 bytes: at most 682 writes unanswered. */
    private static final int RING_BYTES = 64 << 10;
    private static final int BOUND = 682;
    private static final int PER_CLIENT = 400;

    @Test
    void unansweredWritesAreBoundedAcrossConnections() throws Exception {
        try (Loopback node = new Loopback(1, null)) {
            final WriteRouter router = new WriteRouter();
            node.node(1).enableClientWrites(router, RING_BYTES);
            node.startAll();
            final AtomicInteger busy = new AtomicInteger();
            final AtomicInteger committed = new AtomicInteger();
            final List<WriteClient> clients = new ArrayList<>();
            try {
                for (int c = 0; c < 2; c++) {
                    final WriteClient client = new WriteClient(new Counting(busy, committed));
                    clients.add(client);
                    client.connect("127.0.0.1", node.quorumPort(1), TIMEOUT_MS);
                }
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
                for (int i = 1; i <= PER_CLIENT; i++) {
                    for (final WriteClient client : clients) {
                        assertTrue(client.write(i, payload, 0, 4), "write " + i);
                    }
                }
                final List<Long> offered = new ArrayList<>();
                Loopback.await(TIMEOUT_MS, "every write offered or answered BUSY", () -> {
                    drainWrites(node, offered);
                    return offered.size() + busy.get() == 2 * PER_CLIENT;
                });
                assertEquals(BOUND, offered.size(), "writes the node took unanswered");
                assertEquals(2 * PER_CLIENT - BOUND, busy.get(), "writes answered BUSY");
                assertEquals(2 * PER_CLIENT - BOUND, node.counters(1).get(TransportCounters.CLIENT_WRITES_BUSY));

                for (final long requestId : offered) {
                    router.onWriteResult(requestId, WriteListener.COMMITTED, 1, 1);
                }
                Loopback.await(TIMEOUT_MS, "every answer", () -> committed.get() == BOUND);
                assertTrue(clients.get(0).write(PER_CLIENT + 1, payload, 0, 4));
                final List<Long> more = new ArrayList<>();
                Loopback.await(TIMEOUT_MS, "a write taken again once answers freed room", () -> {
                    drainWrites(node, more);
                    return more.size() == 1;
                });
            } finally {
                for (final WriteClient client : clients) {
                    client.close();
                }
            }
        }
    }

    private static void drainWrites(final Loopback node, final List<Long> requestIds) {
        node.ring(1).read((type, buffer, index, length) -> {
            if (type == InboundMessages.WRITE) {
                requestIds.add(buffer.getLong(index));
            }
        });
    }

    /** Counts BUSY and COMMITTED answers (the client's event loop). */
    private static final class Counting implements WriteClient.Listener {
        private final AtomicInteger busy;
        private final AtomicInteger committed;

        Counting(final AtomicInteger busy, final AtomicInteger committed) {
            this.busy = busy;
            this.committed = committed;
        }

        @Override
        public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
            if (status == WriteListener.BUSY) {
                busy.incrementAndGet();
            } else if (status == WriteListener.COMMITTED) {
                committed.incrementAndGet();
            }
        }

        @Override
        public void onDisconnected(final Throwable cause) {
        }
    }
}
