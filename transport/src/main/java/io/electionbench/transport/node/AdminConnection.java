package io.electionbench.transport.node;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * One admin HTTP connection's flow control, the last handler of its pipeline ({@link #gate()} is the
 * first): decoded requests wait in arrival order and are handed to the {@link Endpoint} one at a time,
 * each once the one before is answered (a write or a log read is answered later, from the agent) and
 * only while the channel is writable (Netty's outbound buffer under its high water mark). The channel
 * does not read by itself ({@code AUTO_READ} off): the gate lets a read through only while nothing
 * waits, nothing is being answered and the channel is writable, so a client that pipelines without
 * reading its answers is held back by TCP and at most one read's worth of requests waits here.
 *
 * <p>A connection that is ready for a request and has started one is closed unless the request is
 * complete within {@code requestTimeoutMs} of its first bytes (half a request, or a trickle); one that
 * sends nothing is closed after {@code idleTimeoutMs} (an idle keep-alive). A request whose first
 * bytes came in one read with the complete request before it counts as idle, not started. A
 * connection carrying an endless stream ({@link #streaming()}) is not timed, and what it sends is
 * dropped. A refused request
 * ({@link #refuse}) is answered, then the output is shut and input is read and dropped for
 * {@link #LINGER_MS} before the close, so the client gets the answer instead of a reset (Apache httpd's
 * {@code ap_lingering_close}). Event loop only.
 */
final class AdminConnection extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AdminConnection.class);
    /** How long a refused connection keeps reading (and dropping) input after its answer before closing. */
    static final long LINGER_MS = 2_000;

    /** Why the endpoint closed a connection, as counted in {@code electionbench_admin_connections_closed_total}. */
    enum CloseReason {
        /** Ready for a request and sent nothing for the idle timeout (an idle keep-alive). */
        IDLE,
        /** A request was started and not completed within the request timeout. */
        REQUEST_TIMEOUT,
        /** A request that could not be decoded or was too large was refused. */
        BAD_REQUEST,
        /** An event stream fell too far behind its events. */
        EVENTS_BACKLOG;

        String metricName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What the server does with requests and closes. */
    interface Endpoint {
        /**
         * Answers {@code request} with {@link #send}, or starts answering it and calls {@link #busy()}
         * (then {@link #done()} once answered), or starts a stream with {@link #streaming()}. The request
         * is released after this returns.
         */
        void onRequest(AdminConnection connection, FullHttpRequest request);

        /** The endpoint closed {@code connection} for {@code reason}; {@code detail} says what was seen. */
        void onClosed(AdminConnection connection, CloseReason reason, String detail);

        /** An answer was written (for the answer count). */
        void onAnswered();
    }

    private final Endpoint endpoint;
    private final long requestTimeoutNs;
    private final long idleTimeoutNs;
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>(4);
    private final ReadGate gate = new ReadGate();
    private ChannelHandlerContext ctx;
    private boolean isBusy;
    private boolean isStreaming;
    private boolean isClosing;
    private boolean isDraining;
    /** Ready for a request: nothing waits or is being answered, the channel is writable, no stream. */
    private boolean isAwaiting;
    /** Bytes arrived since the last complete request (so a timeout is a cut-off request, not idleness). */
    private boolean hasPartialRequest;
    private long awaitingSinceNs;
    /** When the first bytes of the request now arriving came. */
    private long partialSinceNs;
    private ScheduledFuture<?> requestTimer;

    AdminConnection(final Endpoint endpoint, final long requestTimeoutMs, final long idleTimeoutMs) {
        this.endpoint = endpoint;
        this.requestTimeoutNs = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMs);
        this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
    }

    /** The pipeline's first handler: passes reads on only while this connection wants input. */
    ChannelDuplexHandler gate() {
        return gate;
    }

    Channel channel() {
        return ctx.channel();
    }

    /** The request handed to the endpoint is being answered later: hand over no other until {@link #done()}. */
    void busy() {
        isBusy = true;
    }

    /** The request that made this connection {@link #busy()} is answered: go on with the next. */
    void done() {
        isBusy = false;
        resume();
    }

    /** This connection now carries an endless stream: no more requests, no request timeout. */
    void streaming() {
        isStreaming = true;
        releaseWaiting();
    }

    /** Writes an answer; closes the connection after it unless {@code isKeepAlive}. */
    ChannelFuture send(final FullHttpResponse response, final boolean isKeepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION,
            isKeepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        endpoint.onAnswered();
        final ChannelFuture future = ctx.writeAndFlush(response);
        if (!isKeepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        return future;
    }

    /**
     * Answers a refused request and closes after lingering ({@link #LINGER_MS}); requests behind it
     * are dropped unanswered.
     */
    void refuse(final FullHttpResponse response, final String detail) {
        isClosing = true;
        releaseWaiting();
        endpoint.onClosed(this, CloseReason.BAD_REQUEST, detail);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        endpoint.onAnswered();
        ctx.writeAndFlush(response).addListener(this::lingerThenClose);
    }

    /** Closes this connection at once for {@code reason}. */
    void close(final CloseReason reason, final String detail) {
        if (ctx.channel().isActive()) {
            endpoint.onClosed(this, reason, detail);
            ctx.close();
        }
    }

    /** Bytes waiting in Netty's outbound buffer (any thread; a racy snapshot). */
    static long pendingOutboundBytes(final Channel ch) {
        final ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext context) {
        this.ctx = context;
    }

    @Override
    public void channelActive(final ChannelHandlerContext context) {
        updateAwaiting();
        context.read();
        context.fireChannelActive();
    }

    @Override
    public void channelRead(final ChannelHandlerContext context, final Object msg) {
        if (!(msg instanceof FullHttpRequest) || isStreaming || isClosing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        hasPartialRequest = false;
        isAwaiting = false;
        waiting.addLast((FullHttpRequest)msg);
        drain();
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext context) {
        resume();
    }

    @Override
    public void channelWritabilityChanged(final ChannelHandlerContext context) {
        if (context.channel().isWritable()) {
            resume();
        } else {
            updateAwaiting();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext context) {
        releaseWaiting();
        if (requestTimer != null) {
            requestTimer.cancel(false);
            requestTimer = null;
        }
        context.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext context) {
        releaseWaiting();
    }

    /** A connection that fails (a reset, or more pipelined requests than the codec holds) is closed. */
    @Override
    public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause) {
        LOG.debug("admin connection from {} failed: {}", context.channel().remoteAddress(), cause.toString());
        context.close();
    }

    /** Hands waiting requests to the endpoint while it can take them, then asks for input if it wants it. */
    private void resume() {
        if (isDraining) {
            return; // an answer's flush changed the writability: the drain below goes on by itself
        }
        drain();
        if (ctx.channel().isActive() && isReadWanted()) {
            ctx.read();
        }
    }

    private void drain() {
        if (isDraining) {
            return;
        }
        isDraining = true;
        try {
            FullHttpRequest request;
            while (canHandOver() && (request = waiting.pollFirst()) != null) {
                try {
                    endpoint.onRequest(this, request);
                } finally {
                    request.release();
                }
            }
        } finally {
            isDraining = false;
        }
        updateAwaiting();
    }

    /** The endpoint may be handed a request: none is being answered, no stream, not closing, writable. */
    private boolean canHandOver() {
        return !isBusy && !isStreaming && !isClosing && ctx.channel().isWritable();
    }

    /** True while input should be read: ready for a request, or input is dropped anyway (stream, closing). */
    private boolean isReadWanted() {
        return isStreaming || isClosing || canHandOver() && waiting.isEmpty();
    }

    /** Starts the request timer when the connection becomes ready for a request; it stops when it is not. */
    private void updateAwaiting() {
        final boolean isNowAwaiting = canHandOver() && waiting.isEmpty();
        if (isNowAwaiting && !isAwaiting) {
            awaitingSinceNs = System.nanoTime();
            if (requestTimer == null) {
                requestTimer = ctx.executor().schedule(this::onRequestTimer, requestTimeoutNs, TimeUnit.NANOSECONDS);
            }
        }
        isAwaiting = isNowAwaiting;
    }

    /**
     * Closes the connection if it has been ready for a request past its deadline (the request timeout
     * from a started request's first bytes, else the idle timeout). Otherwise it looks again after at
     * most the request timeout, which is soon enough for a request that starts meanwhile.
     */
    private void onRequestTimer() {
        requestTimer = null;
        if (!isAwaiting || !ctx.channel().isActive()) {
            return;
        }
        final long deadlineNs = hasPartialRequest
            ? Math.max(awaitingSinceNs, partialSinceNs) + requestTimeoutNs : awaitingSinceNs + idleTimeoutNs;
        final long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs > 0) {
            requestTimer = ctx.executor().schedule(this::onRequestTimer, Math.min(remainingNs, requestTimeoutNs),
                TimeUnit.NANOSECONDS);
            return;
        }
        if (hasPartialRequest) {
            close(CloseReason.REQUEST_TIMEOUT, "no complete request within "
                + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNs) + " ms");
        } else {
            close(CloseReason.IDLE, "idle for " + TimeUnit.NANOSECONDS.toMillis(idleTimeoutNs) + " ms");
        }
    }

    /** After a refusal's answer: shut the output, keep reading (and dropping) for a while, then close. */
    private void lingerThenClose(final Future<? super Void> written) {
        final Channel ch = ctx.channel();
        if (!written.isSuccess() || !(ch instanceof DuplexChannel) || !ch.isActive()) {
            ch.close();
            return;
        }
        ((DuplexChannel)ch).shutdownOutput();
        ctx.executor().schedule(() -> ch.close(), LINGER_MS, TimeUnit.MILLISECONDS);
        if (isReadWanted()) {
            ctx.read();
        }
    }

    private void releaseWaiting() {
        FullHttpRequest request;
        while ((request = waiting.pollFirst()) != null) {
            request.release();
        }
    }

    /**
     * The pipeline's head: lets {@code read()} through only while the connection wants input (the HTTP
     * codec and aggregator ask for more on their own while a message is incomplete), and notes that
     * bytes of a request have arrived.
     */
    private final class ReadGate extends ChannelDuplexHandler {
        @Override
        public void read(final ChannelHandlerContext context) {
            if (isReadWanted()) {
                context.read();
            }
        }

        @Override
        public void channelRead(final ChannelHandlerContext context, final Object msg) {
            if (msg instanceof ByteBuf && ((ByteBuf)msg).isReadable() && !hasPartialRequest) {
                hasPartialRequest = true;
                partialSinceNs = System.nanoTime();
            }
            context.fireChannelRead(msg);
        }
    }
}
