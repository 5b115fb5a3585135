package io.electionbench.loadgen.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.util.ReferenceCountUtil;

/**
 * A TCP proxy with faults, in the spirit of Toxiproxy: it listens on a loopback port and forwards
 * every connection to one upstream address, byte for byte, until told otherwise.
 *
 * <ul>
 * <li>{@link #cut()} is a silent partition. Every byte read in either direction is dropped, no FIN
 * or RST crosses, and a connection accepted meanwhile is kept open but never connected upstream:
 * both ends see a peer that has gone quiet, as behind a dead switch, and must notice by their own
 * timeouts.</li>
 * <li>{@link #cutOneWay(boolean)} is the same for one direction only.</li>
 * <li>{@link #heal()} lets bytes flow again. A connection that lost bytes (or saw one side close)
 * during the cut is then closed on both sides: its streams have a hole, and forwarding the rest
 * would hand the receiver a frame boundary in the middle of a message. TCP would have retransmitted
 * instead; an application that kept a connection through a long partition notices the close and
 * reconnects, which is what ZooKeeper does after its own timeouts anyway.</li>
 * <li>{@link #delay(long)} holds every chunk for a while before forwarding it, in order.</li>
 * </ul>
 *
 * The fault switches are volatile fields read by the event loop on every read, so the load
 * generator flips them from its own thread without locks and without a round trip to the loop.
 * Both channels of a proxied connection live on one event loop, so each connection's state is
 * confined to that thread. Back-pressure is Netty's: a side stops reading while the other side's
 * outbound buffer is above its high-water mark.
 */
public final class FaultProxy implements AutoCloseable {
    private final ProxyLoops loops;
    private final boolean ownsLoops;
    private final InetSocketAddress upstream;
    private final Supplier<? extends ChannelHandler> firstHandler;
    private final Channel server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    /** Bytes from the client (toward upstream) are dropped. */
    private volatile boolean isCutFromClient;
    /** Bytes from upstream (toward the client) are dropped. */
    private volatile boolean isCutFromUpstream;
    private volatile long delayNs;
    private volatile int connectAttempts = 1;
    private volatile long connectRetryNs;
    private final AtomicBoolean isClosed = new AtomicBoolean();

