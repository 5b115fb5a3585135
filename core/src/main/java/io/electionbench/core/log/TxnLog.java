package io.electionbench.core.log;

import java.nio.file.Path;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A server's transaction history: a snapshot that covers every txn up to {@link #snapshotZxid()},
 * followed by the entries held after it, in strictly increasing zxid order.
 * <p>
 * Single writer: every method is called from one thread (the agent's). Zxids are compared as signed
 * longs; -1 means "none" ({@link #NO_ZXID}), as in ZooKeeper.
 * <p>
 * Errors: arguments that break the contract throw {@link IllegalArgumentException}; I/O failures of a
 * durable log surface as {@link java.io.UncheckedIOException}, after which the log must be closed and
 * reopened (recovery then decides what survived).
 */
public interface TxnLog extends AutoCloseable {
    /** "No zxid": an empty history, no snapshot. */
    long NO_ZXID = -1;

    /**
     * Receives entries without a per-entry copy. The buffer is only valid during the call and must not
     * be written to or kept.
     */
    @FunctionalInterface
    interface EntryHandler {
        /**
         * @return true to continue with the next entry, false to stop
         */
        boolean onEntry(long zxid, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Appends one txn. Durability follows the log's fsync policy.
     *
     * @throws IllegalArgumentException if {@code zxid <= lastZxid()} (naming both) or zxid is negative
     */
    void append(long zxid, DirectBuffer payload, int offset, int length);

    /**
     * As {@link #append}, for a txn that nobody is told is logged before the next {@link #flush()}
     * (a learner's sync stream, acknowledged only as a whole after its flush): under
     * {@link FsyncPolicy#ALWAYS} it is not forced on its own but as under {@link FsyncPolicy#BATCH},
     * so a catch-up of a million txns does not take a million fdatasyncs. Other policies append as
     * usual.
     */
    default void appendDeferred(final long zxid, final DirectBuffer payload, final int offset, final int length) {
        append(zxid, payload, offset, length);
    }

    /**
     * Appends a run of txns laid out as txn log records ({@link LogRecords}: little-endian length, zxid,
     * CRC32C, payload, back to back, {@code length} bytes from {@code offset}), as one write where the
     * log keeps files: a learner's sync stream arrives as such runs, already checked record by record by
     * its transport. All or nothing: the run is checked whole before any of it is appended (every length
     * inside the run and at most the log's payload limit, zxids strictly increasing from above
     * {@link #lastZxid()}, and in {@link FileTxnLog} every CRC), and a run that fails is refused with
     * nothing appended. Durability follows the fsync policy as for the same txns appended one by one,
     * except that {@link FsyncPolicy#ALWAYS} forces once per run, after its last record.
     *
     * @return the number of txns appended
     * @throws IllegalArgumentException naming the record (its byte offset in the run) and what is wrong
     */
    default int appendRecords(final DirectBuffer records, final int offset, final int length) {
        return appendEach(records, offset, length, false);
    }

    /**
     * As {@link #appendRecords}, for txns that nobody is told are logged before the next {@link #flush()}:
     * forced as {@link #appendDeferred} forces.
     */
    default int appendRecordsDeferred(final DirectBuffer records, final int offset, final int length) {
        return appendEach(records, offset, length, true);
    }

    /** The default runs: the layout checked whole, then each record appended as a single txn. */
    private int appendEach(final DirectBuffer records, final int offset, final int length, final boolean isDeferred) {
        final int count = LogRecords.checkLayout(records, offset, length, lastZxid(), Integer.MAX_VALUE);
        for (int at = offset; at < offset + length; at += LogRecords.HEADER_BYTES + LogRecords.length(records, at)) {
            final long zxid = LogRecords.zxid(records, at);
            final int payloadOffset = at + LogRecords.HEADER_BYTES;
            final int payloadBytes = LogRecords.length(records, at);
            if (isDeferred) {
                appendDeferred(zxid, records, payloadOffset, payloadBytes);
            } else {
                append(zxid, records, payloadOffset, payloadBytes);
            }
        }
        return count;
    }

    /** The last zxid of the history: the last entry held, else the snapshot zxid, else -1. */
    long lastZxid();

    /** The first entry held after the snapshot, or -1 when no entry is held. */
    long firstZxid();

    /** The zxid the snapshot covers up to (inclusive), or -1 when there is none. */
    long snapshotZxid();

    /** The history digest of the txns the snapshot covers ({@link HistoryDigest#EMPTY} when there is none). */
    long snapshotDigest();

    /** Number of entries held after the snapshot. */
    int entryCount();

    /**
     * The zxid of held entry {@code index} (0 = {@link #firstZxid()}). The default reads the entries up
     * to it; the logs of this package look it up in their index.
     *
     * @throws IllegalArgumentException unless {@code 0 <= index < entryCount()}
     */
    default long entryZxid(final int index) {
        if (index < 0 || index >= entryCount()) {
            throw new IllegalArgumentException("entry " + index + " of " + entryCount());
        }
        final long[] found = {NO_ZXID};
        final int[] seen = {0};
        read(firstZxid(), (zxid, buffer, offset, length) -> {
            found[0] = zxid;
            return seen[0]++ < index;
        });
        return found[0];
    }

    /** True iff an entry with this zxid is held (entries covered by the snapshot are not). */
    boolean contains(long zxid);

    /**
     * Hands every held entry with {@code zxid >= fromZxid} to the handler, in order, until it returns
     * false.
     *
     * @return the number of entries handed over
     */
    int read(long fromZxid, EntryHandler handler);

    /**
     * Describes the records from the first held entry with {@code zxid >= fromZxid} on, as many whole
     * records of one file as fit {@code maxBytes} (headers included), so they can be sent without
     * being read into memory. Appended records are in the file when this returns.
     *
     * @return false when the log keeps no such file (in memory), no entry is held from
     *         {@code fromZxid} on, or the first record alone exceeds {@code maxBytes}: read it with
     *         {@link #read(long, EntryHandler)} instead
     */
    default boolean recordSpan(final long fromZxid, final int maxBytes, final RecordSpan span) {
        return false;
    }

    /**
     * Drops every entry after {@code zxid} (ZAB's TRUNC), durably, whatever the fsync policy.
     *
     * @throws IllegalArgumentException if zxid is below the snapshot zxid: a snapshot cannot be
     *                                  un-applied, the caller needs a SNAP instead
     */
    void truncateAfter(long zxid);

    /**
     * Records that a snapshot of the caller's state covers every txn up to {@code uptoZxid} and drops
     * those entries. The state bytes are opaque to the log; it stores and returns them.
     *
     * @throws IllegalArgumentException unless {@code snapshotZxid() <= uptoZxid <= lastZxid()}
     */
    void snapshot(long uptoZxid, DirectBuffer state, int offset, int length);

    /**
     * Replaces the whole history with a snapshot received from a leader (ZAB's SNAP): every entry and
     * any older snapshot is dropped. {@code digest} is the leader's {@link #digest()} at
     * {@code zxid}, so that equal histories keep equal digests.
     */
    void installSnapshot(long zxid, long digest, DirectBuffer state, int offset, int length);

    /**
     * As {@link #installSnapshot(long, long, DirectBuffer, int, int)} with the whole array as the state,
     * which the log may keep as its {@link #snapshotState()} instead of copying it: the caller hands the
     * array over and must not touch it afterwards. A learner receiving a large snapshot assembles it once.
     */
    default void installSnapshotOwned(final long zxid, final long digest, final byte[] state) {
        installSnapshot(zxid, digest, new UnsafeBuffer(state), 0, state.length);
    }

    /**
     * A snapshot arriving in chunks, in order, from a leader (ZAB's SNAP). A durable log writes each
     * chunk to a temporary file as it arrives, so the transfer and the disk write overlap; the history
     * is replaced only by {@link #finish()}. Nothing changes if the receiver is {@link #abort() aborted}
     * or the process dies first.
     */
    interface SnapshotReceiver {
        /** Bytes {@code [position, position + length)} of the state; positions must follow each other from 0. */
        void write(int position, DirectBuffer bytes, int offset, int length);

        /** Every byte arrived: replaces the history with the snapshot, as {@link #installSnapshot} does. */
        void finish();

        /** Drops what arrived; the history is unchanged. Idempotent. */
        void abort();
    }

    /**
     * Starts receiving a snapshot of {@code totalLength} state bytes covering every txn up to
     * {@code zxid} with history digest {@code digest}. The default assembles it in memory and installs
     * it at the end.
     */
    default SnapshotReceiver receiveSnapshot(final long zxid, final long digest, final int totalLength) {
        final byte[] state = new byte[totalLength];
        final UnsafeBuffer view = new UnsafeBuffer(state);
        return new SnapshotReceiver() {
            @Override
            public void write(final int position, final DirectBuffer bytes, final int offset, final int length) {
                view.putBytes(position, bytes, offset, length);
            }

            @Override
            public void finish() {
                installSnapshotOwned(zxid, digest, state);
            }

            @Override
            public void abort() {
            }
        };
    }

    /**
     * The state bytes of the last snapshot (empty when there is none), valid until the next
     * snapshot or install. Read-only.
     */
    DirectBuffer snapshotState();

    /**
     * The file that holds the snapshot's state, so a leader can stream it to a learner without reading
     * it (Netty's {@code FileRegion}, i.e. sendfile): the state is bytes
     * {@code [snapshotStateOffset(), snapshotStateOffset() + snapshotState().capacity())} of it. Null
     * when the log keeps no such file (in memory, or no snapshot), and then the state is streamed from
     * {@link #snapshotState()}.
     * <p>
     * A {@code Path} returned here names one snapshot: the log returns a new {@code Path} object for
     * every snapshot it publishes, and never writes to a published file. The file may be deleted once
     * a newer snapshot replaces it; a reader that still has it open keeps reading the old bytes.
     */
    default Path snapshotFile() {
        return null;
    }

    /** Where the state starts in {@link #snapshotFile()} (the file's header length); 0 when there is no file. */
    default long snapshotStateOffset() {
        return 0;
    }

    /**
     * A digest of the whole history: the wrapping sum of {@link HistoryDigest#entryHash} over every txn
     * up to {@link #lastZxid()}, where the txns covered by the snapshot contribute through the
     * snapshot's recorded digest. Two logs holding the same history have the same digest wherever each
     * compacted; different histories differ with overwhelming probability (not cryptographic).
     */
    long digest();

    /** Makes appends so far durable when the policy batches them; a no-op otherwise. */
    void flush();

    /** Flushes as the policy requires and releases resources. Idempotent. */
    @Override
    void close();
}
