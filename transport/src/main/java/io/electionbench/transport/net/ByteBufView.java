package io.electionbench.transport.net;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.netty.buffer.ByteBuf;

/**
 * An Agrona {@link DirectBuffer} view of a region of a Netty {@link ByteBuf}, so a decoded payload
 * goes from the cumulation buffer into the agent's ring with one copy. Reusable, one per handler
 * (event loop only): a buffer with a memory address (pooled direct) or a backing array is wrapped in
 * place; anything else (a composite) is copied into a scratch array that grows to the largest
 * payload seen.
 */
final class ByteBufView {
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private byte[] scratch = new byte[0];

    /**
     * The bytes {@code [index, index + length)} of {@code buf}, at offset 0 of the returned view (valid until
     * the next call).
     */
    DirectBuffer wrap(final ByteBuf buf, final int index, final int length) {
        if (buf.hasMemoryAddress()) {
            view.wrap(buf.memoryAddress() + index, length);
        } else if (buf.hasArray()) {
            view.wrap(buf.array(), buf.arrayOffset() + index, length);
        } else {
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            buf.getBytes(index, scratch, 0, length);
            view.wrap(scratch, 0, length);
        }
        return view;
    }
}
