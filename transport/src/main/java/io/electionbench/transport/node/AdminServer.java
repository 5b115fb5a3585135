package io.electionbench.transport.node;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionAgent;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.net.PeerTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The member's admin endpoint: HTTP/1.1 with JSON bodies, on the transport's event loop.
 *
 * <pre>
 * GET  /state                        the current {@link NodeStatus}
 * GET  /events[?since=NS][&amp;kinds=state,synced]  chunked stream, one {@link NodeEvent} JSON per line (history since NS
 *                                    first); state changes only unless kinds names synced
 * GET  /metrics                      Prometheus text
 * GET  /log[?from=E:C][&amp;to=E:C][&amp;limit=N]  txn log entries in the range: zxid and first payload long, read on the agent thread
 * POST /fault/isolate?peers=1,2      drop frames to and from these peers
 * POST /fault/heal                   remove every fault
 * POST /fault/slow?peer=2&amp;delayMs=50 delay frames to and from a peer
 * POST /fault/crash                  halt at once, like kill -9
 * POST /write                        the body (at most MAX_WRITE_BYTES) as one write; answered when its outcome is known
 * </pre>
 *
 * Bound to loopback unless the config says otherwise; when bound beyond loopback, fault commands and
 * writes need an {@code X-Admin-Token} header equal to the configured {@code adminToken} (403
 * otherwise, and always 403 if no token is configured). {@code GET /log} shows payload bytes, so it
 * needs the token too.
 *
 * <p>Writes: the server attaches one {@link WriteRouter} slot and numbers its writes in it; the body is
 * offered to the agent's inbound ring and the connection stops reading (so answers leave in request
 * order) until the outcome comes back from the agent thread, is moved onto the event loop and
 * answered, or {@link #WRITE_TIMEOUT_MS} passes (504). Everything but the hand-offs runs on the
 * transport's single event loop.
 */
final class AdminServer {
    static final String TOKEN_HEADER = "X-Admin-Token";
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int HISTORY = 1024;
    /** A write whose outcome has not arrived by then is answered 504 (its outcome is then unknown). */
    static final long WRITE_TIMEOUT_MS = 10_000;
    /** Seconds a client should wait before retrying a 503 (not ready, busy). */
    private static final String RETRY_AFTER_SECONDS = "1";
    /** Most entries one {@code GET /log} returns; the answer's {@code next} says where to continue. */
    static final int MAX_LOG_ENTRIES = 100_000;
    /** A log read the agent has not answered by then is answered 504 (the agent is stopping or stuck). */
    static final long LOG_TIMEOUT_MS = 5_000;
    /** Index of the timeout in {@link #writeOutcomes}, after the agent's statuses. */
    private static final int OUTCOME_TIMEOUT = WriteListener.TOO_LARGE + 1;

    private final ElectionNode node;
    private final PeerTransport transport;
    private final byte[] token;
    private final EventLoop eventLoop;
    private final ArrayDeque<NodeEvent> history = new ArrayDeque<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final RingBuffer inbound;
    private final WriteRouter router;
    private final Long2ObjectHashMap<PendingWrite> pendingWrites = new Long2ObjectHashMap<>();
    /** Answers given to POST /write, by {@link WriteListener} status, then timeouts; any thread reads. */
    private final AtomicLongArray writeOutcomes = new AtomicLongArray(OUTCOME_TIMEOUT + 1);
    private long nextWriteSequence;
    private int writeSlot;
    /** Every accepted admin connection while it is open (any thread may count them). */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Answers written, of any kind; any thread reads. */
    private final AtomicLong answered = new AtomicLong();
    private Channel server;
    private boolean isLoopback;

    /**
     * @param inbound the agent's inbound ring, which {@code POST /write} offers to
     * @param router  the agent's write listener; this server attaches one slot when bound
     */
    AdminServer(final ElectionNode node, final PeerTransport transport, final String token, final RingBuffer inbound,
        final WriteRouter router) {
        this.node = node;
        this.transport = transport;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.eventLoop = transport.group().next();
        this.inbound = inbound;
        this.router = router;
    }

    void bind(final AdminAddress address) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(transport.group())
            .channel(transport.isEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            // A restarted node binds the same port at once, whatever its HTTP connections left in TIME_WAIT.
            .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    transport.track(ch);
                    connections.add(ch);
                    ch.pipeline().addLast(new HttpServerCodec(), new BodyLimit(), new AdminHandler());
                }
            });
        final InetSocketAddress bindAddress = new InetSocketAddress(address.host(), address.port());
        writeSlot = router.attach(this::onWriteResult); // before any connection can read it
        server = bootstrap.bind(bindAddress).syncUninterruptibly().channel();
        transport.track(server);
        isLoopback = bindAddress.getAddress() != null && bindAddress.getAddress().isLoopbackAddress();
        LOG.info("node {}: admin endpoint http://{}:{}", node.sid(), address().getHostString(), address().getPort());
    }

    InetSocketAddress address() {
        return (InetSocketAddress)server.localAddress();
    }

    /**
     * Stops listening (synchronously, so the port is free when this returns) and detaches the write
     * slot from the router: outcomes still to come are dropped (the event loop is going away).
     */
    void close() {
        if (server != null) {
            final io.netty.channel.ChannelFuture closed = server.close();
            if (!server.eventLoop().inEventLoop()) {
                closed.syncUninterruptibly();
            }
        }
        if (writeSlot != 0) {
            router.detach(writeSlot);
        }
    }

    /** The event loop this endpoint runs on. */
    EventLoop executor() {
        return eventLoop;
    }

    /** Open admin connections (a racy snapshot, for tests and diagnostics). */
    int connectionCount() {
        return connections.size();
    }

    /**
     * Bytes waiting in Netty's outbound buffers of every admin connection (any thread; a racy snapshot,
     * for tests and diagnostics).
     */
    long pendingOutboundBytes() {
        long pending = 0;
        for (final Channel ch : connections) {
            final ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
            pending += buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return pending;
    }

    /** Answers written so far, of any kind (any thread). */
    long answered() {
        return answered.get();
    }

    /** {@code POST /write} answers so far, for {@code /metrics}: a {@link WriteListener} status, or -1 for timeouts. */
    long writeOutcomes(final int status) {
        return writeOutcomes.get(status < 0 ? OUTCOME_TIMEOUT : status);
    }

    /** Any thread (the agent's): moves the event onto the event loop, then to every subscriber. */
    void publish(final NodeEvent event) {
        try {
            eventLoop.execute(() -> deliver(event));
        } catch (final java.util.concurrent.RejectedExecutionException ignored) {
            // Shutting down.
        }
    }

    private void deliver(final NodeEvent event) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(event);
        for (final Subscriber subscriber : subscribers) {
            if (subscriber.wants(event)) {
                writeEvent(subscriber.channel, event);
            }
        }
    }

    /** An {@code /events} stream and the kinds it asked for (state changes always). */
    private static final class Subscriber {
        final Channel channel;
        final boolean isSyncWanted;

        Subscriber(final Channel channel, final boolean isSyncWanted) {
            this.channel = channel;
            this.isSyncWanted = isSyncWanted;
        }

        boolean wants(final NodeEvent event) {
            return !event.isSynced() || isSyncWanted;
        }
    }

    private static void writeEvent(final Channel ch, final NodeEvent event) {
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event.toJson() + "\n", StandardCharsets.UTF_8)));
    }

    private final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request) {
            final QueryStringDecoder query = new QueryStringDecoder(request.uri());
            final String path = query.path();
            try {
                if (request.method() == HttpMethod.GET) {
                    get(ctx, request, path, query.parameters());
                } else if (request.method() == HttpMethod.POST && path.startsWith("/fault/")) {
                    fault(ctx, request, path, query.parameters());
                } else if (request.method() == HttpMethod.POST && "/write".equals(path)) {
                    write(ctx, request);
                } else {
                    respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("no such endpoint: " + request.method() + " " + path));
                }
            } catch (final IllegalArgumentException ex) {
                respond(ctx, request, HttpResponseStatus.BAD_REQUEST, error(ex.getMessage()));
            }
        }

        private void get(final ChannelHandlerContext ctx, final FullHttpRequest request, final String path,
            final Map<String, List<String>> params) {
            switch (path) {
                case "/state":
                    respond(ctx, request, HttpResponseStatus.OK, node.status().toJson());
                    break;
                case "/metrics":
                    respondText(ctx, request, node.metricsText());
                    break;
                case "/events":
                    subscribe(ctx, params);
                    break;
                case "/log":
                    log(ctx, request, params);
                    break;
                default:
                    respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("no such endpoint: GET " + path));
            }
        }

        private void subscribe(final ChannelHandlerContext ctx, final Map<String, List<String>> params) {
            final Subscriber subscriber = new Subscriber(ctx.channel(), isSyncWanted(params.get("kinds")));
            final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.writeAndFlush(response);
            final List<String> since = params.get("since");
            if (since != null) {
                final long sinceNs = Long.parseLong(since.get(0));
                for (final NodeEvent event : history) {
                    if (event.timestampNs() - sinceNs >= 0 && subscriber.wants(event)) {
                        writeEvent(ctx.channel(), event);
                    }
                }
            }
            subscribers.add(subscriber);
            ctx.channel().closeFuture().addListener(f -> subscribers.remove(subscriber));
        }

        /** {@code kinds=state,synced}: state changes are always sent; an unknown kind is an error. */
        private boolean isSyncWanted(final List<String> kinds) {
            boolean isWanted = false;
            for (final String list : kinds == null ? List.<String>of() : kinds) {
                for (final String kind : list.split(",")) {
                    final String k = kind.trim();
                    if (NodeEvent.SYNCED.equals(k)) {
                        isWanted = true;
                    } else if (!"state".equals(k) && !k.isEmpty()) {
                        throw new IllegalArgumentException("bad query parameter 'kinds': unknown kind '" + k + "' (expected state, synced)");
                    }
                }
            }
            return isWanted;
        }

        /**
         * {@code GET /log?from=E:C&to=E:C&limit=N}: reads on the agent thread (the log's single writer),
         * answers on this event loop; the connection stops reading meanwhile so answers keep their order.
         */
        private void log(final ChannelHandlerContext ctx, final FullHttpRequest request, final Map<String, List<String>> params) {
            if (!isAuthorized(request)) {
                respond(ctx, request, HttpResponseStatus.FORBIDDEN, error("GET /log shows payloads and needs a valid " + TOKEN_HEADER));
                return;
            }
            final long from = zxidParam(params, "from", 0);
            final long to = zxidParam(params, "to", Long.MAX_VALUE);
            final int limit = limitParam(params);
            if (from > to) {
                throw new IllegalArgumentException("bad query parameters: 'from' " + Zxid.toString(from) + " is after 'to' " + Zxid.toString(to));
            }
            final boolean isKeepAlive = HttpUtil.isKeepAlive(request);
            final boolean[] isAnswered = new boolean[1];
            final ElectionNode.LogQuery query = new ElectionNode.LogQuery(from, to, limit, q -> {
                try {
                    ctx.executor().execute(() -> answerLog(ctx, isKeepAlive, q, isAnswered));
                } catch (final RejectedExecutionException ignored) {
                    // Shutting down: the connection is closing too.
                }
            });
            if (!node.queryLog(query)) {
                respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, error("too many log reads waiting for the agent"));
                return;
            }
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> {
                if (!isAnswered[0]) {
                    isAnswered[0] = true;
                    send(ctx, isKeepAlive, response(HttpResponseStatus.GATEWAY_TIMEOUT, error("the agent did not read the log within "
                        + LOG_TIMEOUT_MS + " ms"), "application/json"));
                    ctx.channel().config().setAutoRead(true);
                }
            }, LOG_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        private void fault(final ChannelHandlerContext ctx, final FullHttpRequest request, final String path,
            final Map<String, List<String>> params) {
            if (!isAuthorized(request)) {
                LOG.warn("node {}: refused {} from {}: missing or wrong {}", node.sid(), path, ctx.channel().remoteAddress(), TOKEN_HEADER);
                respond(ctx, request, HttpResponseStatus.FORBIDDEN, error("fault commands need a valid " + TOKEN_HEADER));
                return;
            }
            final Ensemble ensemble = transport.config().ensemble();
            switch (path) {
                case "/fault/isolate":
                    transport.faults().isolate(sids(param(params, "peers")));
                    break;
                case "/fault/heal":
                    transport.healFaults();
                    break;
                case "/fault/slow":
                    final long peer = Long.parseLong(param(params, "peer"));
                    ensemble.maskOf(peer);
                    transport.faults().slow(peer, Integer.parseInt(param(params, "delayMs")));
                    break;
                case "/fault/crash":
                    LOG.warn("node {}: crash requested through the admin endpoint", node.sid());
                    respond(ctx, request, HttpResponseStatus.OK, "{\"ok\":true,\"fault\":\"crash\"}")
                        .addListener(f -> node.crash());
                    return;
                default:
                    respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("no such fault: " + path));
                    return;
            }
            LOG.warn("node {}: fault {} {}", node.sid(), path, params);
            respond(ctx, request, HttpResponseStatus.OK, "{\"ok\":true,\"isolated\":" + java.util.Arrays.toString(
                transport.faults().isolatedSids()).replace(" ", "") + "}");
        }

        private void write(final ChannelHandlerContext ctx, final FullHttpRequest request) {
            if (!isAuthorized(request)) {
                LOG.warn("node {}: refused a write from {}: missing or wrong {}", node.sid(), ctx.channel().remoteAddress(), TOKEN_HEADER);
                respond(ctx, request, HttpResponseStatus.FORBIDDEN, error("writes need a valid " + TOKEN_HEADER));
                return;
            }
            final ByteBuf body = request.content();
            final int length = body.readableBytes();
            if (length > ElectionAgent.MAX_WRITE_BYTES) {
                respond(ctx, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
                return;
            }
            final byte[] payload = new byte[length];
            body.getBytes(body.readerIndex(), payload);
            final long sequence = nextWriteSequence++;
            if (!InboundMessages.offerWrite(inbound, WriteRouter.requestId(writeSlot, sequence), new UnsafeBuffer(payload), 0, length)) {
                writeOutcomes.incrementAndGet(WriteListener.BUSY);
                final FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "{\"status\":\"busy\",\"leader\":" + node.status().leader() + ",\"error\":\"the agent's inbound ring is full\"}",
                    "application/json");
                response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                send(ctx, HttpUtil.isKeepAlive(request), response);
                return;
            }
            final PendingWrite pending = new PendingWrite(ctx, HttpUtil.isKeepAlive(request));
            pendingWrites.put(sequence, pending);
            ctx.channel().config().setAutoRead(false);
            pending.timeout = ctx.executor().schedule(() -> onWriteTimeout(sequence), WRITE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            node.wakeAgent();
        }

        private boolean isAuthorized(final FullHttpRequest request) {
            if (isLoopback) {
                return true;
            }
            final String given = request.headers().get(TOKEN_HEADER);
            return token != null && given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            LOG.debug("node {}: admin connection failed: {}", node.sid(), cause.toString());
            ctx.close();
        }
    }

    /** Event loop: the {@code GET /log} answer, unless the timeout answered first. */
    private void answerLog(final ChannelHandlerContext ctx, final boolean isKeepAlive, final ElectionNode.LogQuery q,
        final boolean[] isAnswered) {
        if (isAnswered[0]) {
            return;
        }
        isAnswered[0] = true;
        if (q.error != null) {
            send(ctx, isKeepAlive, response(HttpResponseStatus.INTERNAL_SERVER_ERROR, error("reading the log failed: " + q.error),
                "application/json"));
        } else {
            send(ctx, isKeepAlive, response(HttpResponseStatus.OK, logJson(q), "application/json"));
        }
        ctx.channel().config().setAutoRead(true);
    }

    /**
     * {@code {"snapshotZxid":"E:C","lastZxid":"E:C","entries":[["E:C",first],...],"next":"E:C"|null}};
     * {@code first} is the payload's first 8 bytes as a big-endian long, null for a shorter payload.
     */
    static String logJson(final ElectionNode.LogQuery q) {
        final StringBuilder sb = new StringBuilder(64 + q.count * 24);
        sb.append("{\"snapshotZxid\":\"").append(Zxid.toString(q.snapshotZxid)).append("\",\"lastZxid\":\"")
            .append(Zxid.toString(q.lastZxid)).append("\",\"entries\":[");
        for (int i = 0; i < q.count; i++) {
            sb.append(i == 0 ? "[\"" : ",[\"").append(Zxid.toString(q.zxids[i])).append("\",");
            if (q.lengths[i] >= Long.BYTES) {
                sb.append(q.firstLongs[i]);
            } else {
                sb.append("null");
            }
            sb.append(']');
        }
        sb.append("],\"next\":").append(q.nextZxid < 0 ? "null" : "\"" + Zxid.toString(q.nextZxid) + "\"").append('}');
        return sb.toString();
    }

    /** A write waiting for its outcome; event loop only. */
    private static final class PendingWrite {
        final ChannelHandlerContext ctx;
        final boolean isKeepAlive;
        ScheduledFuture<?> timeout;

        PendingWrite(final ChannelHandlerContext ctx, final boolean isKeepAlive) {
            this.ctx = ctx;
            this.isKeepAlive = isKeepAlive;
        }
    }

    /** Agent thread ({@link WriteRouter.Sink}): moves the outcome onto the event loop. */
    private void onWriteResult(final long sequence, final int status, final long zxid, final long leaderSid) {
        try {
            eventLoop.execute(() -> completeWrite(sequence, status, zxid, leaderSid));
        } catch (final RejectedExecutionException ignored) {
            // Shutting down: the connection is closing too.
        }
    }

    private void completeWrite(final long sequence, final int status, final long zxid, final long leaderSid) {
        final PendingWrite pending = pendingWrites.remove(sequence);
        if (pending == null) {
            return; // already answered 504
        }
        pending.timeout.cancel(false);
        writeOutcomes.incrementAndGet(status >= 0 && status < OUTCOME_TIMEOUT ? status : WriteListener.UNKNOWN);
        final FullHttpResponse response = writeResponse(status, zxid, leaderSid);
        send(pending.ctx, pending.isKeepAlive, response);
        pending.ctx.channel().config().setAutoRead(true);
    }

    private void onWriteTimeout(final long sequence) {
        final PendingWrite pending = pendingWrites.remove(sequence);
        if (pending == null) {
            return;
        }
        writeOutcomes.incrementAndGet(OUTCOME_TIMEOUT);
        send(pending.ctx, pending.isKeepAlive, response(HttpResponseStatus.GATEWAY_TIMEOUT, "{\"status\":\"timeout\",\"error\":\"no outcome within "
            + WRITE_TIMEOUT_MS + " ms: the write may or may not be committed\"}", "application/json"));
        pending.ctx.channel().config().setAutoRead(true);
    }

    /** The HTTP answer to one write outcome (docs/transport.md, admin endpoint). */
    private FullHttpResponse writeResponse(final int status, final long zxid, final long leaderSid) {
        switch (status) {
            case WriteListener.COMMITTED:
                return response(HttpResponseStatus.OK,
                    "{\"status\":\"committed\",\"zxid\":\"" + Zxid.toString(zxid) + "\",\"leader\":" + leaderSid + "}", "application/json");
            case WriteListener.NOT_LEADER: {
                final String admin = leaderAdmin(leaderSid);
                return response(HttpResponseStatus.MISDIRECTED_REQUEST, "{\"status\":\"not-leader\",\"leader\":" + leaderSid
                    + ",\"leaderAdmin\":" + (admin == null ? "null" : "\"" + admin + "\"") + "}", "application/json");
            }
            case WriteListener.NOT_READY:
            case WriteListener.BUSY: {
                final FullHttpResponse response = response(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\""
                    + WriteListener.statusName(status) + "\",\"leader\":" + leaderSid + "}", "application/json");
                response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                return response;
            }
            case WriteListener.TOO_LARGE:
                return response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(), "application/json");
            default:
                return response(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"status\":\"unknown\",\"zxid\":\"" + Zxid.toString(zxid)
                    + "\",\"leader\":" + leaderSid + ",\"error\":\"the leader stopped leading before a quorum acknowledged the write:"
                    + " it may or may not be committed\"}", "application/json");
        }
    }

    /**
     * {@code host:port} of the leader's admin endpoint, or null when the config does not fix it (an
     * ephemeral port). A wildcard bind address is replaced by the leader's peer host.
     */
    private String leaderAdmin(final long leaderSid) {
        final NodeConfig config = node.config();
        final PeerAddress peer = leaderSid > 0 ? config.server(leaderSid) : null;
        if (peer == null) {
            return null;
        }
        final AdminAddress admin = config.admin(leaderSid);
        if (admin.port() == 0) {
            return null;
        }
        final boolean isWildcard = "0.0.0.0".equals(admin.host()) || "::".equals(admin.host()) || "[::]".equals(admin.host());
        return (isWildcard ? peer.host() : admin.host()) + ":" + admin.port();
    }

    private static String tooLarge() {
        return "{\"status\":\"too-large\",\"maxBytes\":" + ElectionAgent.MAX_WRITE_BYTES + "}";
    }

    /**
     * Aggregates request bodies up to {@link ElectionAgent#MAX_WRITE_BYTES} and answers a larger one
     * with a JSON 413, keeping the connection when the client can continue on it (as Netty does).
     */
    private final class BodyLimit extends HttpObjectAggregator {
        BodyLimit() {
            super(ElectionAgent.MAX_WRITE_BYTES);
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized) throws Exception {
            if (!(oversized instanceof HttpRequest)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            final boolean isKeepAlive = !(oversized instanceof FullHttpRequest)
                && (HttpUtil.is100ContinueExpected(oversized) || HttpUtil.isKeepAlive(oversized));
            final FullHttpResponse response = response(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge(), "application/json");
            send(ctx, isKeepAlive, response);
        }
    }

    private static String param(final Map<String, List<String>> params, final String name) {
        final List<String> values = params.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        return values.get(0);
    }

    /** An optional {@code E:C} parameter; a bad one is a 400 naming it. */
    private static long zxidParam(final Map<String, List<String>> params, final String name, final long absent) {
        final List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return absent;
        }
        try {
            return Zxid.parse(values.get(0).trim());
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("bad query parameter '" + name + "': " + ex.getMessage(), ex);
        }
    }

    private static int limitParam(final Map<String, List<String>> params) {
        final List<String> values = params.get("limit");
        if (values == null || values.isEmpty()) {
            return MAX_LOG_ENTRIES;
        }
        final int limit;
        try {
            limit = Integer.parseInt(values.get(0).trim());
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("bad query parameter 'limit': '" + values.get(0) + "' is not an integer", ex);
        }
        if (limit < 1 || limit > MAX_LOG_ENTRIES) {
            throw new IllegalArgumentException("bad query parameter 'limit': " + limit + " is not in 1.." + MAX_LOG_ENTRIES);
        }
        return limit;
    }

    private static long[] sids(final String list) {
        final String[] parts = list.split(",");
        final long[] sids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sids[i] = Long.parseLong(parts[i].trim());
        }
        return sids;
    }

    private static String error(final String message) {
        return "{\"error\":\"" + NodeEvent.escape(message) + "\"}";
    }

    private ChannelFuture respond(final ChannelHandlerContext ctx, final FullHttpRequest request,
        final HttpResponseStatus status, final String json) {
        return send(ctx, HttpUtil.isKeepAlive(request), response(status, json, "application/json"));
    }

    private void respondText(final ChannelHandlerContext ctx, final FullHttpRequest request, final String text) {
        send(ctx, HttpUtil.isKeepAlive(request), response(HttpResponseStatus.OK, text, "text/plain; version=0.0.4; charset=utf-8"));
    }

    private static FullHttpResponse response(final HttpResponseStatus status, final String body, final String contentType) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }

    /** Writes a response; closes the connection after it unless the request asked to keep it. */
    private ChannelFuture send(final ChannelHandlerContext ctx, final boolean isKeepAlive, final FullHttpResponse response) {
        answered.incrementAndGet();
        if (isKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        final ChannelFuture future = ctx.writeAndFlush(response);
        if (!isKeepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        return future;
    }
}
