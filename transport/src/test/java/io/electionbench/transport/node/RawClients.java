package io.electionbench.transport.node;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;

/**
 * Write-client connections held open by hand on a node's quorum port, from chosen loopback source
 * addresses (127.0.0.2, 127.0.0.3, ...: Linux answers all of 127/8), for tests of what idle or
 * silent clients cost a node. Every socket is closed by {@link #close()}.
 */
final class RawClients implements AutoCloseable {
    /** A RESULT frame: its length field and the 32 bytes it counts. */
    static final int RESULT_FRAME_BYTES = 4 + QuorumMessageCodec.RESULT_LENGTH;
    private static final int CONNECT_TIMEOUT_MS = 2_000;

    private final List<Socket> sockets = new ArrayList<>();

    /** The loopback address 127.0.0.{@code 2 + index}. */
    static InetAddress source(final int index) throws IOException {
        if (index < 0 || index > 250) {
            throw new IllegalArgumentException("source index " + index);
        }
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte)(2 + index)});
    }

    /**
     * Opens {@code count} connections to {@code port}, {@code perSource} from each source address in
     * turn starting at {@link #source source(firstSource)}; each sends the client header and, if
     * {@code sendsWrite}, one WRITE of 8 bytes (so the node has a reason to keep it), then nothing.
     */
    List<Socket> open(final int port, final int count, final int perSource, final int firstSource,
        final boolean sendsWrite) throws IOException {
        final List<Socket> opened = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            opened.add(open(port, source(firstSource + i / perSource), sendsWrite));
        }
        return opened;
    }

    /** One connection from {@code from} to {@code port}: the client header, then one WRITE if asked. */
    Socket open(final int port, final InetAddress from, final boolean sendsWrite) throws IOException {
        final Socket socket = new Socket();
        sockets.add(socket);
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CONNECT_TIMEOUT_MS);
        final int writeBytes = sendsWrite ? 4 + QuorumMessageCodec.W_PAYLOAD_OFFSET + 8 : 0;
        final ByteBuffer bytes = ByteBuffer.allocate(QuorumHeaderCodec.LENGTH + writeBytes);
        bytes.putInt(QuorumHeaderCodec.MAGIC).putShort((short)1).putShort((short)QuorumHeaderCodec.FLAG_CLIENT)
            .putLong(QuorumHeaderCodec.CLIENT_SID);
        if (sendsWrite) {
            bytes.putInt(QuorumMessageCodec.W_PAYLOAD_OFFSET + 8).put((byte)0xEB).put((byte)1)
                .putShort((short)QuorumMessageCodec.WRITE).putLong(1).putInt(8).putLong(42);
        }
        socket.getOutputStream().write(bytes.array());
        socket.getOutputStream().flush();
        return socket;
    }

    /** Reads one RESULT frame within {@code timeoutMs}; returns its status. */
    static int readResultStatus(final Socket socket, final int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        final DataInputStream in = new DataInputStream(socket.getInputStream());
        final byte[] frame = new byte[RESULT_FRAME_BYTES];
        in.readFully(frame);
        final ByteBuffer result = ByteBuffer.wrap(frame);
        if (result.getInt(0) != QuorumMessageCodec.RESULT_LENGTH
            || result.getShort(4 + QuorumMessageCodec.TYPE_OFFSET) != QuorumMessageCodec.RESULT) {
            throw new IOException("not a RESULT frame");
        }
        return result.getInt(4 + QuorumMessageCodec.R_STATUS_OFFSET);
    }

    /**
     * True if the node closed {@code socket} (EOF or reset) within {@code timeoutMs}, skipping any
     * RESULT it sent first; false if it was still open then.
     */
    static boolean isClosedByNode(final Socket socket, final int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        final InputStream in = socket.getInputStream();
        final byte[] skip = new byte[256];
        try {
            for (int reads = 0; reads < 1_000; reads++) {
                if (in.read(skip) < 0) {
                    return true;
                }
            }
            throw new IOException("the node keeps sending");
        } catch (final SocketTimeoutException open) {
            return false;
        } catch (final SocketException reset) {
            return true;
        }
    }

    int size() {
        return sockets.size();
    }

    /** Closes every socket opened so far (also those the node already closed). */
    @Override
    public void close() {
        for (final Socket socket : sockets) {
            try {
                socket.close();
            } catch (final IOException ignored) {
                // Closing a test's own socket: nothing to do about a failure.
            }
        }
        sockets.clear();
    }
}
