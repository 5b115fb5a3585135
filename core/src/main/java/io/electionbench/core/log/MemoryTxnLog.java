package io.electionbench.core.log;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@link TxnLog} in memory, for the simulator: payloads back to back in one growable heap buffer
 * and an {@link EntryIndex} of primitive arrays, so there is no object per entry. Heap, not direct:
 * a simulator builds one log per server per run, and direct memory is freed only when a collection
 * finds its owner dead (a Cleaner per buffer), which made short simulations GC-bound. Nothing is durable
 * beyond the object itself; the simulator keeps it across a simulated crash.
 * <p>
 * Layout: entry i's payload is {@code data[position(i), position(i + 1))}, the last one ending at
 * {@code dataLength}. Compaction moves the surviving payloads to the front.
 */
public final class MemoryTxnLog implements TxnLog {
    private final ExpandableArrayBuffer data;
    private int dataLength;
    private final EntryIndex index;
    private long snapshotZxid = NO_ZXID;
    private long snapshotDigest = HistoryDigest.EMPTY;
    private final ExpandableArrayBuffer snapshotBytes = new ExpandableArrayBuffer(64);
    private final UnsafeBuffer snapshotView = new UnsafeBuffer(new byte[0]);

    public MemoryTxnLog() {
        this(1024, 64 * 1024);
    }

    /** Pre-sizes the index and payload buffer; both grow on demand. */
    public MemoryTxnLog(final int entryCapacity, final int byteCapacity) {
        index = new EntryIndex(entryCapacity);
        data = new ExpandableArrayBuffer(Math.max(64, byteCapacity));
    }

    @Override
    public void append(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        checkAppend(zxid, lastZxid());
        data.putBytes(dataLength, payload, offset, length);
        index.add(zxid, dataLength, HistoryDigest.entryHash(zxid, payload, offset, length));
        dataLength += length;
    }

    /** The append contract shared by both logs. */
    static void checkAppend(final long zxid, final long lastZxid) {
        if (zxid < 0) {
            throw new IllegalArgumentException("zxid " + zxid + " is negative");
        }
        if (zxid <= lastZxid) {
            throw new IllegalArgumentException("zxid " + zxidText(zxid) + " does not follow the last zxid "
                + zxidText(lastZxid) + ": zxids must strictly increase");
        }
    }

    static String zxidText(final long zxid) {
        return io.electionbench.core.Zxid.toString(zxid) + " (0x" + Long.toHexString(zxid) + ")";
    }

    @Override
    public long lastZxid() {
        return index.count() == 0 ? snapshotZxid : index.lastZxid();
    }

    @Override
    public long firstZxid() {
        return index.count() == 0 ? NO_ZXID : index.zxid(0);
    }

    @Override
    public long snapshotZxid() {
        return snapshotZxid;
    }

    @Override
    public long snapshotDigest() {
        return snapshotDigest;
    }

    @Override
    public int entryCount() {
        return index.count();
    }

    @Override
    public long entryZxid(final int i) {
        if (i < 0 || i >= index.count()) {
            throw new IllegalArgumentException("entry " + i + " of " + index.count());
        }
        return index.zxid(i);
    }

    @Override
    public boolean contains(final long zxid) {
        return index.contains(zxid);
    }

    @Override
    public int read(final long fromZxid, final EntryHandler handler) {
        final int count = index.count();
        int handed = 0;
        for (int i = index.ceiling(fromZxid); i < count; i++) {
            final int start = (int)index.position(i);
            final int end = i + 1 < count ? (int)index.position(i + 1) : dataLength;
            handed++;
            if (!handler.onEntry(index.zxid(i), data, start, end - start)) {
                break;
            }
        }
        return handed;
    }

    @Override
    public void truncateAfter(final long zxid) {
        checkTruncate(zxid, snapshotZxid);
        final int keep = index.countUpTo(zxid);
        if (keep < index.count()) {
            dataLength = (int)index.position(keep);
            index.truncate(keep);
        }
    }

    static void checkTruncate(final long zxid, final long snapshotZxid) {
        if (zxid < snapshotZxid) {
            throw new IllegalArgumentException("cannot truncate after " + zxidText(zxid)
                + ": the snapshot covers up to "
                + zxidText(snapshotZxid) + " and cannot be undone; this history needs a SNAP");
        }
    }

    @Override
    public void snapshot(final long uptoZxid, final DirectBuffer state, final int offset, final int length) {
        checkSnapshot(uptoZxid, snapshotZxid, lastZxid());
        final int drop = index.countUpTo(uptoZxid);
        final long digest = snapshotDigest + index.hashSumOfFirst(drop);
        if (drop > 0) {
            final int from = drop < index.count() ? (int)index.position(drop) : dataLength;
            data.putBytes(0, data, from, dataLength - from);
            dataLength -= from;
            index.dropFirst(drop);
            index.shiftPositions(from);
        }
        keepSnapshot(uptoZxid, digest, state, offset, length);
    }

    static void checkSnapshot(final long uptoZxid, final long snapshotZxid, final long lastZxid) {
        if (uptoZxid < snapshotZxid || uptoZxid > lastZxid || uptoZxid < 0) {
            throw new IllegalArgumentException("snapshot zxid " + zxidText(uptoZxid)
                + " must lie between the current snapshot "
                + zxidText(snapshotZxid) + " and the last zxid " + zxidText(lastZxid));
        }
    }

    @Override
    public void installSnapshot(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        if (zxid < 0) {
            throw new IllegalArgumentException("snapshot zxid " + zxid + " is negative");
        }
        index.truncate(0);
        dataLength = 0;
        keepSnapshot(zxid, digest, state, offset, length);
    }

    private void keepSnapshot(final long zxid, final long digest, final DirectBuffer state, final int offset,
        final int length) {
        snapshotBytes.putBytes(0, state, offset, length);
        snapshotView.wrap(snapshotBytes.byteArray(), 0, length);
        snapshotZxid = zxid;
        snapshotDigest = digest;
    }

    @Override
    public DirectBuffer snapshotState() {
        return snapshotView;
    }

    @Override
    public long digest() {
        return snapshotDigest + index.hashSumOfFirst(index.count());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "MemoryTxnLog[snapshot=" + io.electionbench.core.Zxid.toString(snapshotZxid)
            + ", entries=" + index.count()
            + ", last=" + io.electionbench.core.Zxid.toString(lastZxid()) + "]";
    }
}
