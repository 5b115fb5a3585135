package io.electionbench.transport.node;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.net.PeerTransport;
import io.electionbench.transport.net.PortBindException;
import io.electionbench.transport.net.WarnLimiter;
import io.electionbench.transport.net.WriteRouter;
import io.electionbench.transport.node.AdminConnection.CloseReason;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
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
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The member's admin endpoint: HTTP/1.1 with JSON bodies, on its own single-threaded event loop
 * ({@code admin-N}), so no admin client can delay the peer links on the transport's loop.
 *
 * <pre>
 * GET  /state                        the current {@link NodeStatus}
 * GET  /events[?since=NS][&amp;kinds=state,synced,phase]  chunked stream, one {@link NodeEvent} JSON per line
 *                                    (history since NS first); state changes only unless kinds names others
 * GET  /metrics                      Prometheus text
 * GET  /log[?from=E:C][&amp;to=E:C][&amp;limit=N]  txn log entries in the range: zxid and first payload long
 * POST /fault/isolate?peers=1,2      drop frames to and from these peers
 * POST /fault/deafen?peers=1,2       drop frames from these peers; frames to them still go out
 * POST /fault/heal                   remove every fault
 * POST /fault/slow?peer=2&amp;delayMs=50 delay frames to and from a peer (0..MAX_DELAY_MS)
 * POST /fault/crash                  halt at once, like kill -9
 * POST /write                        the body (at most MAX_WRITE_BYTES) as one write; answered with its outcome
 * </pre>
 *
 * Bound to loopback unless the config says otherwise; when bound beyond loopback, fault commands,
 * writes and {@code GET /log} (it shows payload bytes) need an {@code X-Admin-Token} header equal to
 * the configured {@code adminToken} (403 otherwise, and always 403 if no token is configured).
 *
 * <p>Every connection is read only while its answers leave ({@link AdminConnection}): answers keep
 * request order, pipelined or not; a request that failed to decode is answered 400 (414 for the
 * request line, 431 for the headers, 413 for the body) and reaches nothing; a connection that does not
 * complete a request it started within {@link #REQUEST_TIMEOUT_MS}, or sends nothing for
 * {@link #IDLE_TIMEOUT_MS}, is closed; a query parameter that is not a number in its range is a 400
 * naming it. Writes: the server attaches one {@link WriteRouter} slot and numbers its writes in it; the
 * body is offered to the agent's inbound ring and answered when the outcome comes back from the agent
 * thread or {@link #WRITE_TIMEOUT_MS} passes (504). docs/transport.md, "Admin endpoint", has the whole
 * contract.
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
    /** A connection ready for a request that started one and has not completed it by then is closed. */
    static final long REQUEST_TIMEOUT_MS = 3_000;
    /**
     * A connection ready for a request that sends nothing for this long is closed (ZooKeeper's
     * {@code JettyAdminServer} default {@code zookeeper.admin.idleTimeout}); longer than the request
     * timeout so that keep-alive clients, which reuse a connection without knowing it is being closed,
     * rarely meet the close.
     */
    static final long IDLE_TIMEOUT_MS = 30_000;
    /** Longest request line accepted (method, target and version; Netty's default); longer is a 414. */
    static final int MAX_REQUEST_LINE_BYTES = 4096;
    /** Most bytes of headers accepted (Netty's default); more is a 431. */
    static final int MAX_HEADER_BYTES = 8192;
    /** Most bytes one read takes from a connection, which bounds the requests one read can leave waiting. */
    static final int MAX_READ_BYTES = 16 << 10;
    /**
     * Requests decoded and not yet answered on one connection beyond which Netty's codec closes it; a
     * read of {@link #MAX_READ_BYTES} holds fewer, so only a client that keeps an event stream busy with
     * requests meets it.
     */
    static final int MAX_PIPELINED_REQUESTS = 1024;
    /** Above the high mark of pending answers a connection is not read from, until below the low mark. */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 << 10, 64 << 10);
    /** An {@code /events} stream with more unsent bytes than this is closed (its reader fell behind). */
    static final int MAX_EVENTS_BACKLOG_BYTES = 1 << 20;
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** The largest {@code delayMs} of {@code /fault/slow}. */
    static final int MAX_DELAY_MS = 60_000;

    private final ElectionNode node;
    private final PeerTransport transport;
    private final byte[] token;
    private final EventLoopGroup group;
    private final EventLoop eventLoop;
    private final ArrayDeque<NodeEvent> history = new ArrayDeque<>();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final RingBuffer inbound;
    private final WriteRouter router;
    private final Long2ObjectHashMap<PendingWrite> pendingWrites = new Long2ObjectHashMap<>();
    /** Answers given to POST /write, by {@link WriteListener} status, then timeouts; any thread reads. */
    private final AtomicLongArray writeOutcomes = new AtomicLongArray(OUTCOME_TIMEOUT + 1);
    /** Connections the endpoint closed, by {@link CloseReason}; any thread reads. */
    private final AtomicLongArray closes = new AtomicLongArray(CloseReason.values().length);
    /** Every accepted admin connection while it is open (any thread may count them). */
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** Answers written, of any kind; any thread reads. */
    private final AtomicLong answered = new AtomicLong();
    private final Routes routes = new Routes();
    /** WARN lines for what admin clients can cause at will (refused requests, missing tokens). */
    private final WarnLimiter clientLog = new WarnLimiter();
    private long nextWriteSequence;
    private int writeSlot;
    private Channel server;
    private boolean isLoopback;

    /**
     * Starts the endpoint's event loop thread (epoll or NIO, as the transport); {@link #close()} stops it.
     *
     * @param inbound the agent's inbound ring, which {@code POST /write} offers to
     * @param router  the agent's write listener; this server attaches one slot when bound
     */
    AdminServer(final ElectionNode node, final PeerTransport transport, final String token, final RingBuffer inbound,
        final WriteRouter router) {
        this.node = node;
        this.transport = transport;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        final IoHandlerFactory io = transport.isEpoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin-" + node.sid(), true), io);
        this.eventLoop = group.next();
        this.inbound = inbound;
        this.router = router;
    }

    /**
     * The {@code GET /state} body: the node's {@link NodeStatus}, then (a field added at the end) the
     * members its transport found unable to work with it at the quorum port, {@code incompatiblePeers}.
     */
    private String stateJson() {
        final String status = node.status().toJson();
        return status.substring(0, status.length() - 1) + ",\"incompatiblePeers\":" + transport.incompatiblePeersJson()
            + "}";
    }

    void bind(final AdminAddress address) {
        final HttpDecoderConfig decoding = new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_REQUEST_LINE_BYTES).setMaxHeaderSize(MAX_HEADER_BYTES);
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(transport.isEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            // A restarted node binds the same port at once, whatever its HTTP connections left in TIME_WAIT.
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(64, 1024, MAX_READ_BYTES))
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    connections.add(ch);
                    final AdminConnection connection = new AdminConnection(routes, REQUEST_TIMEOUT_MS,
                        IDLE_TIMEOUT_MS);
                    ch.pipeline().addLast(connection.gate(), new HttpServerCodec(decoding, MAX_PIPELINED_REQUESTS),
                        new BodyLimit(), connection);
                }
            });
        final InetSocketAddress bindAddress = new InetSocketAddress(address.host(), address.port());
        writeSlot = router.attach(this::onWriteResult); // before any connection can read it
        final ChannelFuture bound = bootstrap.bind(bindAddress).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new PortBindException("admin endpoint (admin." + node.sid() + ")", bindAddress, 1, bound.cause());
        }
        server = bound.channel();
        connections.add(server);
        isLoopback = bindAddress.getAddress() != null && bindAddress.getAddress().isLoopbackAddress();
        LOG.info("node {}: admin endpoint http://{}:{}", node.sid(), address().getHostString(), address().getPort());
    }

    InetSocketAddress address() {
        return (InetSocketAddress)server.localAddress();
    }

    /**
     * Stops listening, closes every admin connection, detaches the write slot from the router
     * (outcomes still to come are dropped) and stops the event loop thread. Waits for all of it (the
     * port is free when this returns) unless called on that thread ({@link #isOwnThread()}).
     */
    void close() {
        final boolean canWait = !isOwnThread();
        final Future<Void> closing = connections.close();
        if (canWait) {
            closing.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (writeSlot != 0) {
            router.detach(writeSlot);
        }
        final Future<?> terminated = group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        if (canWait) {
            terminated.syncUninterruptibly();
        }
    }

    /** True when called on the endpoint's event loop thread. */
    boolean isOwnThread() {
        return eventLoop.inEventLoop();
    }

    /** The event loop this endpoint runs on. */
    EventLoop executor() {
        return eventLoop;
    }

    /** Open admin connections (a racy snapshot, for tests and diagnostics). */
    int connectionCount() {
        return connections.size() - (server == null ? 0 : 1);
    }

    /**
     * Bytes waiting in Netty's outbound buffers of every admin connection (any thread; a racy snapshot,
     * for tests and diagnostics).
     */
    long pendingOutboundBytes() {
        long pending = 0;
        for (final Channel ch : connections) {
            pending += AdminConnection.pendingOutboundBytes(ch);
        }
        return pending;
    }

    /** Answers written so far, of any kind (any thread). */
    long answered() {
        return answered.get();
    }

    /** Connections the endpoint closed for {@code reason} so far (any thread). */
    long closes(final CloseReason reason) {
        return closes.get(reason.ordinal());
    }

    /** {@code POST /write} answers so far, for {@code /metrics}: a {@link WriteListener} status, or -1 for timeouts. */
    long writeOutcomes(final int status) {
        return writeOutcomes.get(status < 0 ? OUTCOME_TIMEOUT : status);
    }

    /** Any thread (the agent's): moves the event onto the event loop, then to every subscriber. */
    void publish(final NodeEvent event) {
        try {
            eventLoop.execute(() -> deliver(event));
        } catch (final RejectedExecutionException ignored) {
            // Shutting down.
        }
    }

    private void deliver(final NodeEvent event) {
        if (history.size() == HISTORY) {
            history.removeFirst();
        }
        history.addLast(event);
        // Backwards: a subscriber cut off for its backlog leaves the list while it is walked.
        for (int i = subscribers.size() - 1; i >= 0; i--) {
            final Subscriber subscriber = subscribers.get(i);
            if (subscriber.wants(event)) {
                writeEvent(subscriber.connection, event);
            }
        }
    }

    /** An {@code /events} stream and the kinds it asked for (state changes always). */
    private static final class Subscriber {
        final AdminConnection connection;
        final boolean isSyncWanted;
        final boolean isPhaseWanted;

        Subscriber(final AdminConnection connection, final boolean isSyncWanted, final boolean isPhaseWanted) {
            this.connection = connection;
            this.isSyncWanted = isSyncWanted;
            this.isPhaseWanted = isPhaseWanted;
        }

        boolean wants(final NodeEvent event) {
            return event.isSynced() ? isSyncWanted : !event.isPhase() || isPhaseWanted;
        }
    }

    /** Writes one event line, or closes the stream if its reader is {@link #MAX_EVENTS_BACKLOG_BYTES} behind. */
    private static void writeEvent(final AdminConnection connection, final NodeEvent event) {
        final Channel ch = connection.channel();
        final long backlog = AdminConnection.pendingOutboundBytes(ch);
        if (backlog > MAX_EVENTS_BACKLOG_BYTES) {
            connection.close(CloseReason.EVENTS_BACKLOG, backlog + " bytes of events unsent");
            return;
        }
        ch.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event.toJson() + "\n", StandardCharsets.UTF_8)));
    }

    /** The endpoints: every call on the event loop, one request of a connection at a time. */
    private final class Routes implements AdminConnection.Endpoint {
        @Override
        public void onRequest(final AdminConnection connection, final FullHttpRequest request) {
            final DecoderResult decoded = request.decoderResult();
            if (decoded.isFailure()) {
                refuse(connection, decoded.cause());
                return;
            }
            final QueryStringDecoder query = new QueryStringDecoder(request.uri());
            final String path = query.path();
            final AdminCommand command = AdminCommand.of(path);
            try {
                if (command != null && command.method() != request.method()) {
                    final FullHttpResponse response = json(HttpResponseStatus.METHOD_NOT_ALLOWED, error(path
                        + " takes " + command.method() + ", not " + request.method() + " (GET / lists the commands)"));
                    response.headers().set(HttpHeaderNames.ALLOW, command.method().name());
                    connection.send(response, HttpUtil.isKeepAlive(request));
                } else if (request.method() == HttpMethod.GET) {
                    get(connection, request, path, query.parameters());
                } else if (request.method() == HttpMethod.POST && path.startsWith("/fault/")) {
                    fault(connection, request, path, query.parameters());
                } else if (request.method() == HttpMethod.POST && "/write".equals(path)) {
                    write(connection, request);
                } else {
                    respond(connection, request, HttpResponseStatus.NOT_FOUND,
                        error("no such endpoint: " + request.method() + " " + path + " (GET / lists the commands)"));
                }
            } catch (final IllegalArgumentException ex) {
                respond(connection, request, HttpResponseStatus.BAD_REQUEST, error(ex.getMessage()));
            }
        }

        @Override
        public void onClosed(final AdminConnection connection, final CloseReason reason, final String detail) {
            closes.incrementAndGet(reason.ordinal());
            if (reason == CloseReason.IDLE) {
                return; // a keep-alive nobody used: normal
            }
            warnClient("closed the admin connection from {}: {}: {}", connection.channel().remoteAddress(),
                reason.metricName(), detail);
        }

        @Override
        public void onAnswered() {
            answered.incrementAndGet();
        }

        /**
         * A request Netty could not decode: 414, 431 or 413 for what was too long, 400 for anything else
         * (a bad or negative {@code Content-Length}, a bad chunk size, a malformed line); then the
         * connection closes, since the decoder drops whatever follows.
         */
        private void refuse(final AdminConnection connection, final Throwable cause) {
            final HttpResponseStatus status;
            final String body;
            if (cause instanceof TooLongHttpLineException) {
                status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
                body = error("the request line is longer than " + MAX_REQUEST_LINE_BYTES + " bytes");
            } else if (cause instanceof TooLongHttpHeaderException) {
                status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
                body = error("the headers are longer than " + MAX_HEADER_BYTES + " bytes");
            } else if (cause instanceof TooLongHttpContentException) {
                status = HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE;
                body = tooLarge();
            } else {
                status = HttpResponseStatus.BAD_REQUEST;
                body = error("the request could not be decoded: " + message(cause));
            }
            connection.refuse(json(status, body), status.code() + " " + message(cause));
        }

        private void get(final AdminConnection connection, final FullHttpRequest request, final String path,
            final Map<String, List<String>> params) {
            switch (path) {
                case "/":
                    respond(connection, request, HttpResponseStatus.OK, AdminCommand.listJson());
                    break;
                case "/ruok":
                    connection.send(response(HttpResponseStatus.OK, "imok", "text/plain; charset=utf-8"),
                        HttpUtil.isKeepAlive(request));
                    break;
                case "/state":
                    respond(connection, request, HttpResponseStatus.OK, stateJson());
                    break;
                case "/metrics":
                    connection.send(response(HttpResponseStatus.OK, node.metricsText(), PROMETHEUS_TEXT),
                        HttpUtil.isKeepAlive(request));
                    break;
                case "/events":
                    subscribe(connection, params);
                    break;
                case "/log":
                    log(connection, request, params);
                    break;
                default:
                    respond(connection, request, HttpResponseStatus.NOT_FOUND,
                        error("no such endpoint: GET " + path + " (GET / lists the commands)"));
            }
        }

        /** Checks every parameter first (a bad one is a 400), then starts the stream. */
        private void subscribe(final AdminConnection connection, final Map<String, List<String>> params) {
            final List<String> kinds = eventKinds(params.get("kinds"));
            final boolean isSyncWanted = kinds.contains(NodeEvent.SYNCED);
            final boolean isPhaseWanted = kinds.contains(NodeEvent.PHASE);
            final boolean hasSince = params.containsKey("since");
            final long sinceNs = hasSince ? longParam(params, "since", Long.MIN_VALUE, Long.MAX_VALUE) : 0;
            final Subscriber subscriber = new Subscriber(connection, isSyncWanted, isPhaseWanted);
            final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
            HttpUtil.setTransferEncodingChunked(response, true);
            connection.streaming();
            answered.incrementAndGet();
            connection.channel().writeAndFlush(response);
            if (hasSince) {
                for (final NodeEvent event : history) {
                    if (event.timestampNs() - sinceNs >= 0 && subscriber.wants(event)) {
                        writeEvent(connection, event);
                    }
                }
            }
            subscribers.add(subscriber);
            connection.channel().closeFuture().addListener(f -> subscribers.remove(subscriber));
        }

        /**
         * {@code kinds=state,synced,phase}: the kinds named; state changes are always sent; an unknown
         * kind is an error.
         */
        private List<String> eventKinds(final List<String> lists) {
            final List<String> kinds = new java.util.ArrayList<>();
            for (final String list : lists == null ? List.<String>of() : lists) {
                for (final String kind : list.split(",")) {
                    final String k = kind.trim();
                    if (!"state".equals(k) && !NodeEvent.SYNCED.equals(k) && !NodeEvent.PHASE.equals(k)
                        && !k.isEmpty()) {
                        throw new IllegalArgumentException("bad query parameter 'kinds': unknown kind '" + k
                            + "' (expected state, synced, phase)");
                    }
                    kinds.add(k);
                }
            }
            return kinds;
        }

        /**
         * {@code GET /log?from=E:C&to=E:C&limit=N}: reads on the agent thread (the log's single writer),
         * answers on this event loop; the connection hands over no other request meanwhile.
         */
        private void log(final AdminConnection connection, final FullHttpRequest request,
            final Map<String, List<String>> params) {
            if (!isAuthorized(request)) {
                respond(connection, request, HttpResponseStatus.FORBIDDEN,
                    error("GET /log shows payloads and needs a valid " + TOKEN_HEADER));
                return;
            }
            final long from = zxidParam(params, "from", 0);
            final long to = zxidParam(params, "to", Long.MAX_VALUE);
            final int limit = (int)longParam(params, "limit", 1, MAX_LOG_ENTRIES, MAX_LOG_ENTRIES);
            if (from > to) {
                throw new IllegalArgumentException("bad query parameters: 'from' " + Zxid.toString(from)
                    + " is after 'to' " + Zxid.toString(to));
            }
            final boolean isKeepAlive = HttpUtil.isKeepAlive(request);
            final boolean[] isAnswered = new boolean[1];
            final ElectionNode.LogQuery query = new ElectionNode.LogQuery(from, to, limit, q -> {
                try {
                    eventLoop.execute(() -> answerLog(connection, isKeepAlive, q, isAnswered));
                } catch (final RejectedExecutionException ignored) {
                    // Shutting down: the connection is closing too.
                }
            });
            if (!node.queryLog(query)) {
                respond(connection, request, HttpResponseStatus.SERVICE_UNAVAILABLE,
                    error("too many log reads waiting for the agent"));
                return;
            }
            connection.busy();
            eventLoop.schedule(() -> {
                if (!isAnswered[0]) {
                    isAnswered[0] = true;
                    connection.send(json(HttpResponseStatus.GATEWAY_TIMEOUT,
                        error("the agent did not read the log within " + LOG_TIMEOUT_MS + " ms")), isKeepAlive);
                    connection.done();
                }
            }, LOG_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        private void fault(final AdminConnection connection, final FullHttpRequest request, final String path,
            final Map<String, List<String>> params) {
            if (!isAuthorized(request)) {
                warnClient("refused {} from {}: missing or wrong {}", path, connection.channel().remoteAddress(),
                    TOKEN_HEADER);
                respond(connection, request, HttpResponseStatus.FORBIDDEN,
                    error("fault commands need a valid " + TOKEN_HEADER));
                return;
            }
            final Ensemble ensemble = transport.config().ensemble();
            // Parameters are checked before faults are enabled: a refused command changes nothing.
            switch (path) {
                case "/fault/isolate": {
                    final long[] peers = memberParams(ensemble, params, "peers");
                    transport.enableFaults().isolate(peers);
                    break;
                }
                case "/fault/deafen": {
                    final long[] peers = memberParams(ensemble, params, "peers");
                    transport.enableFaults().deafen(peers);
                    break;
                }
                case "/fault/heal":
                    transport.healFaults();
                    break;
                case "/fault/slow": {
                    final long peer = memberParams(ensemble, params, "peer")[0];
                    final int delayMs = (int)longParam(params, "delayMs", 0, MAX_DELAY_MS);
                    transport.enableFaults().slow(peer, delayMs);
                    break;
                }
                case "/fault/crash":
                    LOG.warn("node {}: crash requested through the admin endpoint", node.sid());
                    respond(connection, request, HttpResponseStatus.OK, "{\"ok\":true,\"fault\":\"crash\"}")
                        .addListener(f -> node.crash());
                    return;
                default:
                    respond(connection, request, HttpResponseStatus.NOT_FOUND,
                        error("no such fault: " + path + " (GET / lists the commands)"));
                    return;
            }
            LOG.warn("node {}: fault {} {}", node.sid(), path, params);
            respond(connection, request, HttpResponseStatus.OK, "{\"ok\":true,\"isolated\":"
                + Arrays.toString(transport.faults().isolatedSids()).replace(" ", "") + ",\"deaf\":"
                + Arrays.toString(transport.faults().deafSids()).replace(" ", "") + "}");
        }

        private void write(final AdminConnection connection, final FullHttpRequest request) {
            if (!isAuthorized(request)) {
                warnClient("refused a write from {}: missing or wrong {}", connection.channel().remoteAddress(),
                    TOKEN_HEADER);
                respond(connection, request, HttpResponseStatus.FORBIDDEN,
                    error("writes need a valid " + TOKEN_HEADER));
                return;
            }
            final ByteBuf body = request.content();
            final int length = body.readableBytes();
            if (length > MemberAgent.MAX_WRITE_BYTES) {
                respond(connection, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
                return;
            }
            final byte[] payload = new byte[length];
            body.getBytes(body.readerIndex(), payload);
            final long sequence = nextWriteSequence++;
            final long requestId = WriteRouter.requestId(writeSlot, sequence);
            if (!InboundMessages.offerWrite(inbound, requestId, new UnsafeBuffer(payload), 0, length)) {
                writeOutcomes.incrementAndGet(WriteListener.BUSY);
                final FullHttpResponse response = json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"busy\","
                    + "\"leader\":" + node.status().leader() + ",\"error\":\"the agent's inbound ring is full\"}");
                response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                connection.send(response, HttpUtil.isKeepAlive(request));
                return;
            }
            final PendingWrite pending = new PendingWrite(connection, HttpUtil.isKeepAlive(request));
            pendingWrites.put(sequence, pending);
            connection.busy();
            pending.timeout = eventLoop.schedule(() -> onWriteTimeout(sequence), WRITE_TIMEOUT_MS,
                TimeUnit.MILLISECONDS);
            node.wakeAgent();
        }

        private boolean isAuthorized(final FullHttpRequest request) {
            if (isLoopback) {
                return true;
            }
            final String given = request.headers().get(TOKEN_HEADER);
            return token != null && given != null
                && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** One WARN line about something an admin client caused, rate-limited ({@link WarnLimiter}); event loop only. */
    private void warnClient(final String format, final Object... args) {
        final long skipped = clientLog.admit(System.nanoTime());
        if (skipped >= 0) {
            final Object[] all = new Object[args.length + 2];
            all[0] = node.sid();
            System.arraycopy(args, 0, all, 1, args.length);
            all[all.length - 1] = WarnLimiter.suffix(skipped);
            LOG.warn("node {}: " + format + "{}", all);
        }
    }

    /** Event loop: the {@code GET /log} answer, unless the timeout answered first. */
    private void answerLog(final AdminConnection connection, final boolean isKeepAlive, final ElectionNode.LogQuery q,
        final boolean[] isAnswered) {
        if (isAnswered[0]) {
            return;
        }
        isAnswered[0] = true;
        if (q.error != null) {
            connection.send(json(HttpResponseStatus.INTERNAL_SERVER_ERROR, error("reading the log failed: " + q.error)),
                isKeepAlive);
        } else {
            connection.send(json(HttpResponseStatus.OK, logJson(q)), isKeepAlive);
        }
        connection.done();
    }

    /**
     * {@code {"snapshotZxid":"E:C","lastZxid":"E:C","entries":[["E:C",first],...],"next":"E:C"|null}};
     * {@code first} is the payload's first 8 bytes as a big-endian long, null for a shorter payload.
     */
    static String logJson(final ElectionNode.LogQuery q) {
        final StringBuilder sb = new StringBuilder(64 + q.count * 24);
        // No snapshot is 0:0, the zxid before every txn, so "held up to the snapshot" needs no special case.
        sb.append("{\"snapshotZxid\":\"").append(Zxid.toString(Math.max(0, q.snapshotZxid)))
            .append("\",\"lastZxid\":\"").append(Zxid.toString(q.lastZxid)).append("\",\"entries\":[");
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
        final AdminConnection connection;
        final boolean isKeepAlive;
        ScheduledFuture<?> timeout;

        PendingWrite(final AdminConnection connection, final boolean isKeepAlive) {
            this.connection = connection;
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
        pending.connection.send(writeResponse(status, zxid, leaderSid), pending.isKeepAlive);
        pending.connection.done();
    }

    private void onWriteTimeout(final long sequence) {
        final PendingWrite pending = pendingWrites.remove(sequence);
        if (pending == null) {
            return;
        }
        writeOutcomes.incrementAndGet(OUTCOME_TIMEOUT);
        pending.connection.send(json(HttpResponseStatus.GATEWAY_TIMEOUT, "{\"status\":\"timeout\",\"error\":"
            + "\"no outcome within " + WRITE_TIMEOUT_MS + " ms: the write may or may not be committed\"}"),
            pending.isKeepAlive);
        pending.connection.done();
    }

    /** The HTTP answer to one write outcome (docs/transport.md, admin endpoint). */
    private FullHttpResponse writeResponse(final int status, final long zxid, final long leaderSid) {
        switch (status) {
            case WriteListener.COMMITTED:
                return json(HttpResponseStatus.OK, "{\"status\":\"committed\",\"zxid\":\"" + Zxid.toString(zxid)
                    + "\",\"leader\":" + leaderSid + "}");
            case WriteListener.NOT_LEADER: {
                final String admin = leaderAdmin(leaderSid);
                return json(HttpResponseStatus.MISDIRECTED_REQUEST, "{\"status\":\"not-leader\",\"leader\":"
                    + leaderSid + ",\"leaderAdmin\":" + (admin == null ? "null" : "\"" + admin + "\"") + "}");
            }
            case WriteListener.NOT_READY:
            case WriteListener.BUSY: {
                final FullHttpResponse response = json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\""
                    + WriteListener.statusName(status) + "\",\"leader\":" + leaderSid + "}");
                response.headers().set(HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS);
                return response;
            }
            case WriteListener.TOO_LARGE:
                return json(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
            default:
                return json(HttpResponseStatus.INTERNAL_SERVER_ERROR, "{\"status\":\"unknown\",\"zxid\":\""
                    + Zxid.toString(zxid) + "\",\"leader\":" + leaderSid + ",\"error\":\"the leader stopped leading"
                    + " before a quorum acknowledged the write: it may or may not be committed\"}");
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
        final String host = admin.host();
        final boolean isWildcard = "0.0.0.0".equals(host) || "::".equals(host) || "[::]".equals(host);
        return (isWildcard ? peer.host() : admin.host()) + ":" + admin.port();
    }

    private static String tooLarge() {
        return "{\"status\":\"too-large\",\"maxBytes\":" + MemberAgent.MAX_WRITE_BYTES + "}";
    }

    /**
     * Aggregates request bodies up to {@link MemberAgent#MAX_WRITE_BYTES}. A larger one is passed on
     * as a request that failed to decode ({@link TooLongHttpContentException}), so it is answered 413 in
     * its place among pipelined requests rather than ahead of them (Netty's default answers at once).
     */
    private static final class BodyLimit extends HttpObjectAggregator {
        BodyLimit() {
            super(MemberAgent.MAX_WRITE_BYTES);
        }

        @Override
        protected void handleOversizedMessage(final ChannelHandlerContext ctx, final HttpMessage oversized)
            throws Exception {
            if (!(oversized instanceof HttpRequest)) {
                super.handleOversizedMessage(ctx, oversized);
                return;
            }
            final HttpRequest head = (HttpRequest)oversized;
            final FullHttpRequest refused = new DefaultFullHttpRequest(head.protocolVersion(), head.method(),
                head.uri(), Unpooled.EMPTY_BUFFER);
            refused.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(
                "the body is larger than " + MemberAgent.MAX_WRITE_BYTES + " bytes")));
            ctx.fireChannelRead(refused);
        }
    }

    /**
     * The first value of a parameter, or null when absent; an empty one is an error naming it.
     */
    private static String value(final Map<String, List<String>> params, final String name) {
        final List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        final String v = values.get(0).trim();
        if (v.isEmpty()) {
            throw new IllegalArgumentException("bad query parameter '" + name + "': empty");
        }
        return v;
    }

    /** A required integer parameter in {@code min..max}; anything else is an error naming it and the range. */
    private static long longParam(final Map<String, List<String>> params, final String name, final long min,
        final long max) {
        final String v = value(params, name);
        if (v == null) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        return parseLong(name, v, min, max);
    }

    /** As {@link #longParam(Map, String, long, long)}, {@code absent} when the parameter is not given. */
    private static long longParam(final Map<String, List<String>> params, final String name, final long min,
        final long max, final long absent) {
        return params.containsKey(name) ? longParam(params, name, min, max) : absent;
    }

    private static long parseLong(final String name, final String v, final long min, final long max) {
        final long n;
        try {
            n = Long.parseLong(v);
        } catch (final NumberFormatException ex) {
            throw new IllegalArgumentException("bad query parameter '" + name + "': '" + v + "' is not an integer"
                + range(min, max), ex);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("bad query parameter '" + name + "': " + n + " is not in " + min + ".."
                + max);
        }
        return n;
    }

    private static String range(final long min, final long max) {
        return min == Long.MIN_VALUE && max == Long.MAX_VALUE ? "" : " in " + min + ".." + max;
    }

    /** A required comma-separated list of member sids; a non-number or non-member is an error naming the parameter. */
    private static long[] memberParams(final Ensemble ensemble, final Map<String, List<String>> params,
        final String name) {
        final String v = value(params, name);
        if (v == null) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        final String[] parts = v.split(",");
        final long[] sids = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            sids[i] = parseLong(name, parts[i].trim(), Long.MIN_VALUE, Long.MAX_VALUE);
            if (ensemble.indexOf(sids[i]) < 0) {
                final long[] members = new long[ensemble.size()];
                for (int m = 0; m < members.length; m++) {
                    members[m] = ensemble.sid(m);
                }
                throw new IllegalArgumentException("bad query parameter '" + name + "': " + sids[i] + " is not a member"
                    + " of the ensemble " + Arrays.toString(members));
            }
        }
        return sids;
    }

    /** An optional {@code E:C} parameter; a bad one is a 400 naming it. */
    private static long zxidParam(final Map<String, List<String>> params, final String name, final long absent) {
        final String v = value(params, name);
        if (v == null) {
            return absent;
        }
        try {
            return Zxid.parse(v);
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("bad query parameter '" + name + "': " + ex.getMessage(), ex);
        }
    }

    /** What Netty's decoder said (its messages name the header or line at fault). */
    private static String message(final Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    private static String error(final String message) {
        return "{\"error\":\"" + NodeEvent.escape(message) + "\"}";
    }

    private static ChannelFuture respond(final AdminConnection connection, final FullHttpRequest request,
        final HttpResponseStatus status, final String json) {
        return connection.send(json(status, json), HttpUtil.isKeepAlive(request));
    }

    private static FullHttpResponse json(final HttpResponseStatus status, final String body) {
        return response(status, body, "application/json");
    }

    private static FullHttpResponse response(final HttpResponseStatus status, final String body,
        final String contentType) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }
}
