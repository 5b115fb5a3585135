package io.electionbench.transport.net;

import java.util.concurrent.atomic.AtomicLongArray;

import io.electionbench.transport.wire.WireError;

/**
 * A node's transport counters, written by its event loop (and the agent thread for outbound drops)
 * and read by the admin endpoint. Each increment is one atomic add; reads are volatile.
 */
public final class TransportCounters {
    public static final int NOTIFICATIONS_SENT = 0;
    public static final int NOTIFICATIONS_RECEIVED = 1;
    public static final int QUORUM_SENT = 2;
    public static final int QUORUM_RECEIVED = 3;
    public static final int CONNECTIONS_ACCEPTED = 4;
    public static final int CONNECTS_FAILED = 5;
    public static final int LINKS_UP = 6;
    public static final int LINKS_DOWN = 7;
    public static final int INBOUND_DROPPED = 8;
    public static final int OUTBOUND_DROPPED = 9;
    public static final int FAULT_DROPPED = 10;
    public static final int AUTH_SUCCEEDED = 11;
    /** Connections whose mutual TLS handshake succeeded (failures are {@link RefuseReason#TLS_HANDSHAKE_FAILED}). */
    public static final int TLS_HANDSHAKES = 12;
    /**
     * Times a quorum link stopped reading because the agent's ring was full: the undelivered message
     * is kept and retried, never dropped (election notifications are dropped instead: {@link #INBOUND_DROPPED}).
     */
    public static final int INBOUND_PAUSED = 13;
    /** Write-client connections accepted on the quorum port (after their handshake). */
    public static final int CLIENT_CONNECTIONS = 14;
    /** WRITE frames received from write clients. */
    public static final int CLIENT_WRITES = 15;
    /** WRITEs answered BUSY by the transport itself (ring full or too many outstanding on the connection). */
    public static final int CLIENT_WRITES_BUSY = 16;
    /**
     * SNAPSHOT_CHUNKs a leader queued as a region of its snapshot file (sent with sendfile, not copied);
     * with TLS, or for a log without a snapshot file, chunks are copied and not counted here.
     */
    public static final int SNAPSHOT_FILE_CHUNKS = 17;
    /**
     * RECORDS batches a leader queued as a region of a log segment (sync streams sent with sendfile);
     * with TLS they are read from the file into the frame and counted in {@link #RECORD_BATCHES_COPIED}.
     */
    public static final int RECORD_FILE_BATCHES = 18;
    /**
     * RECORDS batches a leader read from the segment into the frame because the link cannot take a file
     * region (TLS).
     */
    public static final int RECORD_BATCHES_COPIED = 19;
    /** RECORDS batches received and checked (every record's CRC) on the quorum port. */
    public static final int RECORD_BATCHES_RECEIVED = 20;
    /**
     * Election notifications replaced by a newer one to the same peer before they could be written,
     * because the link was down or its channel not writable (a peer that does not read): only the
     * newest vote is kept, as ZooKeeper's capacity-1 send queue does.
     */
    public static final int NOTIFICATIONS_SUPERSEDED = 21;
    /**
     * Quorum connections closed on purpose: a send on them failed, or an injected fault dropped frames
     * on them. The peer sees the drop and both ends start afresh.
     */
    public static final int QUORUM_RESETS = 22;
    /**
     * Election connections closed because the peer prompted while they were up: its end was gone
     * (a half-open connection, as a REJECT cut on the peer's host leaves), so we dial anew.
     */
    public static final int HALF_OPEN_RESETS = 23;
    private static final int FIXED = 24;
    private static final String[] NAMES = {
        "notifications_sent", "notifications_received", "quorum_messages_sent", "quorum_messages_received",
        "connections_accepted", "connects_failed", "links_up", "links_down", "inbound_dropped",
        "outbound_dropped", "fault_dropped", "auth_succeeded", "tls_handshakes", "inbound_paused",
        "client_connections", "client_writes", "client_writes_busy", "snapshot_file_chunks_sent",
        "record_file_batches_sent", "record_batches_copied_sent", "record_batches_received", "notifications_superseded",
        "quorum_links_reset", "half_open_links_reset"};

    private static final int BAD_FRAME_BASE = FIXED;
    private static final int REFUSED_BASE = BAD_FRAME_BASE + WireError.values().length;
    private static final int FAILED_BASE = REFUSED_BASE + RefuseReason.values().length;
    private final AtomicLongArray values = new AtomicLongArray(FAILED_BASE + FailReason.values().length);

    public void increment(final int counter) {
        values.getAndIncrement(counter);
    }

    public long get(final int counter) {
        return values.get(counter);
    }

    /** Counts a frame or header rejected for {@code error}. */
    public void badFrame(final WireError error) {
        values.getAndIncrement(BAD_FRAME_BASE + error.ordinal());
    }

    public long badFrames(final WireError error) {
        return values.get(BAD_FRAME_BASE + error.ordinal());
    }

    /** Counts a connection closed during its handshake for {@code reason}. */
    public void refused(final RefuseReason reason) {
        values.getAndIncrement(REFUSED_BASE + reason.ordinal());
    }

    public long refusedCount(final RefuseReason reason) {
        return values.get(REFUSED_BASE + reason.ordinal());
    }

    /** Counts a connection closed because an exception reached its handler, for {@code reason}. */
    public void failed(final FailReason reason) {
        values.getAndIncrement(FAILED_BASE + reason.ordinal());
    }

    public long failedCount(final FailReason reason) {
        return values.get(FAILED_BASE + reason.ordinal());
    }

    /** The metric name of a fixed counter (0..{@link #fixedCount()}-1). */
    public static String name(final int counter) {
        return NAMES[counter];
    }

    public static int fixedCount() {
        return FIXED;
    }
}