    private FaultProxy(final ProxyLoops loops, final boolean ownsLoops, final InetSocketAddress listen,
        final InetSocketAddress upstream, final Supplier<? extends ChannelHandler> firstHandler) {
        this.loops = loops;
        this.ownsLoops = ownsLoops;
        this.upstream = upstream;
        this.firstHandler = firstHandler;
        this.server = new ServerBootstrap()
            .group(loops.group())
            .channel(loops.serverChannel())
            .childOption(ChannelOption.TCP_NODELAY, true)
            // Nothing is read from a client before its upstream connection is up.
            .childOption(ChannelOption.AUTO_READ, false)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(final Channel ch) {
                    if (FaultProxy.this.firstHandler != null) {
                        ch.pipeline().addLast(FaultProxy.this.firstHandler.get());
                    }
                    ch.pipeline().addLast(new Link(ch).toUpstream);
                }
            })
            .bind(listen).syncUninterruptibly().channel();
    }

    /** A proxy on its own event loop thread, on an ephemeral loopback port. */
    public static FaultProxy open(final InetSocketAddress upstream) {
        return new FaultProxy(new ProxyLoops(1), true, loopback(0), upstream, null);
    }

    /**
     * A proxy on shared event loops, on an ephemeral loopback port.
     *
     * @param firstHandler makes, for each accepted connection, a handler that sees the client's bytes
     *     before they are forwarded (a header rewrite), or null
     */
    public static FaultProxy open(final ProxyLoops loops, final InetSocketAddress upstream,
        final Supplier<? extends ChannelHandler> firstHandler) {
        return new FaultProxy(loops, false, loopback(0), upstream, firstHandler);
    }

    static InetSocketAddress loopback(final int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** The port clients connect to. */
    public int port() {
        return ((InetSocketAddress)server.localAddress()).getPort();
    }

    public InetSocketAddress upstream() {
        return upstream;
    }

    /** Drops everything in both directions from now on, silently. */
    public void cut() {
        isCutFromClient = true;
        isCutFromUpstream = true;
    }

    /**
     * Drops, silently, the bytes of one direction only: those the clients send ({@code fromClient}) or
     * those upstream sends back. The other direction still flows; a connection accepted meanwhile is not
     * connected upstream, as a TCP handshake needs both directions.
     */
    public void cutOneWay(final boolean fromClient) {
        if (fromClient) {
            isCutFromClient = true;
        } else {
            isCutFromUpstream = true;
        }
    }

    /** Forwards again, and closes the connections the cut damaged. */
    public void heal() {
        isCutFromClient = false;
        isCutFromUpstream = false;
        for (final Link link : links) {
            // On the connection's loop, after any read that still saw the cut: that read has marked it.
            link.down.eventLoop().execute(link::closeIfDamaged);
        }
    }

    /** True while either direction is cut. */
    public boolean isCut() {
        return isCutFromClient || isCutFromUpstream;
    }

    /** Holds each chunk {@code ms} milliseconds before forwarding it (0: forward at once). */
    public void delay(final long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("delay must be >= 0: " + ms);
        }
        delayNs = TimeUnit.MILLISECONDS.toNanos(ms);
    }

    /**
     * Retries a refused upstream connect, {@code attempts} connects in all, {@code intervalMs} apart,
     * before hanging up on the client. A client of a proxy always connects at once (the proxy
     * accepts), so it cannot retry a refusal itself; without this a follower that dials a leader a
     * moment before the leader listens would see an accepted connection reset instead of a refused
     * one, and ZooKeeper gives up on a leader after the first but retries the second (Learner: 5
     * connects, 100 ms apart).
     */
    public FaultProxy retryConnect(final int attempts, final long intervalMs) {
        if (attempts < 1 || intervalMs < 0) {
            throw new IllegalArgumentException("attempts must be >= 1 and the interval >= 0: " + attempts + ", "
                + intervalMs);
        }
        connectRetryNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        connectAttempts = attempts;
        return this;
    }

    /** Bytes forwarded so far, both directions. */
    public long bytesForwarded() {
        return forwarded.sum();
    }

    /** Bytes dropped by cuts so far, both directions. */
    public long bytesDropped() {
        return dropped.sum();
    }

    /** Proxied connections with at least one side open. */
    public int connections() {
        return links.size();
    }

    /** Stops listening and closes every connection, both sides. */
    @Override
    public void close() {
        if (!isClosed.compareAndSet(false, true)) {
            return;
        }
        server.close().syncUninterruptibly();
        for (final Link link : links) {
            link.down.close().syncUninterruptibly();
            final Channel up = link.up;
            if (up != null) {
                up.close().syncUninterruptibly();
            }
        }
        if (ownsLoops) {
            loops.close();
        }
    }

    @Override
    public String toString() {
        return "proxy " + server.localAddress() + " -> " + upstream;
    }

    private static int size(final Object msg) {
        if (msg instanceof ByteBuf) {
            return ((ByteBuf)msg).readableBytes();
        }
        return msg instanceof ByteBufHolder ? ((ByteBufHolder)msg).content().readableBytes() : 0;
    }

    /** Flushes what is queued, then closes: the peer gets every byte sent before the FIN. */
    private static void closeOnFlush(final Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** One proxied connection: the client's channel and the one to upstream, on one event loop. */
    private final class Link {
        final Channel down;
        final Relay toUpstream = new Relay(true);
        /** A fresh one per connect attempt: a handler belongs to one pipeline. Loop only. */
        Relay toDownstream = new Relay(false);
        /** Written once on the event loop before any read; read by {@link #close()} from elsewhere. */
        volatile Channel up;
        /** Bytes were lost or a FIN was swallowed: the connection must not outlive the cut. Loop only. */
        boolean isDamaged;
        /** The upstream connection is up. Loop only. */
        boolean isConnected;

        Link(final Channel down) {
            this.down = down;
        }

        /** The client connected: dial upstream, unless the link is cut. */
        void start() {
            links.add(this);
            down.closeFuture().addListener(f -> closed());
            if (isCut()) {
                // Read (and drop) what the client sends; heal() closes it so the client redials.
                isDamaged = true;
                down.config().setAutoRead(true);
                return;
            }
            connect(1);
        }

        private void connect(final int attempt) {
            if (!down.isActive()) {
                return;
            }
            toDownstream = new Relay(false);
            final ChannelFuture connect = new Bootstrap()
                .group(down.eventLoop())
                .channel(loops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .handler(toDownstream)
                .connect(upstream);
            up = connect.channel();
            up.closeFuture().addListener(f -> closed());
            connect.addListener((ChannelFutureListener)f -> {
                if (!f.isSuccess() && attempt < connectAttempts) {
                    down.eventLoop().schedule(() -> connect(attempt + 1), connectRetryNs, TimeUnit.NANOSECONDS);
                } else if (f.isSuccess()) {
                    isConnected = true;
                    // Epoll reads a client that sent and closed at once even with autoRead off: send that now.
                    toUpstream.drain();
                    down.config().setAutoRead(true);
                    up.config().setAutoRead(true);
                } else {
                    // Upstream refused (every attempt): hang up, the nearest a proxy gets to a refusal.
                    down.close();
                }
            });
        }

        void closeIfDamaged() {
            if (isDamaged) {
                down.close();
                final Channel u = up;
                if (u != null) {
                    u.close();
                }
            }
        }

        private void closed() {
            final Channel u = up;
            if (!down.isOpen() && (u == null || !u.isOpen())) {
                links.remove(this);
                toUpstream.releasePending();
                toDownstream.releasePending();
            }
        }

        /** Forwards what one side reads to the other side. */
        private final class Relay extends ChannelInboundHandlerAdapter {
            private final boolean isFromClient;
            private final ArrayDeque<Object> pending = new ArrayDeque<>();
            private final ArrayDeque<Long> pendingAt = new ArrayDeque<>();
            private long lastAtNs;
            private boolean isDrainScheduled;
            private boolean isCloseAfterDrain;
            private boolean hasUnflushed;
            private ChannelHandlerContext ctx;

            Relay(final boolean isFromClient) {
                this.isFromClient = isFromClient;
            }

            /** True while the bytes this side reads are dropped. */
            private boolean isCutHere() {
                return isFromClient ? isCutFromClient : isCutFromUpstream;
            }

            /** Where this side's bytes go; null while a link accepted during a cut has no upstream. */
            private Channel target() {
                return isFromClient ? up : down;
            }

            @Override
            public void handlerAdded(final ChannelHandlerContext ctx) {
                this.ctx = ctx;
            }

            @Override
            public void channelActive(final ChannelHandlerContext ctx) {
                if (isFromClient) {
                    start();
                }
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
                final Channel target = target();
                if (isCutHere() || target == null) {
                    drop(msg);
                    return;
                }
                final long d = delayNs;
                if (d > 0 || !pending.isEmpty() || isFromClient && !isConnected) {
                    // Held until its time comes, or until the upstream connection is up.
                    hold(msg, d);
                    return;
                }
                forwarded.add(size(msg));
                target.write(msg, target.voidPromise());
                hasUnflushed = true;
                if (!target.isWritable()) {
                    // Back-pressure: stop reading this side until the other side drains.
                    ctx.channel().config().setAutoRead(false);
                }
            }

            @Override
            public void channelReadComplete(final ChannelHandlerContext ctx) {
                // One flush per read burst rather than per chunk.
                if (hasUnflushed) {
                    hasUnflushed = false;
                    final Channel target = target();
                    if (target != null) {
                        target.flush();
                    }
                }
                ctx.fireChannelReadComplete();
            }

            @Override
            public void channelWritabilityChanged(final ChannelHandlerContext ctx) {
                final Channel source = target();
                if (ctx.channel().isWritable() && source != null) {
                    source.config().setAutoRead(true);
                }
                ctx.fireChannelWritabilityChanged();
            }

            @Override
            public void channelInactive(final ChannelHandlerContext ctx) {
                final Channel target = target();
                if (isCutHere()) {
                    // A FIN does not cross a silent partition; heal() closes the other side.
                    isDamaged = true;
                } else if (!pending.isEmpty()) {
                    isCloseAfterDrain = true;
                } else if (target != null) {
                    closeOnFlush(target);
                }
                ctx.fireChannelInactive();
            }

            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
                // A reset or a refused write: this side is gone; channelInactive decides about the other.
                ctx.close();
            }

            private void drop(final Object msg) {
                dropped.add(size(msg));
                ReferenceCountUtil.release(msg);
                isDamaged = true;
            }

            /** Queues a chunk for later; deadlines never go backwards, so order survives a shorter delay. */
            private void hold(final Object msg, final long d) {
                final long at = Math.max(System.nanoTime() + d, lastAtNs);
                lastAtNs = at;
                pending.add(msg);
                pendingAt.add(at);
                if (!isDrainScheduled) {
                    schedule(at);
                }
            }

            private void schedule(final long at) {
                isDrainScheduled = true;
                ctx.executor().schedule(this::drain, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
            }

            /**
             * Sends the held chunks whose time has come (on the loop); closes the other side after the last if asked.
             */
            void drain() {
                isDrainScheduled = false;
                if (isFromClient && !isConnected) {
                    // Still connecting: the connect listener drains.
                    return;
                }
                final Channel target = target();
                final long now = System.nanoTime();
                boolean wrote = false;
                while (!pending.isEmpty() && pendingAt.peek() - now <= 0) {
                    pendingAt.poll();
                    final Object msg = pending.poll();
                    // In flight when the cut came: lost like the rest.
                    if (isCutHere() || target == null || !target.isActive()) {
                        drop(msg);
                    } else {
                        forwarded.add(size(msg));
                        target.write(msg, target.voidPromise());
                        wrote = true;
                    }
                }
                if (wrote) {
                    target.flush();
                }
                if (!pending.isEmpty()) {
                    schedule(pendingAt.peek());
                } else if (isCloseAfterDrain && target != null) {
                    closeOnFlush(target);
                }
            }

            /** Both sides are closed: held chunks will never be sent. */
            void releasePending() {
                Object msg;
                while ((msg = pending.poll()) != null) {
                    ReferenceCountUtil.release(msg);
                }
                pendingAt.clear();
            }
        }
    }
}
