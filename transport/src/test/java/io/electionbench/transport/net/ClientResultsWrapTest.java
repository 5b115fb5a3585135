package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.client.WriteClient;

/**
 * Write results go from the agent to the client's connection through the transport's one results ring
 * ({@link ClientResults}), which the event loop drains. A
 * result whose record wraps to the ring's start is sent by the drain that reads the padding before it;
 * one read per drain stopped at the ring's end and left it for the next result's wake-up, which a
 * client waiting for this answer before writing again never causes.
 */
@ExtendWith(LeakWatch.class)
class ClientResultsWrapTest {
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    /** A results ring of 64 KiB holds 1,365 records of 48 bytes (40 and Agrona's header): the 1,366th wraps. */
    private static final int RING_BYTES = 64 << 10;
    private static final int WRITES = 1_500;

    @Test
    void everyResultOfOneAtATimeWritesArrivesAcrossTheRingsWrap() throws Exception {
        try (Loopback node = new Loopback(1, null)) {
            final WriteRouter router = new WriteRouter();
            node.node(1).enableClientWrites(router, RING_BYTES);
            node.startAll();
            final AtomicLong answered = new AtomicLong();
            try (WriteClient client = new WriteClient(new WriteClient.Listener() {
                @Override
                public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
                    if (status == WriteListener.COMMITTED) {
                        answered.set(sequence);
                    }
                }

                @Override
                public void onDisconnected(final Throwable cause) {
                }
            })) {
                client.connect("127.0.0.1", node.quorumPort(1), 10_000);
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[4]);
                for (long sequence = 1; sequence <= WRITES; sequence++) {
                    assertTrue(client.write(sequence, payload, 0, 4), "write " + sequence);
                    // Answer as the agent would, once the write reaches its ring.
                    final long[] requestId = {-1};
                    awaitFast("write " + sequence + " offered", () -> {
                        node.ring(1).read((type, buffer, index, length) -> {
                            if (type == InboundMessages.WRITE) {
                                requestId[0] = buffer.getLong(index);
                            }
                        });
                        return requestId[0] >= 0;
                    });
                    router.onWriteResult(requestId[0], WriteListener.COMMITTED, sequence, 1);
                    final long expected = sequence;
                    awaitFast("the result of write " + sequence + ", with no other result to wake the drain",
                        () -> answered.get() == expected);
                }
            }
        }
    }

    /** A deadline wait polling every 20 us: thousands of round trips must not each cost a millisecond. */
    private static void awaitFast(final String what, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            LockSupport.parkNanos(20_000);
        }
    }
}
