package io.electionbench.transport.net;

import java.util.concurrent.atomic.AtomicReferenceArray;

import io.electionbench.core.election.WriteListener;

/**
 * Routes each write's outcome from the agent thread back to whoever offered it: a client connection
 * on the quorum port or the admin endpoint's {@code POST /write}. A request id packs a 16-bit slot
 * (one per attached {@link Sink}) above a 48-bit sequence the sink chose, so routing allocates
 * nothing and the agent never sees who asked.
 *
 * <p>Threads: {@link #attach}/{@link #detach} from any thread (event loops, the admin server);
 * {@link #onWriteResult} on the agent thread. A result for a detached slot is dropped (its connection
 * is gone).
 */
public final class WriteRouter implements WriteListener {
    /** Slots are 1..MAX_SLOTS-1; 0 is never handed out, so a request id is never 0 for a live sink. */
    public static final int MAX_SLOTS = 1 << 16;
    public static final long MAX_SEQUENCE = (1L << 48) - 1;

    /** Receives the outcomes of the writes it offered, on the agent thread; must not block. */
    @FunctionalInterface
    public interface Sink {
        void onResult(long sequence, int status, long zxid, long leaderSid);
    }

    private final AtomicReferenceArray<Sink> sinks = new AtomicReferenceArray<>(MAX_SLOTS);
    private int nextSlot = 1;

    /**
     * Attaches a sink.
     *
     * @return its slot, for {@link #requestId}
     * @throws IllegalStateException when every slot is taken
     */
    public synchronized int attach(final Sink sink) {
        for (int tries = 1; tries < MAX_SLOTS; tries++) {
            final int slot = nextSlot;
            nextSlot = nextSlot == MAX_SLOTS - 1 ? 1 : nextSlot + 1;
            if (sinks.compareAndSet(slot, null, sink)) {
                return slot;
            }
        }
        throw new IllegalStateException("all " + (MAX_SLOTS - 1) + " write client slots are in use");
    }

    public void detach(final int slot) {
        sinks.set(slot, null);
    }

    public static long requestId(final int slot, final long sequence) {
        if (slot <= 0 || slot >= MAX_SLOTS || sequence < 0 || sequence > MAX_SEQUENCE) {
            throw new IllegalArgumentException("slot " + slot + " or sequence " + sequence + " out of range");
        }
        return ((long)slot << 48) | sequence;
    }

    @Override
    public void onWriteResult(final long requestId, final int status, final long zxid, final long leaderSid) {
        final Sink sink = sinks.get((int)(requestId >>> 48));
        if (sink != null) {
            sink.onResult(requestId & MAX_SEQUENCE, status, zxid, leaderSid);
        }
    }
}
