package io.electionbench.transport.wire;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * ZooKeeper 3.9's election-port connection header ({@code QuorumCnxManager.initiateConnection} /
 * {@code handleConnection}), written once by the initiator before any frame. Big-endian:
 *
 * <pre>
 * offset size field
 *  0     8    protocolVersion  V1 = -65536 (0xFFFF_FFFF_FFFF_0000), V2 = -65535 (multi-address);
 *                              a first long &gt;= 0 is the pre-3.5 form: it is the sid and nothing follows
 *  8     8    sid              the initiator's server id
 * 16     4    addrLen          1..2048 ({@code maxBuffer}); anything else closes the connection
 * 20     n    address          UTF-8 "host:port"; V2 may join several with '|'
 * </pre>
 *
 * A decoder instance is a reusable flyweight: {@link #decode} fills its fields from a buffer without
 * copying; the address stays in the buffer ({@link #addressOffset()}, {@link #addressLength()}).
 */
public final class ElectionHeaderCodec {
    public static final long PROTOCOL_V1 = -65536L;
    public static final long PROTOCOL_V2 = -65535L;
    /** ZooKeeper's {@code maxBuffer} for the address bytes. */
    public static final int MAX_ADDRESS_LENGTH = 2048;
    public static final int PROTOCOL_OFFSET = 0;
    public static final int SID_OFFSET = 8;
    public static final int ADDRESS_LENGTH_OFFSET = 16;
    public static final int ADDRESS_OFFSET = 20;
    /**
     * ZooKeeper's legacy observer id ({@code QuorumPeer.OBSERVER_ID}), for which
     * {@code QuorumCnxManager.handleConnection} assigns a temporary negative id.
     */
    public static final long LEGACY_OBSERVER_ID = Long.MAX_VALUE;
    /** Bytes of the pre-3.5 header (just the sid). */
    public static final int LEGACY_LENGTH = 8;

    private long protocolVersion;
    private long sid;
    private int addressOffset;
    private int addressLength;
    private int length;

    /**
     * Writes a header at the writer index.
     *
     * @param address "host:port" of this server's election listener (several joined by '|' for V2)
     */
    public static void encode(final ByteBuf out, final long protocolVersion, final long sid, final CharSequence address) {
        out.writeLong(protocolVersion);
        out.writeLong(sid);
        out.writeInt(ByteBufUtil.utf8Bytes(address));
        out.writeCharSequence(address, StandardCharsets.UTF_8);
    }

    /**
     * Decodes the header at {@code index}, of which {@code readable} bytes are present.
     *
     * @return {@link WireError#NONE} (then {@link #length()} bytes belong to the header),
     *     {@link WireError#INCOMPLETE}, or a fatal error
     */
    public WireError decode(final ByteBuf buf, final int index, final int readable) {
        clear();
        if (readable < LEGACY_LENGTH) {
            return WireError.INCOMPLETE;
        }
        final long first = buf.getLong(index);
        if (first >= 0) {
            protocolVersion = first;
            sid = first;
            length = LEGACY_LENGTH;
            return WireError.NONE;
        }
        if (first != PROTOCOL_V1 && first != PROTOCOL_V2) {
            return WireError.UNKNOWN_PROTOCOL_VERSION;
        }
        if (readable < ADDRESS_OFFSET) {
            return WireError.INCOMPLETE;
        }
        final int addrLen = buf.getInt(index + ADDRESS_LENGTH_OFFSET);
        if (addrLen < 1 || addrLen > MAX_ADDRESS_LENGTH) {
            return WireError.BAD_ADDRESS_LENGTH;
        }
        if (readable < ADDRESS_OFFSET + addrLen) {
            return WireError.INCOMPLETE;
        }
        if (!isWellFormedAddressList(buf, index + ADDRESS_OFFSET, addrLen)) {
            return WireError.BAD_ADDRESS;
        }
        protocolVersion = first;
        sid = buf.getLong(index + SID_OFFSET);
        addressOffset = index + ADDRESS_OFFSET;
        addressLength = addrLen;
        length = ADDRESS_OFFSET + addrLen;
        return WireError.NONE;
    }

    /**
     * True if every '|'-separated entry is {@code host:port} with a non-empty host and a decimal port
     * 0..65535, as ZooKeeper's {@code InitialMessage.parse} requires. Allocates nothing.
     */
    static boolean isWellFormedAddressList(final ByteBuf buf, final int offset, final int length) {
        int start = offset;
        final int end = offset + length;
        for (int i = offset; i <= end; i++) {
            if (i == end || buf.getByte(i) == '|') {
                if (!isWellFormedAddress(buf, start, i)) {
                    return false;
                }
                start = i + 1;
            }
        }
        return true;
    }

    private static boolean isWellFormedAddress(final ByteBuf buf, final int start, final int end) {
        int colon = -1;
        for (int i = end - 1; i >= start; i--) {
            if (buf.getByte(i) == ':') {
                colon = i;
                break;
            }
        }
        if (colon <= start || colon == end - 1 || end - colon - 1 > 5) {
            return false;
        }
        int port = 0;
        for (int i = colon + 1; i < end; i++) {
            final int digit = buf.getByte(i) - '0';
            if (digit < 0 || digit > 9) {
                return false;
            }
            port = port * 10 + digit;
        }
        return port <= 0xFFFF;
    }

    private void clear() {
        protocolVersion = 0;
        sid = 0;
        addressOffset = 0;
        addressLength = 0;
        length = 0;
    }

    public long protocolVersion() {
        return protocolVersion;
    }

    public long sid() {
        return sid;
    }

    /** True if the header carried an address (V1/V2); false for the pre-3.5 sid-only form. */
    public boolean hasAddress() {
        return addressLength > 0;
    }

    public int addressOffset() {
        return addressOffset;
    }

    public int addressLength() {
        return addressLength;
    }

    /** The address text; allocates, so call it only off the hot path (logging). */
    public String address(final ByteBuf buf) {
        return hasAddress() ? buf.toString(addressOffset, addressLength, StandardCharsets.UTF_8) : "";
    }

    /** Bytes consumed by the last successful decode. */
    public int length() {
        return length;
    }
}
