package io.electionbench.core.log;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * ZooKeeper's in-memory committed log ({@code ZKDatabase.committedLog}, filled by
 * {@code ZKDatabase.addCommittedProposal}): the newest {@link #DEFAULT_CAPACITY} txns of a member's
 * history with their payloads, from which a leader DIFFs a learner ({@code LearnerHandler.syncFollower},
 * {@code minCommittedLog}..{@code maxCommittedLog}). It belongs to the member, not to a role: taking a
 * snapshot or purging the log does not touch it, and it survives every change of role; a SNAP install
 * empties it ({@code ZKDatabase.clear} in {@code deserializeSnapshot}); a restart or a TRUNC refills it
 * from the txns the log holds ({@code loadDataBase} replays the log after the snapshot). So a follower a
 * few txns behind a leader that has just compacted its log still gets a DIFF, from here.
 * <p>
 * The txns are a run of consecutive entries of the history, oldest first; adding one past the
 * capacity drops the oldest ({@code zookeeper.commitLogCount}). A txn at or below the newest is ignored,
 * as ZooKeeper's {@code addCommittedProposal} does. Payloads lie back to back in a ring of bytes that
 * starts small and doubles, while fewer than the capacity are held, up to what the capacity's worth of
 * the largest txn takes ({@code capacity * maxTxnBytes}, a bound it reaches in a few steps, 8 MiB for
 * 500 writes of 16 KiB; ZooKeeper's holds as much on its heap): in steady state nothing is allocated.
 * A txn larger than {@code maxTxnBytes} empties the window (so it stays a run), and those after it fill
 * it again. A txn that wraps around the ring's end is copied into a preallocated buffer when read.
 * <p>
 * Unlike ZooKeeper's, it holds the txns a member logged, not only those committed: the leader's own
 * proposals not yet committed are in its log too, and the sync stream sends them either way (ZooKeeper
 * forwards them after the sync, {@code LearnerMaster.startForwarding}). Single thread (the agent's).
 */
public final class CommittedWindow {
    /** ZooKeeper's {@code ZKDatabase.DEFAULT_COMMIT_LOG_COUNT}. */
    public static final int DEFAULT_CAPACITY = 500;
    /** The largest write the agent accepts ({@code InboundMessages}' payload limit). */
    public static final int DEFAULT_MAX_TXN_BYTES = 16 * 1024;
    private static final int INITIAL_BYTES = 4 * 1024;

    private final int capacity;
    private final int maxTxnBytes;
    private final long maxBytes;
    private final long[] zxids;
    private final int[] starts;
    private final int[] lengths;
    private UnsafeBuffer wrapped;
    private UnsafeBuffer bytes;
    /** Ring slot of the oldest txn, and how many are held. */
    private int head;
    private int count;
    /** Ring byte position where the next payload goes, and bytes held. */
    private int tail;
    private long used;

    public CommittedWindow() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_TXN_BYTES);
    }

    public CommittedWindow(final int capacity, final int maxTxnBytes) {
        if (capacity < 1 || maxTxnBytes < 0) {
            throw new IllegalArgumentException("committed window of " + capacity + " txns of at most " + maxTxnBytes
                + " bytes: the capacity must be positive and the size not negative");
        }
        this.capacity = capacity;
        this.maxTxnBytes = maxTxnBytes;
        this.maxBytes = Math.max(1L, (long)capacity * maxTxnBytes);
        this.zxids = new long[capacity];
        this.starts = new int[capacity];
        this.lengths = new int[capacity];
        this.bytes = new UnsafeBuffer(new byte[(int)Math.min(maxBytes, INITIAL_BYTES)]);
        this.wrapped = new UnsafeBuffer(new byte[Math.min(maxTxnBytes, bytes.capacity())]);
    }

    /** The most txns it holds. */
    public int capacity() {
        return capacity;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    public int size() {
        return count;
    }

    /** The oldest txn held ({@code minCommittedLog}), -1 when empty. */
    public long minZxid() {
        return count == 0 ? TxnLog.NO_ZXID : zxids[head];
    }

    /** The newest txn held ({@code maxCommittedLog}), -1 when empty. */
    public long maxZxid() {
        return count == 0 ? TxnLog.NO_ZXID : zxids[slot(count - 1)];
    }

    /** Adds the newest txn of the history; one at or below {@link #maxZxid()} is ignored. */
    public void add(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        if (count > 0 && zxid <= maxZxid()) {
            return;
        }
        if (length > maxTxnBytes) {
            clear();
            return;
        }
        if (count == capacity) {
            dropOldest();
        }
        while (used + length > bytes.capacity()) {
            if (count < capacity && bytes.capacity() < maxBytes) {
                grow();
            } else {
                dropOldest();
            }
        }
        final int ringBytes = bytes.capacity();
        final int first = Math.min(length, ringBytes - tail);
        bytes.putBytes(tail, payload, offset, first);
        if (first < length) {
            bytes.putBytes(0, payload, offset + first, length - first);
        }
        final int s = slot(count);
        zxids[s] = zxid;
        starts[s] = tail;
        lengths[s] = length;
        count++;
        used += length;
        tail = (int)(((long)tail + length) % ringBytes);
    }

    /** True iff this txn is held. */
    public boolean contains(final long zxid) {
        return find(zxid) >= 0;
    }

    /**
     * Hands every txn held with {@code fromZxid <= zxid <= toZxid} to the handler, oldest first, until
     * it returns false; the buffer is valid only during the call.
     *
     * @return the number handed over
     */
    public int read(final long fromZxid, final long toZxid, final TxnLog.EntryHandler handler) {
        int handed = 0;
        for (int i = ceiling(fromZxid); i < count && zxids[slot(i)] <= toZxid; i++) {
            final int s = slot(i);
            handed++;
            final int start = starts[s];
            final int length = lengths[s];
            final boolean isContinued;
            if (start + length <= bytes.capacity()) {
                isContinued = handler.onEntry(zxids[s], bytes, start, length);
            } else {
                final int first = bytes.capacity() - start;
                wrapped.putBytes(0, bytes, start, first);
                wrapped.putBytes(first, bytes, 0, length - first);
                isContinued = handler.onEntry(zxids[s], wrapped, 0, length);
            }
            if (!isContinued) {
                break;
            }
        }
        return handed;
    }

    /** Drops every txn before {@code zxid}. */
    public void dropBefore(final long zxid) {
        while (count > 0 && zxids[head] < zxid) {
            dropOldest();
        }
    }

    /** Empties it ({@code ZKDatabase.clear}). */
    public void clear() {
        head = 0;
        count = 0;
        tail = 0;
        used = 0;
    }

    /**
     * Empties it and refills it with the newest txns the log holds ({@code ZKDatabase.loadDataBase},
     * which replays the log after the snapshot): at a start, and after a TRUNC.
     */
    public void load(final TxnLog log) {
        clear();
        final int entries = log.entryCount();
        if (entries == 0) {
            return;
        }
        final long from = entries > capacity ? log.entryZxid(entries - capacity) : log.firstZxid();
        log.read(from, loader);
    }

    /**
     * Adds the txns the log holds from {@code fromZxid} on, oldest first, as {@link #add} would have one
     * by one (a learner that logged its sync stream in runs adds only the last of them, once).
     */
    public void addFrom(final TxnLog log, final long fromZxid) {
        log.read(fromZxid, loader);
    }

    private final TxnLog.EntryHandler loader = (zxid, buffer, offset, length) -> {
        add(zxid, buffer, offset, length);
        return true;
    };

    private void dropOldest() {
        used -= lengths[head];
        head = (head + 1) % capacity;
        count--;
        if (count == 0) {
            tail = 0;
            used = 0;
        }
    }

    /** Doubles the ring, moving the payloads held to its start in order. */
    private void grow() {
        final int size = (int)Math.min(maxBytes, 2L * bytes.capacity());
        final UnsafeBuffer larger = new UnsafeBuffer(new byte[size]);
        int position = 0;
        for (int i = 0; i < count; i++) {
            final int s = slot(i);
            final int start = starts[s];
            final int length = lengths[s];
            final int first = Math.min(length, bytes.capacity() - start);
            larger.putBytes(position, bytes, start, first);
            if (first < length) {
                larger.putBytes(position + first, bytes, 0, length - first);
            }
            starts[s] = position;
            position += length;
        }
        bytes = larger;
        wrapped = new UnsafeBuffer(new byte[Math.min(maxTxnBytes, size)]);
        tail = position % size;
    }

    private int slot(final int i) {
        return (head + i) % capacity;
    }

    /** The position (0 = oldest) of the first txn at or after zxid; count when none. */
    private int ceiling(final long zxid) {
        int low = 0;
        int high = count;
        while (low < high) {
            final int mid = (low + high) >>> 1;
            if (zxids[slot(mid)] < zxid) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    private int find(final long zxid) {
        final int i = ceiling(zxid);
        return i < count && zxids[slot(i)] == zxid ? i : -1;
    }

    @Override
    public String toString() {
        return "CommittedWindow[" + count + " txns, " + io.electionbench.core.Zxid.toString(minZxid()) + ".."
            + io.electionbench.core.Zxid.toString(maxZxid()) + "]";
    }
}
