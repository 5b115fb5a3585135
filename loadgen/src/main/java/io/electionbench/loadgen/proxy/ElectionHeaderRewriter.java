package io.electionbench.loadgen.proxy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Rewrites the address in the first message of a ZooKeeper election connection (QuorumCnxManager's
 * initial message), so that a receiver that dials back dials a proxy.
 *
 * <p>The initiator writes {@code long protocolVersion} (V1 = -65536, V2 = -65535), {@code long sid},
 * {@code int addrLen} and {@code addrLen} bytes of {@code host:port}: its own election address. Only
 * the larger sid keeps a connection it initiated; a receiver with the larger sid closes the incoming
 * connection and dials back the address from that header. Unrewritten, the dial-back would go
 * straight to the initiator's real port and around every proxy, and a cut would miss it.
 *
 * <p>This handler accumulates the client's first bytes until the header is complete (it may arrive
 * in any number of reads), emits the same version and sid with {@code advertised} as the address and
 * its length, and removes itself: everything after the header passes through untouched. A first long
 * that is no known version (a pre-3.5 peer sends its sid alone, with no address) or an address
 * length ZooKeeper would refuse is passed on unchanged, for the receiver to judge.
 */
public final class ElectionHeaderRewriter extends ByteToMessageDecoder {
    /** QuorumCnxManager.PROTOCOL_VERSION_V1. */
    public static final long PROTOCOL_VERSION_V1 = -65536L;
    /** QuorumCnxManager.PROTOCOL_VERSION_V2 (multi-address; {@code |}-joined addresses). */
    public static final long PROTOCOL_VERSION_V2 = -65535L;
    /** QuorumCnxManager's maxBuffer: a longer address closes the connection. */
    static final int MAX_ADDRESS_BYTES = 2048;
    /** version, sid, length. */
    static final int FIXED_BYTES = 8 + 8 + 4;

    private final byte[] advertised;

    /** @param advertised the {@code host:port} the receiver should dial back, the reverse proxy's */
    public ElectionHeaderRewriter(final String advertised) {
        this.advertised = advertised.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
        if (in.readableBytes() < Long.BYTES) {
            return;
        }
        final int start = in.readerIndex();
        final long version = in.getLong(start);
        if (version != PROTOCOL_VERSION_V1 && version != PROTOCOL_VERSION_V2) {
            passThrough(ctx);
            return;
        }
        if (in.readableBytes() < FIXED_BYTES) {
            return;
        }
        final int length = in.getInt(start + 16);
        if (length < 1 || length > MAX_ADDRESS_BYTES) {
            passThrough(ctx);
            return;
        }
        if (in.readableBytes() < FIXED_BYTES + length) {
            return;
        }
        final ByteBuf header = ctx.alloc().buffer(FIXED_BYTES + advertised.length);
        header.writeLong(version).writeLong(in.getLong(start + 8)).writeInt(advertised.length).writeBytes(advertised);
        in.skipBytes(FIXED_BYTES + length);
        out.add(header);
        // Removal hands the rest of the cumulation on after the header, in order.
        ctx.pipeline().remove(this);
    }

    /** Not a header this handler knows: forward it all as it is (the removal forwards the cumulation). */
    private void passThrough(final ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }
}
