package io.electionbench.transport.node;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A test peer on a plain blocking socket that speaks (or mangles) ZooKeeper's election wire format. */
final class RawPeer implements AutoCloseable {
    final Socket socket;
    final DataOutputStream out;
    final DataInputStream in;

    RawPeer(final int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBufferBytes SO_RCVBUF, set before connecting so the window stays small; 0 for the default */
    RawPeer(final int port, final int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(3000);
        out = new DataOutputStream(socket.getOutputStream());
        in = new DataInputStream(socket.getInputStream());
    }

    RawPeer headerV1(final long sid, final String address) throws IOException {
        final byte[] bytes = address.getBytes(StandardCharsets.UTF_8);
        out.writeLong(-65536L);
        out.writeLong(sid);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A frame: length then payload. */
    RawPeer frame(final byte[] payload) throws IOException {
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
        return this;
    }

    RawPeer raw(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** A version-2 notification payload with an empty config. */
    static byte[] notification(final int state, final long leader, final long zxid, final long electionEpoch,
        final long peerEpoch) {
        return ByteBuffer.allocate(44).putInt(state).putLong(leader).putLong(zxid).putLong(electionEpoch)
            .putLong(peerEpoch).putInt(2).putInt(0).array();
    }

    /** Reads one frame's payload. */
    byte[] readFrame() throws IOException {
        final int length = in.readInt();
        if (length <= 0 || length > 512 * 1024) {
            throw new IOException("bad frame length " + length);
        }
        final byte[] payload = new byte[length];
        in.readFully(payload);
        return payload;
    }

    /** Reads frames until one is from a non-LOOKING sender or {@code predicate} holds; returns it. */
    ByteBuffer readNotification(final java.util.function.Predicate<ByteBuffer> predicate) throws IOException {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            final ByteBuffer frame = ByteBuffer.wrap(readFrame());
            if (predicate.test(frame)) {
                return frame;
            }
        }
        throw new IOException("no matching notification within 5 s");
    }

    /** True if the other side closed (EOF or reset) within the socket timeout; drains whatever it sent. */
    boolean isClosedByPeer() {
        try {
            final byte[] sink = new byte[4096];
            while (true) {
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (final EOFException | SocketException ex) {
            return true;
        } catch (final SocketTimeoutException ex) {
            return false;
        } catch (final IOException ex) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
