package io.electionbench.transport.node;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.net.PeerTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * The member's admin endpoint: HTTP/1.1 with JSON bodies, on the transport's event loop.
 *
 * <pre>
 * GET  /state                        the current {@link NodeStatus}
 * GET  /events[?since=NS]            chunked stream, one {@link NodeEvent} JSON per line (history since NS first)
 * GET  /metrics                      Prometheus text
 * POST /fault/isolate?peers=1,2      drop frames to and from these peers
 * POST /fault/heal                   remove every fault
 * POST /fault/slow?peer=2&amp;delayMs=50 delay frames to and from a peer
 * POST /fault/crash                  halt at once, like kill -9
 * </pre>
 *
 * Bound to loopback unless the config says otherwise; when bound beyond loopback, fault commands need
 * an {@code X-Admin-Token} header equal to the configured {@code adminToken} (403 otherwise, and
 * always 403 if no token is configured).
 */
final class AdminServer {
    static final String TOKEN_HEADER = "X-Admin-Token";
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int HISTORY = 1024;

    private final ElectionNode node;
    private final PeerTransport transport;
    private final byte[] token;
    private final EventLoop eventLoop;
    private final ArrayDeque<NodeEvent> history = new ArrayDeque<>();
    private final List<Channel> subscribers = new ArrayList<>();
    private Channel server;
    private boolean isLoopback;

    AdminServer(final ElectionNode node, final PeerTransport transport, final String token) {
        this.node = node;
        this.transport = transport;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.eventLoop = transport.group().next();
    }

    void bind(final AdminAddress address) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(transport.group())
            .channel(transport.isEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new AdminHandler());
                }
            });
        final InetSocketAddress bindAddress = new InetSocketAddress(address.host(), address.port());
        server = bootstrap.bind(bindAddress).syncUninterruptibly().channel();
        isLoopback = bindAddress.getAddress() != null && bindAddress.getAddress().isLoopbackAddress();
        LOG.info("node {}: admin endpoint http://{}:{}", node.sid(), address().getHostString(), address().getPort());
    }

    InetSocketAddress address() {
        return (InetSocketAddress)server.localAddress();
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
        for (final Channel subscriber : subscribers) {
            writeEvent(subscriber, event);
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
                default:
                    respond(ctx, request, HttpResponseStatus.NOT_FOUND, error("no such endpoint: GET " + path));
            }
        }

        private void subscribe(final ChannelHandlerContext ctx, final Map<String, List<String>> params) {
            final HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-ndjson");
            HttpUtil.setTransferEncodingChunked(response, true);
            ctx.writeAndFlush(response);
            final List<String> since = params.get("since");
            if (since != null) {
                final long sinceNs = Long.parseLong(since.get(0));
                for (final NodeEvent event : history) {
                    if (event.timestampNs() - sinceNs >= 0) {
                        writeEvent(ctx.channel(), event);
                    }
                }
            }
            subscribers.add(ctx.channel());
            ctx.channel().closeFuture().addListener(f -> subscribers.remove(ctx.channel()));
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
                    transport.faults().heal();
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

    private static String param(final Map<String, List<String>> params, final String name) {
        final List<String> values = params.get(name);
        if (values == null || values.isEmpty() || values.get(0).isEmpty()) {
            throw new IllegalArgumentException("missing query parameter '" + name + "'");
        }
        return values.get(0);
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

    private static io.netty.channel.ChannelFuture respond(final ChannelHandlerContext ctx, final FullHttpRequest request,
        final HttpResponseStatus status, final String json) {
        return send(ctx, request, status, json, "application/json");
    }

    private static void respondText(final ChannelHandlerContext ctx, final FullHttpRequest request, final String text) {
        send(ctx, request, HttpResponseStatus.OK, text, "text/plain; version=0.0.4; charset=utf-8");
    }

    private static io.netty.channel.ChannelFuture send(final ChannelHandlerContext ctx, final FullHttpRequest request,
        final HttpResponseStatus status, final String body, final String contentType) {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        final boolean isKeepAlive = HttpUtil.isKeepAlive(request);
        if (isKeepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        final io.netty.channel.ChannelFuture future = ctx.writeAndFlush(response);
        if (!isKeepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
        return future;
    }
}
