package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;

/**
 * ZooKeeper 3.9's election notification, the payload of one election-port frame
 * ({@code FastLeaderElection.buildMsg} / {@code WorkerReceiver.run}). Big-endian:
 *
 * <pre>
 * offset size field
 *  0     4    state          ServerState ordinal: LOOKING=0 FOLLOWING=1 LEADING=2 OBSERVING=3
 *  4     8    leader         proposed leader sid
 * 12     8    zxid           zxid of the proposed leader
 * 20     8    electionEpoch  sender's logical clock
 * 28     8    peerEpoch      epoch of the proposed leader
 * 36     4    version        2 ({@code Notification.CURRENTVERSION})
 * 40     4    configLength   n
 * 44     n    config         UTF-8 {@code QuorumVerifier.toString()}
 * </pre>
 *
 * Receiving is keyed on the payload length exactly as ZooKeeper does: {@code < 28} dropped;
 * {@code == 28} legacy, peerEpoch = zxid &gt;&gt; 32 and version 0; {@code == 40} peerEpoch read, version
 * 0 (the trailing int is never read); otherwise version is read and, if {@code > 1}, configLength
 * must satisfy {@code 0 <= n <= remaining bytes} or the frame is dropped. An unknown state drops the
 * frame. None of these close the connection.
 *
 * <p>A codec instance is a reusable flyweight: {@link #decode} fills its fields, and the config
 * bytes stay in the buffer ({@link #configOffset()}, {@link #configLength()}).
 */
public final class NotificationCodec {
    public static final int STATE_OFFSET = 0;
    public static final int LEADER_OFFSET = 4;
    public static final int ZXID_OFFSET = 12;
    public static final int ELECTION_EPOCH_OFFSET = 20;
    public static final int PEER_EPOCH_OFFSET = 28;
    public static final int VERSION_OFFSET = 36;
    public static final int CONFIG_LENGTH_OFFSET = 40;
    public static final int CONFIG_OFFSET = 44;
    /** Length of the oldest form (no peerEpoch). */
    public static final int LEGACY_LENGTH_28 = 28;
    /** Length of the form with peerEpoch but no version. */
    public static final int LEGACY_LENGTH_40 = 40;
    /** The version this node sends. */
    public static final int CURRENT_VERSION = 2;

    private int state;
    private long leader;
    private long zxid;
    private long electionEpoch;
    private long peerEpoch;
    private int version;
    private int configOffset;
    private int configLength;

    /**
     * Writes a whole frame (length prefix and a version-2 payload) at the writer index.
     *
     * @param config the config bytes, read from {@code configIndex} without moving its indexes
     * @return the number of bytes written
     */
    public static int encodeFrame(final ByteBuf out, final int state, final long leader, final long zxid,
        final long electionEpoch, final long peerEpoch, final ByteBuf config, final int configIndex,
        final int configLength) {
        final int start = out.writerIndex();
        out.writeInt(CONFIG_OFFSET + configLength);
        out.writeInt(state);
        out.writeLong(leader);
        out.writeLong(zxid);
        out.writeLong(electionEpoch);
        out.writeLong(peerEpoch);
        out.writeInt(CURRENT_VERSION);
        out.writeInt(configLength);
        if (configLength > 0) {
            out.writeBytes(config, configIndex, configLength);
        }
        return out.writerIndex() - start;
    }

    /**
     * Decodes the payload of {@code length} bytes at {@code index} (the frame without its length prefix).
     *
     * @return {@link WireError#NONE}, or a non-fatal error meaning "drop this frame"
     */
    public WireError decode(final ByteBuf buf, final int index, final int length) {
        configOffset = 0;
        configLength = 0;
        version = 0;
        if (length < LEGACY_LENGTH_28) {
            return WireError.NOTIFICATION_TOO_SHORT;
        }
        state = buf.getInt(index + STATE_OFFSET);
        leader = buf.getLong(index + LEADER_OFFSET);
        zxid = buf.getLong(index + ZXID_OFFSET);
        electionEpoch = buf.getLong(index + ELECTION_EPOCH_OFFSET);
        if (length == LEGACY_LENGTH_28) {
            peerEpoch = zxid >> 32;
        } else {
            if (length < VERSION_OFFSET) {
                return WireError.NOTIFICATION_TOO_SHORT;
            }
            peerEpoch = buf.getLong(index + PEER_EPOCH_OFFSET);
            if (length != LEGACY_LENGTH_40) {
                final WireError error = decodeVersioned(buf, index, length);
                if (error != WireError.NONE) {
                    return error;
                }
            }
        }
        if (!ServerState.isValidCode(state)) {
            return WireError.UNKNOWN_STATE;
        }
        return isInRange(peerEpoch, Zxid.isValidEpoch(peerEpoch)) && isInRange(zxid, Zxid.isValid(zxid))
            ? WireError.NONE : WireError.NOTIFICATION_BAD_EPOCH;
    }

    /** In range, or ZooKeeper's Long.MIN_VALUE, which a non-voter sends for its (never counted) vote. */
    private static boolean isInRange(final long value, final boolean isValid) {
        return isValid || value == Long.MIN_VALUE;
    }

    private WireError decodeVersioned(final ByteBuf buf, final int index, final int length) {
        if (length < VERSION_OFFSET + 4) {
            return WireError.NOTIFICATION_TOO_SHORT;
        }
        version = buf.getInt(index + VERSION_OFFSET);
        if (version <= 1) {
            return WireError.NONE;
        }
        if (length < CONFIG_OFFSET) {
            return WireError.NOTIFICATION_TOO_SHORT;
        }
        final int n = buf.getInt(index + CONFIG_LENGTH_OFFSET);
        if (n < 0 || n > length - CONFIG_OFFSET) {
            return WireError.BAD_CONFIG_LENGTH;
        }
        configOffset = index + CONFIG_OFFSET;
        configLength = n;
        return WireError.NONE;
    }

    public int state() {
        return state;
    }

    public long leader() {
        return leader;
    }

    public long zxid() {
        return zxid;
    }

    public long electionEpoch() {
        return electionEpoch;
    }

    public long peerEpoch() {
        return peerEpoch;
    }

    public int version() {
        return version;
    }

    public int configOffset() {
        return configOffset;
    }

    public int configLength() {
        return configLength;
    }
}
