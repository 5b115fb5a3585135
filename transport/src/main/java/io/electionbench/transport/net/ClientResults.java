package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.netty.channel.EventLoop;

/**
 * The way back for the agent's answers to every write client of one transport: one many-to-one ring
 * per transport, allocated once when client writes are enabled, so a client connection costs no
 * memory of its own for answers however many are open or idle.
 *
 * <p>The agent thread calls {@link #offer} (through a connection's {@code WriteRouter.Sink}); it writes
 * a record and wakes the event loop with one coalesced task (this object: no lambda, no allocation
 * per result). The drain hands each record to the connection registered at its slot, if that is
 * still the connection that offered the write (a slot is reused after a close), then flushes every
 * connection that got answers once. Record layout (native order, never leaves the process):
 * <pre>
 * RESULT  sequence:long status:int slot:int zxid:long leaderSid:long connectionId:long
 * </pre>
 *
 * <p>Capacity: {@link #tryReserve} bounds the unanswered writes of all connections to half the records
 * the ring holds ({@link #MAX_OUTSTANDING} by default). The only records
 * beyond the bound are answers the agent was handing to a connection while it closed (the router
 * drops every later one): at most one per closed connection, each drained at the next wake-up.
 */
final class ClientResults implements Runnable, MessageHandler {
    /** The ring's bytes: 43,690 records of 40 bytes and Agrona's 8-byte header each. */
    static final int RING_BYTES = 2 << 20;
    private static final int RESULT_RECORD = 1;
    private static final int RECORD_LENGTH = 40;
    private static final int RECORD_SPACE = RECORD_LENGTH + 8;
    /** Unanswered client writes a node may have in the agent by default (half what the ring holds); more are BUSY. */
    static final int MAX_OUTSTANDING = RING_BYTES / RECORD_SPACE / 2;
    private static final int DRAIN_LIMIT = 1024;
    private static final AtomicIntegerFieldUpdater<ClientResults> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(ClientResults.class, "wakePending");

    private final RingBuffer ring;
    private final int maxOutstanding;
    private final EventLoop eventLoop;
    /** Event loop only: the open connection at each router slot. */
    private final ClientWriteHandler[] bySlot = new ClientWriteHandler[WriteRouter.MAX_SLOTS];
    private volatile int wakePending;
    private long lastConnectionId;
    private int outstanding;
    /** Connections that got answers during this drain, linked through {@code ClientWriteHandler.nextDirty}. */
    private ClientWriteHandler dirty;

    /** @param ringBytes a power of two; {@link #RING_BYTES} but in tests of the ring's wrap */
    ClientResults(final EventLoop eventLoop, final int ringBytes) {
        this.eventLoop = eventLoop;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(
            ByteBuffer.allocateDirect(ringBytes + RingBufferDescriptor.TRAILER_LENGTH)));
        this.maxOutstanding = ringBytes / RECORD_SPACE / 2;
    }

    /** Registers the connection attached at {@code slot} (event loop); returns its connection id. */
    long register(final int slot, final ClientWriteHandler handler) {
        bySlot[slot] = handler;
        return ++lastConnectionId;
    }

    /**
     * The connection at {@code slot} is closing (event loop): its unanswered writes no longer count
     * and any answer still on its way to it is dropped at the drain.
     */
    void unregister(final int slot, final ClientWriteHandler handler, final int unanswered) {
        if (bySlot[slot] == handler) {
            bySlot[slot] = null;
        }
        outstanding -= unanswered;
    }

    /** Claims room for one more unanswered write (event loop); false if the node has too many. */
    boolean tryReserve() {
        if (outstanding >= maxOutstanding) {
            return false;
        }
        outstanding++;
        return true;
    }

    /** Gives back a reservation whose write the agent's ring did not take (event loop). */
    void cancelReservation() {
        outstanding--;
    }

    /** Agent thread: one write's outcome for the connection {@code connectionId} at {@code slot}. Never blocks. */
    void offer(final int slot, final long connectionId, final long sequence, final int status, final long zxid,
        final long leaderSid) {
        final int index = ring.tryClaim(RESULT_RECORD, RECORD_LENGTH);
        if (index <= 0) {
            return;
        }
        final MutableDirectBuffer buffer = ring.buffer();
        buffer.putLong(index, sequence);
        buffer.putInt(index + 8, status);
        buffer.putInt(index + 12, slot);
        buffer.putLong(index + 16, zxid);
        buffer.putLong(index + 24, leaderSid);
        buffer.putLong(index + 32, connectionId);
        ring.commit(index);
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                eventLoop.execute(this);
            } catch (final RejectedExecutionException ignored) {
                // The node is closing; the connections go with it.
            }
        }
    }

    /** The coalesced drain: clear the flag first (volatile), then hand over every waiting result, then flush. */
    @Override
    public void run() {
        WAKE.set(this, 0);
        int read = ring.read(this, DRAIN_LIMIT);
        if (read < DRAIN_LIMIT) {
            // A read stops at the ring's end: when the records wrap, the rest is at the start, and
            // otherwise waits for the next result's wake-up.
            read += ring.read(this, DRAIN_LIMIT - read);
        }
        while (dirty != null) {
            final ClientWriteHandler handler = dirty;
            dirty = handler.nextDirty;
            handler.nextDirty = null;
            handler.isDirty = false;
            handler.flushBatch();
        }
        if (read == DRAIN_LIMIT) {
            eventLoop.execute(this);
        }
    }

    @Override
    public void onMessage(final int type, final MutableDirectBuffer buffer, final int index, final int length) {
        final ClientWriteHandler handler = bySlot[buffer.getInt(index + 12)];
        if (handler == null || handler.connectionId() != buffer.getLong(index + 32)) {
            return;
        }
        outstanding--;
        handler.onAnswer(buffer.getLong(index), buffer.getInt(index + 8), buffer.getLong(index + 16),
            buffer.getLong(index + 24));
        if (!handler.isDirty) {
            handler.isDirty = true;
            handler.nextDirty = dirty;
            dirty = handler;
        }
    }
}
