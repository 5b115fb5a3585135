package io.electionbench.transport.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 connection on a plain blocking socket for hostile admin-endpoint tests: exactly the
 * bytes given go out (half requests, bad lengths, pipelines), and answers are read one at a time
 * (status, headers, a {@code Content-Length} body) or the connection's close is waited for.
 */
final class RawHttp implements AutoCloseable {
    final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    RawHttp(final int port) throws IOException {
        this(port, 0);
    }

    /** @param receiveBufferBytes SO_RCVBUF, set before connecting so the window stays small; 0 for the default */
    RawHttp(final int port, final int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5000);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    RawHttp send(final String text) throws IOException {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawHttp send(final byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /**
     * Sends {@code request} {@code count} times in batches of 500, until done or this socket is closed
     * (from another thread, which is how a blocked pipeline is ended).
     */
    void pipeline(final String request, final int count) {
        final int perBatch = 500;
        final byte[] batch = request.repeat(perBatch).getBytes(StandardCharsets.ISO_8859_1);
        try {
            for (int sent = 0; sent < count; sent += perBatch) {
                send(batch);
            }
        } catch (final IOException ex) {
            if (!socket.isClosed()) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /** One answer: the status line, headers and a body of {@code Content-Length} bytes (none without it). */
    Answer read() throws IOException {
        final Answer head = readHead();
        final byte[] body = in.readNBytes(head.contentLength);
        return new Answer(head.status, head.headers, new String(body, StandardCharsets.UTF_8), head.contentLength);
    }

    /** The status line and headers of an answer, leaving its body unread. */
    Answer readHead() throws IOException {
        final String statusLine = line();
        if (statusLine == null) {
            throw new IOException("closed before an answer");
        }
        final String[] parts = statusLine.split(" ", 3);
        final StringBuilder headers = new StringBuilder();
        int length = 0;
        String line;
        while ((line = line()) != null && !line.isEmpty()) {
            headers.append(line.toLowerCase(Locale.ROOT)).append('\n');
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return new Answer(Integer.parseInt(parts[1]), headers.toString(), "", length);
    }

    /** Reads lines until one contains {@code text} (true), or the peer closes or the deadline passes (false). */
    boolean readUntil(final String text, final long timeoutMs) throws IOException {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0) {
            socket.setSoTimeout((int)Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            try {
                final String line = line();
                if (line == null) {
                    return false;
                }
                if (line.contains(text)) {
                    return true;
                }
            } catch (final SocketTimeoutException ex) {
                return false;
            }
        }
        return false;
    }

    /** True if the peer has closed the connection (or answered on it) by now; waits at most 1 ms. */
    boolean isClosedNow() throws IOException {
        socket.setSoTimeout(1);
        try {
            in.read(); // end of stream, or an answer to a request that is not complete: either way it is over
            return true;
        } catch (final SocketTimeoutException ex) {
            return false;
        } catch (final SocketException ex) {
            return true;
        }
    }

    /**
     * Reads (and drops) whatever arrives until the peer closes, for at most {@code timeoutMs}.
     *
     * @return the milliseconds until the close, or -1 if the connection was still open at the deadline
     */
    long awaitClosedMs(final long timeoutMs) throws IOException {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final byte[] sink = new byte[4096];
        while (System.nanoTime() - deadlineNs < 0) {
            socket.setSoTimeout((int)Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime())));
            try {
                if (in.read(sink) < 0) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                }
            } catch (final SocketTimeoutException ex) {
                return -1;
            } catch (final SocketException ex) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs); // reset
            }
        }
        return -1;
    }

    private String line() throws IOException {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                final String text = bytes.toString(StandardCharsets.ISO_8859_1);
                return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
            }
            bytes.write(b);
        }
        return bytes.size() == 0 ? null : bytes.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** One HTTP answer; header names are lower case, one {@code name: value} per line. */
    static final class Answer {
        final int status;
        final String headers;
        final String body;
        final int contentLength;

        Answer(final int status, final String headers, final String body, final int contentLength) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.contentLength = contentLength;
        }

        boolean isClose() {
            return headers.contains("connection: close");
        }

        @Override
        public String toString() {
            return status + " " + headers.replace('\n', ' ') + body;
        }
    }
}
