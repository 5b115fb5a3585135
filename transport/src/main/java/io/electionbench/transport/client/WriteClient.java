package io.electionbench.transport.client;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import io.electionbench.transport.net.PeerAuthenticator;
import io.electionbench.transport.net.TlsConfig;
import io.electionbench.transport.wire.AuthCodec;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.QuorumHeaderCodec;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

/**
 * A pipelined write client for a node's quorum port (the load generator's writer). It connects with
 * a client header ({@link QuorumHeaderCodec#encodeClient}), runs the node's TLS and HMAC handshake
 * when they are configured, then sends WRITE frames and receives RESULT frames
 * ({@link QuorumMessageCodec}); answers come in the order the node's agent produces them, normally
 * the write order.
 *
 * <pre>
 * WriteClient client = new WriteClient(listener).authSecret(secret);
 * client.connect("10.0.0.1", 2888, 5_000);       // blocks until usable, or IOException naming host:port
 * while (!client.write(seq, payload, 0, length)) { ... back off: not connected, or too much pending }
 * client.close();
 * </pre>
 *
 * <p>Threads: {@link #write} from any threads, never blocking: each write is encoded straight into a
 * pooled direct buffer (the payload copied once) and queued on a many-to-one queue; one coalesced
 * task on the event loop writes everything queued and flushes once. Nothing else is allocated per
 * write. The {@link Listener} runs on the client's event loop and must not block. The event loop
 * is the client's own (one thread, epoll when available) or a shared group passed in.
 */
public final class WriteClient implements AutoCloseable {
    /** Outcomes and the end of the connection, on the client's event loop. */
    public interface Listener {
        /** The outcome of the write with {@code sequence}; {@code status} is a {@code WriteListener} constant. */
        void onResult(long sequence, int status, long zxid, long leaderSid);

        /**
         * An established connection ended (the node closed it, a network error, a bad frame); not
         * called after {@link #close()}. Writes without an answer have an unknown outcome.
         */
        void onDisconnected(Throwable cause);
    }

    /** Default bound of bytes queued or in Netty's outbound buffer before {@link #write} refuses. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 4L << 20;
    private static final int QUEUE_CAPACITY = 1 << 16;
    private static final int DRAIN_LIMIT = 1024;
    private static final AtomicIntegerFieldUpdater<WriteClient> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(WriteClient.class, "wakePending");
    private static final AtomicLongFieldUpdater<WriteClient> QUEUED =
        AtomicLongFieldUpdater.newUpdater(WriteClient.class, "queuedBytes");

    private final Listener listener;
    private final EventLoopGroup group;
    private final boolean isOwnGroup;
    private final boolean isEpoll;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final ManyToOneConcurrentArrayQueue<ByteBuf> queue = new ManyToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final Runnable drainTask = this::drain;
    private volatile int wakePending;
    private volatile long queuedBytes;
    /** The open connection (handshake done), or null. */
    private volatile Channel channel;
    private volatile boolean isClosed;
    private PeerAuthenticator authenticator;
    private TlsConfig tls;
    private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;

    /** A client with its own one-thread event loop (epoll when available, else NIO). */
    public WriteClient(final Listener listener) {
        this.listener = listener;
        this.isEpoll = Epoll.isAvailable();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("write-client", true),
            isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        this.isOwnGroup = true;
    }

    /**
     * A client on a shared event loop group, which {@link #close()} leaves running.
     *
     * @param isEpollGroup true if {@code group} runs epoll I/O handlers, false for NIO
     */
    public WriteClient(final Listener listener, final EventLoopGroup group, final boolean isEpollGroup) {
        this.listener = listener;
        this.group = group;
        this.isEpoll = isEpollGroup;
        this.isOwnGroup = false;
    }

    /** The ensemble's {@code peerAuthSecret}, if it has one (before {@link #connect}). */
    public WriteClient authSecret(final byte[] secret) {
        this.authenticator = secret == null || secret.length == 0 ? null : new PeerAuthenticator(secret.clone());
        return this;
    }

    /** The ensemble's quorum TLS settings, if {@code sslQuorum=true} (before {@link #connect}). */
    public WriteClient tls(final TlsConfig tls) {
        if (tls != null && !tls.isConcluded()) {
            tls.conclude();
        }
        this.tls = tls;
        return this;
    }

    /** {@link #write} refuses while more than this is pending (queued, or in Netty's outbound buffer). */
    public WriteClient maxPendingBytes(final long bytes) {
        if (bytes < 1024) {
            throw new IllegalArgumentException("maxPendingBytes must be >= 1024, got " + bytes);
        }
        this.maxPendingBytes = bytes;
        return this;
    }

