package io.electionbench.core.log;

import java.util.Arrays;

/**
 * The in-memory index of held entries, as parallel primitive arrays: zxid, a position (its meaning is
 * the log's: an offset in a buffer or in a segment file) and the running sum of entry hashes, so that
 * the digest of any prefix or suffix is one subtraction. Arrays grow by doubling and never shrink, so
 * appends after a truncation allocate nothing.
 */
final class EntryIndex {
    private long[] zxids;
    private long[] positions;
    /** hashSums[i] = sum of the hashes of entries 0..i. */
    private long[] hashSums;
    private int count;

    EntryIndex(final int capacity) {
        final int initial = Math.max(16, capacity);
        zxids = new long[initial];
        positions = new long[initial];
        hashSums = new long[initial];
    }

    int count() {
        return count;
    }

    long zxid(final int index) {
        return zxids[index];
    }

    long position(final int index) {
        return positions[index];
    }

    long lastZxid() {
        return count == 0 ? TxnLog.NO_ZXID : zxids[count - 1];
    }

    void add(final long zxid, final long position, final long entryHash) {
        if (count == zxids.length) {
            final int capacity = count * 2;
            zxids = Arrays.copyOf(zxids, capacity);
            positions = Arrays.copyOf(positions, capacity);
            hashSums = Arrays.copyOf(hashSums, capacity);
        }
        zxids[count] = zxid;
        positions[count] = position;
        hashSums[count] = hashSumOfFirst(count) + entryHash;
        count++;
    }

    /** Sum of the hashes of the first n entries. */
    long hashSumOfFirst(final int n) {
        return n == 0 ? 0 : hashSums[n - 1];
    }

    /** Index of the first entry with zxid >= the given one, or count. */
    int ceiling(final long zxid) {
        final int found = Arrays.binarySearch(zxids, 0, count, zxid);
        return found >= 0 ? found : -found - 1;
    }

    /** Number of entries with zxid <= the given one. */
    int countUpTo(final long zxid) {
        final int found = Arrays.binarySearch(zxids, 0, count, zxid);
        return found >= 0 ? found + 1 : -found - 1;
    }

    boolean contains(final long zxid) {
        return Arrays.binarySearch(zxids, 0, count, zxid) >= 0;
    }

    void truncate(final int newCount) {
        count = newCount;
    }

    /** Drops the first n entries, rebasing the running sums; positions are left as they are. */
    void dropFirst(final int n) {
        if (n == 0) {
            return;
        }
        final long base = hashSums[n - 1];
        final int remaining = count - n;
        System.arraycopy(zxids, n, zxids, 0, remaining);
        System.arraycopy(positions, n, positions, 0, remaining);
        for (int i = 0; i < remaining; i++) {
            hashSums[i] = hashSums[i + n] - base;
        }
        count = remaining;
    }

    /** Subtracts delta from every position (after the bytes before them were moved away). */
    void shiftPositions(final long delta) {
        for (int i = 0; i < count; i++) {
            positions[i] -= delta;
        }
    }
}
