package io.electionbench.transport.wire;

import io.netty.buffer.ByteBuf;

/**
 * Length framing shared by both ports: {@code int length} (big-endian) followed by {@code length}
 * payload bytes. As in ZooKeeper's {@code RecvWorker}, a length {@code <= 0} or above
 * {@link #MAX_FRAME_LENGTH} (512 KiB, {@code PACKETMAXSIZE}) closes the connection.
 */
public final class FrameCodec {
    /** ZooKeeper's {@code QuorumCnxManager.PACKETMAXSIZE}. */
    public static final int MAX_FRAME_LENGTH = 512 * 1024;
    /** Size of the length prefix. */
    public static final int LENGTH_FIELD = 4;

    private FrameCodec() {
    }

    /**
     * {@link WireError#NONE} if {@code length} is an acceptable frame length, else
     * {@link WireError#BAD_FRAME_LENGTH}.
     */
    public static WireError checkLength(final int length) {
        return length <= 0 || length > MAX_FRAME_LENGTH ? WireError.BAD_FRAME_LENGTH : WireError.NONE;
    }

    /**
     * Looks at the frame starting at {@code index}: {@link WireError#INCOMPLETE} until the length and the
     * whole payload are readable, {@link WireError#BAD_FRAME_LENGTH} for a bad length, else
     * {@link WireError#NONE} (the payload is {@code buf.getInt(index)} bytes at {@code index + 4}).
     */
    public static WireError peek(final ByteBuf buf, final int index, final int readable) {
        if (readable < LENGTH_FIELD) {
            return WireError.INCOMPLETE;
        }
        final int length = buf.getInt(index);
        if (checkLength(length) != WireError.NONE) {
            return WireError.BAD_FRAME_LENGTH;
        }
        return readable - LENGTH_FIELD < length ? WireError.INCOMPLETE : WireError.NONE;
    }

    /** Reserves the length prefix at the writer index; returns its index for {@link #endFrame}. */
    public static int beginFrame(final ByteBuf out) {
        final int lengthIndex = out.writerIndex();
        out.writeInt(0);
        return lengthIndex;
    }

    /** Back-fills the length prefix written by {@link #beginFrame}. */
    public static void endFrame(final ByteBuf out, final int lengthIndex) {
        out.setInt(lengthIndex, out.writerIndex() - lengthIndex - LENGTH_FIELD);
    }
}