    /**
     * Connects to a node's quorum port and completes the handshake; blocks up to {@code timeoutMs}.
     * Not from the client's event loop.
     *
     * @throws IOException naming {@code host:port}: refused, unreachable, timed out, TLS or authentication failed
     * @throws IllegalStateException if connected, closed, or called from the event loop
     */
    public void connect(final String host, final int port, final long timeoutMs) throws IOException {
        if (isClosed || channel != null) {
            throw new IllegalStateException(isClosed ? "closed" : "already connected");
        }
        for (final EventExecutor executor : group) {
            if (executor.inEventLoop()) {
                throw new IllegalStateException("connect() would block the client's event loop");
            }
        }
        final String where = host + ":" + port;
        final CompletableFuture<Channel> ready = new CompletableFuture<>();
        final ChannelFuture connected = bootstrap(host, port, where, ready, timeoutMs).connect(host, port);
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                ready.completeExceptionally(f.cause());
            }
        });
        try {
            ready.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (final TimeoutException ex) {
            channel = null;
            connected.channel().close();
            throw new IOException("write port " + where + ": not connected within " + timeoutMs + " ms", ex);
        } catch (final ExecutionException ex) {
            connected.channel().close();
            throw new IOException("write port " + where + ": " + ex.getCause().getMessage(), ex.getCause());
        } catch (final InterruptedException ex) {
            connected.channel().close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to write port " + where);
        }
    }

    private Bootstrap bootstrap(final String host, final int port, final String where,
        final CompletableFuture<Channel> ready, final long timeoutMs) {
        return new Bootstrap()
            .group(group)
            .channel(isEpoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, alloc)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, Math.max(1, timeoutMs)))
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark((int)Math.min(Integer.MAX_VALUE, maxPendingBytes / 2),
                    (int)Math.min(Integer.MAX_VALUE, maxPendingBytes)))
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    if (tls != null) {
                        ch.pipeline().addLast(tls.newHandler(host, port));
                    }
                    ch.pipeline().addLast(new ClientHandler(where, ready));
                }
            });
    }

    /**
     * Queues one write; never blocks.
     *
     * @param sequence the client's id for it, {@code 0..2^48-1}; its RESULT carries it back
     * @return false if not connected, or more than {@link #maxPendingBytes} is pending (retry later)
     * @throws IllegalArgumentException for a sequence out of range or a payload beyond the frame limit
     */
    public boolean write(final long sequence, final DirectBuffer payload, final int offset, final int length) {
        if (sequence < 0 || sequence > QuorumMessageCodec.MAX_SEQUENCE) {
            throw new IllegalArgumentException("sequence " + sequence + " outside 0..2^48-1");
        }
        if (length < 0 || length > QuorumMessageCodec.MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("payload of " + length + " bytes does not fit a frame");
        }
        final Channel ch = channel;
        if (ch == null || queuedBytes > maxPendingBytes || !ch.isWritable()) {
            return false;
        }
        final int size = QuorumMessageCodec.frameLength(QuorumMessageCodec.W_PAYLOAD_OFFSET, length);
        final ByteBuf frame = alloc.directBuffer(size, size);
        QuorumMessageCodec.encodeWrite(frame, sequence, payload, offset, length);
        QUEUED.getAndAdd(this, size);
        if (!queue.offer(frame)) {
            QUEUED.getAndAdd(this, -size);
            frame.release();
            return false;
        }
        wake(ch.eventLoop());
        return true;
    }

    private void wake(final EventLoop loop) {
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                loop.execute(drainTask);
            } catch (final RejectedExecutionException ignored) {
                // Closing: close() releases what is queued.
            }
        }
    }

    /** Event loop: the coalesced drain; clears the flag first (volatile), writes all queued, flushes once. */
    private void drain() {
        WAKE.set(this, 0);
        final Channel ch = channel;
        int count = 0;
        ByteBuf frame;
        while (count < DRAIN_LIMIT && (frame = queue.poll()) != null) {
            count++;
            QUEUED.getAndAdd(this, -frame.readableBytes());
            if (ch == null) {
                frame.release();
            } else {
                ch.write(frame, ch.voidPromise());
            }
        }
        if (ch != null && count > 0) {
            ch.flush();
        }
        if (count == DRAIN_LIMIT && ch != null) {
            ch.eventLoop().execute(drainTask);
        }
    }

    /** True while a connection is open. */
    public boolean isConnected() {
        return channel != null;
    }

    /** Bytes queued by {@link #write} and not yet handed to Netty. */
    public long queuedBytes() {
        return queuedBytes;
    }

    /**
     * Closes the connection (unanswered writes have an unknown outcome) and, for a client with its own
     * event loop, stops it. Idempotent. Writes racing with close may be discarded.
     */
    @Override
    public void close() {
        if (isClosed) {
            return;
        }
        isClosed = true;
        final Channel ch = channel;
        channel = null;
        if (ch != null) {
            ch.close();
            if (!ch.eventLoop().inEventLoop()) {
                ch.closeFuture().awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
        if (isOwnGroup) {
            group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
            releaseQueued();
        } else if (ch != null) {
            try {
                ch.eventLoop().execute(this::releaseQueued);
            } catch (final RejectedExecutionException ex) {
                releaseQueued();
            }
        }
    }

    private void releaseQueued() {
        ByteBuf frame;
        while ((frame = queue.poll()) != null) {
            QUEUED.getAndAdd(this, -frame.readableBytes());
            frame.release();
        }
    }

    /** One connection: the client side of the handshake, then RESULT frames to the listener. */
    private final class ClientHandler extends ByteToMessageDecoder {
        private final String where;
        private final CompletableFuture<Channel> ready;
        private final QuorumMessageCodec message = new QuorumMessageCodec();
        private boolean isOpen;
        private boolean isAwaitingResponse;
        private byte[] nonceI;
        private Throwable failure;

        ClientHandler(final String where, final CompletableFuture<Channel> ready) {
            this.where = where;
            this.ready = ready;
        }

        @Override
        public void channelActive(final ChannelHandlerContext ctx) throws Exception {
            if (tls == null) {
                start(ctx);
            }
            super.channelActive(ctx);
        }

        @Override
        public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception {
            if (event instanceof SslHandshakeCompletionEvent) {
                final SslHandshakeCompletionEvent done = (SslHandshakeCompletionEvent)event;
                if (done.isSuccess()) {
                    start(ctx);
                } else {
                    fail(ctx, new IOException("TLS handshake failed: " + done.cause(), done.cause()));
                }
            }
            super.userEventTriggered(ctx, event);
        }

        private void start(final ChannelHandlerContext ctx) {
            final ByteBuf out = ctx.alloc().buffer(QuorumHeaderCodec.LENGTH + AuthCodec.CHALLENGE_LENGTH);
            QuorumHeaderCodec.encodeClient(out);
            if (authenticator != null) {
                nonceI = authenticator.newNonce();
                out.writeBytes(nonceI);
                isAwaitingResponse = true;
                ctx.writeAndFlush(out, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(out, ctx.voidPromise());
                open(ctx);
            }
        }

        private void open(final ChannelHandlerContext ctx) {
            isOpen = true;
            if (isClosed) {
                ctx.close();
                return;
            }
            channel = ctx.channel();
            ready.complete(ctx.channel());
        }

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out) {
            if (isAwaitingResponse) {
                onResponse(ctx, in);
                return;
            }
            if (!isOpen) {
                fail(ctx, new IOException("the node spoke before the handshake"));
                return;
            }
            while (in.isReadable() && ctx.channel().isActive()) {
                final int index = in.readerIndex();
                final WireError framing = FrameCodec.peek(in, index, in.readableBytes());
                if (framing == WireError.INCOMPLETE) {
                    return;
                }
                final int length = framing == WireError.NONE ? in.getInt(index) : 0;
                final WireError error = framing != WireError.NONE ? framing
                    : message.decode(in, index + FrameCodec.LENGTH_FIELD, length);
                if (error != WireError.NONE || message.type() != QuorumMessageCodec.RESULT) {
                    fail(ctx, new IOException("bad frame from " + where + ": "
                        + (error == WireError.NONE ? "unexpected type " + message.type() : error.description())));
                    return;
                }
                in.skipBytes(FrameCodec.LENGTH_FIELD + length);
                listener.onResult(message.sequence(), message.status(), message.zxid(), message.leaderSid());
            }
        }

        /** RESPONSE (nonceR, macR) in, PROOF (macI) out; both sids are the client sid (see HandshakeHandler). */
        private void onResponse(final ChannelHandlerContext ctx, final ByteBuf in) {
            if (in.readableBytes() < AuthCodec.RESPONSE_LENGTH) {
                return;
            }
            final byte[] nonceR = new byte[AuthCodec.NONCE_LENGTH];
            final byte[] mac = new byte[AuthCodec.MAC_LENGTH];
            in.readBytes(nonceR).readBytes(mac);
            final long sid = QuorumHeaderCodec.CLIENT_SID;
            if (!PeerAuthenticator.isEqual(authenticator.receiverMac(nonceI, nonceR, sid, sid), mac)) {
                fail(ctx, new IOException("authentication failed: the node does not share our peerAuthSecret"));
                return;
            }
            isAwaitingResponse = false;
            final ByteBuf proof = ctx.alloc().buffer(AuthCodec.PROOF_LENGTH);
            proof.writeBytes(authenticator.initiatorMac(nonceI, nonceR, sid, sid));
            ctx.writeAndFlush(proof, ctx.voidPromise());
            open(ctx);
        }

        private void fail(final ChannelHandlerContext ctx, final Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ready.completeExceptionally(cause);
            ctx.close();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            fail(ctx, cause);
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx) throws Exception {
            if (!isOpen || !ready.isDone()) {
                ready.completeExceptionally(failure != null ? failure
                    : new IOException("connection closed during the handshake"
                        + (authenticator != null ? " (wrong secret?)" : "")
                        + " (client writes disabled, or not an electionbench quorum port?)"));
            } else if (channel == ctx.channel()) {
                channel = null;
                releaseQueued();
                if (!isClosed) {
                    listener.onDisconnected(failure != null ? failure
                        : new IOException(where + " closed the connection"));
                }
            }
            super.channelInactive(ctx);
        }
    }
}
