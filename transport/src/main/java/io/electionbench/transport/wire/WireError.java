package io.electionbench.transport.wire;

/**
 * The outcome of a decode. Every decoder in this package is total: for any bytes it returns
 * {@link #NONE} with the fields decoded, {@link #INCOMPLETE} when more bytes are needed, or one of
 * the errors below; it never throws on bad input. {@link #isFatal()} says whether ZooKeeper closes
 * the connection for it (a bad frame length, a bad header) or only drops that frame (a malformed
 * notification payload, ZOOKEEPER-3769). Counters are keyed by {@link #metricName()}.
 */
public enum WireError {
    NONE(false, "ok"),
    INCOMPLETE(false, "more bytes needed"),
    BAD_FRAME_LENGTH(true, "frame length <= 0 or above the 512 KiB limit"),
    UNKNOWN_PROTOCOL_VERSION(true, "unrecognized protocol version in connection header"),
    BAD_ADDRESS_LENGTH(true, "unreasonable address length in connection header (1..2048)"),
    BAD_ADDRESS(true, "malformed host:port in connection header"),
    BAD_SID(true, "server id out of range"),
    NOTIFICATION_TOO_SHORT(false, "notification shorter than 28 bytes"),
    BAD_CONFIG_LENGTH(false, "notification config length negative or past the frame"),
    UNKNOWN_STATE(false, "notification state is not 0..3"),
    BAD_MAGIC(true, "quorum frame magic or connection header magic mismatch"),
    UNSUPPORTED_VERSION(true, "quorum protocol version not supported"),
    UNKNOWN_TYPE(true, "unknown quorum message type"),
    BAD_MESSAGE_LENGTH(true, "quorum message length does not match its type"),
    BAD_HEADER_FLAGS(true, "quorum connection header flags unknown, or not 0 for a peer / CLIENT for a client"),
    BAD_SYNC_MODE(true, "sync start mode is not DIFF 13, TRUNC 14 or SNAP 15"),
    BAD_CHUNK_RANGE(true, "snapshot chunk position or total length out of range"),
    BAD_SEQUENCE(true, "write sequence outside 0..2^48-1"),
    BAD_RECORD_BATCH(true, "record batch malformed: a record runs past the frame, zxids not increasing, or count,"
        + " first or last zxid not as declared"),
    RECORD_CRC_MISMATCH(true, "record batch: a record's CRC32C does not match its zxid and payload"),
    BAD_EPOCH(true, "quorum message epoch above 2^31-1 or zxid negative (io.electionbench.core.Zxid bounds)"),
    NOTIFICATION_BAD_EPOCH(false, "notification peer epoch above 2^31-1 or zxid negative");

    private final boolean isFatal;
    private final String description;
    private final String metricName;

    WireError(final boolean isFatal, final String description) {
        this.isFatal = isFatal;
        this.description = description;
        this.metricName = name().toLowerCase(java.util.Locale.ROOT);
    }

    /** True if the connection must be closed; false if only the frame is dropped (or nothing is wrong). */
    public boolean isFatal() {
        return isFatal;
    }

    /** A human-readable reason, used in log lines. */
    public String description() {
        return description;
    }

    /** The lower-case name used as a metric label. */
    public String metricName() {
        return metricName;
    }
}
