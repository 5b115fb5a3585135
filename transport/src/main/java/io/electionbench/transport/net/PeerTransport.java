package io.electionbench.transport.net;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * A member's TCP transport: the election port (ZooKeeper-compatible) and the quorum port
 * (electionbench's own), an {@link ElectionLink} and a {@link QuorumLink} per peer, and a
 * {@link PeerPublisher} for the agent. Native epoll where available, NIO otherwise; pooled direct
 * buffers. Every connection's pipeline starts as {@code [tls] handshake} and, once established, is
 * {@code [tls] [faults] election-frames|quorum-frames} or {@code [tls] client-writes}
 * (docs/transport.md, "Pipeline and links").
 *
 * <p>Threading: all network work runs on one event loop thread per transport, so link and handler
 * state needs no synchronisation. The agent thread only touches the per-link outbound rings (via
 * {@link #publisher()}); inbound messages go to the agent's many-to-one ring and the agent thread is
 * unparked once per read batch.
 *
 * <p>With {@link #enableClientWrites} the quorum port also takes write clients
 * ({@code io.electionbench.transport.client.WriteClient}): their WRITEs go into the same ring and the
 * agent's answers come back through the {@link WriteRouter}.
 */
public final class PeerTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
    private static final int BIND_ATTEMPTS = 3;
    /** The pipeline name of the {@code SslHandler} (with {@code sslQuorum=true}), first in every pipeline. */
    static final String TLS_HANDLER = "tls";
    private static final long ENABLE_FAULTS_WAIT_MS = 1_000;
    /**
     * Outbound water marks of every connection: a quorum link stops being writable (so the agent
     * pauses its bulk streams, {@code PeerPublisher.isWritable}) above 4 MiB pending and becomes
     * writable again below 1 MiB.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(1 << 20, 4 << 20);
    /**
     * Outbound water marks of election-port connections: a notification frame is a few hundred bytes
     * and a peer only needs our latest vote, so above 64 KiB pending (the peer is not reading) the link
     * keeps just the newest notification until the buffer drains below 32 KiB ({@link PeerLink}).
     */
    static final WriteBufferWaterMark ELECTION_WATER_MARK = new WriteBufferWaterMark(32 << 10, 64 << 10);
    /**
     * Socket reads of quorum-port connections: up to 1 MiB at a time (Netty's default stops at 64 KiB), so
     * a sync stream of 128 KiB record batches or 64 KiB snapshot chunks takes one read, one pipeline pass
     * and one decode loop per several frames instead of two reads per frame. Small messages still get
     * small buffers: the allocator sizes each read by the last ones.
     */
    static final AdaptiveRecvByteBufAllocator QUORUM_READS = new AdaptiveRecvByteBufAllocator(64, 2048, 1 << 20);

    private final TransportConfig config;
    private final RingBuffer ring;
    private final TransportCounters counters;
    private final FaultFilter faults;
    private final String name;
    private final EventLoopGroup group;
    /**
     * Every channel this transport (and the admin endpoint on its loop) opened or accepted, closed
     * explicitly on {@link #close()}: a group shutdown alone was seen to leave connections and a
     * listener open in-process, so a node restarted in the same JVM found its peers' connections
     * unread (the inproc target and TlsTest).
     */
    private final io.netty.channel.group.ChannelGroup channels =
        new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private final EventLoop eventLoop;
    private final boolean isEpoll;
    private final ElectionLink[] electionLinks;
    private final QuorumLink[] quorumLinks;
    /** The config text sent in every notification; read only by the event loop, with absolute indexes. */
    private final ByteBuf configBytes;
    private final PeerAuthenticator authenticator;
    /** Null for plain TCP; otherwise every connection on both ports starts with a mutual TLS handshake. */
    private final TlsConfig tls;
    private final String myElectionAddress;
    private final NettyPeerPublisher publisher;
    /** WARN lines for connections closed by an exception, which a hostile peer can cause at will (event loop only). */
    private final WarnLimiter failureLog = new WarnLimiter();
    private final WarnLimiter hostileLog = new WarnLimiter();
    /** WARN lines for members found unable to use our quorum port (event loop only). */
    private final WarnLimiter incompatibleLog = new WarnLimiter();
    private final IncompatiblePeers incompatiblePeers;
    /** Per member, the connection of a ZooKeeper learner we keep open unanswered (event loop only). */
    private final Channel[] heldLearners;
    /** The next temporary id for a peer announcing ZooKeeper's legacy observer id (event loop only). */
    private long observerCounter = -1;
    /** Write-client connections open, per source address and in all (event loop). */
    private final ClientConnections clientConnections;
    private volatile Thread agentThread;
    private volatile WriteRouter writeRouter;
    /** The way back for the agent's answers to write clients; set before {@link #writeRouter}. */
    private volatile ClientResults clientResults;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private Channel electionServer;
    private Channel quorumServer;

    /**
     * @param config concluded configuration
     * @param ring   the agent's inbound ring ({@code MemberAgent.inbound()})
     */
    public PeerTransport(final TransportConfig config, final RingBuffer ring, final TransportCounters counters) {
        this.config = config;
        this.ring = ring;
        this.counters = counters;
        this.name = "node " + config.mySid();
        final Ensemble ensemble = config.ensemble();
        this.faults = new FaultFilter(ensemble);
        this.isEpoll = config.isEpollAllowed() && Epoll.isAvailable();
        final IoHandlerFactory ioFactory = isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("transport-" + config.mySid(), true),
            ioFactory);
        this.eventLoop = group.next();
        final byte[] configText = config.configText().getBytes(StandardCharsets.UTF_8);
        this.configBytes = Unpooled.directBuffer(configText.length).writeBytes(configText);
        this.authenticator = config.isAuthEnabled() ? new PeerAuthenticator(config.authSecret()) : null;
        this.tls = config.tls();
        this.myElectionAddress = config.address(config.mySid()).electionAddress();
        this.clientConnections = new ClientConnections(config.maxClientCnxns(), config.maxCnxns());
        this.electionLinks = new ElectionLink[ensemble.size()];
        this.quorumLinks = new QuorumLink[ensemble.size()];
        this.incompatiblePeers = new IncompatiblePeers(ensemble);
        this.heldLearners = new Channel[ensemble.size()];
        for (int i = 0; i < ensemble.size(); i++) {
            final long sid = ensemble.sid(i);
            if (sid != config.mySid()) {
                electionLinks[i] = new ElectionLink(this, sid, i, config.outboundRingBytes(), eventLoop);
                quorumLinks[i] = new QuorumLink(this, sid, i, eventLoop);
            }
        }
        this.publisher = new NettyPeerPublisher(ensemble, electionLinks, quorumLinks, counters,
            PooledByteBufAllocator.DEFAULT, tls == null);
    }

    /**
     * Binds both ports (three attempts, as ZooKeeper's {@code electionPortBindRetry}) and starts
     * dialing peers.
     *
     * @throws PortBindException if a port cannot be bound (its role and the reason in the message)
     */
    public void start() {
        final PeerAddress me = config.address(config.mySid());
        electionServer = bind(PortKind.ELECTION, new InetSocketAddress(me.host(), me.electionPort()));
        channels.add(electionServer);
        quorumServer = bind(PortKind.QUORUM, new InetSocketAddress(me.host(), me.quorumPort()));
        channels.add(quorumServer);
        LOG.info("{}: election port {}, quorum port {} ({}{})", name, electionServer.localAddress(),
            quorumServer.localAddress(), isEpoll ? "epoll" : "nio", tls != null ? ", mutual TLS" : "");
        eventLoop.execute(() -> {
            for (int i = 0; i < electionLinks.length; i++) {
                if (electionLinks[i] != null) {
                    electionLinks[i].dial();
                    quorumLinks[i].dial();
                }
            }
        });
    }

    private Channel bind(final PortKind kind, final InetSocketAddress address) {
        final ServerBootstrap bootstrap = new ServerBootstrap()
            .group(group)
            .channel(isEpoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(kind))
            .childOption(ChannelOption.RCVBUF_ALLOCATOR, reads(kind))
            .childOption(ChannelOption.MESSAGE_SIZE_ESTIMATOR, QuorumSizeEstimator.INSTANCE)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    channels.add(ch);
                    if (tls != null) {
                        ch.pipeline().addLast(TLS_HANDLER, tls.newHandler(null, 0));
                    }
                    ch.pipeline().addLast(HandshakeHandler.NAME, new HandshakeHandler(PeerTransport.this, kind, null));
                }
            });
        RuntimeException failure = null;
        for (int attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
            final ChannelFuture future = bootstrap.bind(address).awaitUninterruptibly();
            if (future.isSuccess()) {
                return future.channel();
            }
            failure = new PortBindException(kind == PortKind.ELECTION
                ? "election port (the third field of server." + config.mySid() + ")"
                : "quorum port (the second field of server." + config.mySid() + ")", address, attempt, future.cause());
            LOG.debug("{}: bind {} attempt {} failed: {}", name, address, attempt, future.cause().toString());
            if (attempt < BIND_ATTEMPTS) {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
        throw failure;
    }

    private static WriteBufferWaterMark waterMark(final PortKind kind) {
        return kind == PortKind.ELECTION ? ELECTION_WATER_MARK : WATER_MARK;
    }

    private static AdaptiveRecvByteBufAllocator reads(final PortKind kind) {
        return kind == PortKind.ELECTION ? new AdaptiveRecvByteBufAllocator() : QUORUM_READS;
    }

    /** Starts a connection for {@code link}; returns its channel (event loop only). */
    Channel connect(final PeerLink link) {
        final PeerAddress peer = config.address(link.peerSid());
        final int port = link.kind() == PortKind.ELECTION ? peer.electionPort() : peer.quorumPort();
        final Bootstrap bootstrap = new Bootstrap()
            .group(eventLoop)
            .channel(isEpoll ? EpollSocketChannel.class : NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, waterMark(link.kind()))
            .option(ChannelOption.RCVBUF_ALLOCATOR, reads(link.kind()))
            .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, QuorumSizeEstimator.INSTANCE)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMs())
            .handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(final SocketChannel ch) {
                    channels.add(ch);
                    if (tls != null) {
                        ch.pipeline().addLast(TLS_HANDLER, tls.newHandler(peer.host(), port));
                    }
                    ch.pipeline().addLast(HandshakeHandler.NAME,
                        new HandshakeHandler(PeerTransport.this, link.kind(), link));
                }
            });
        final ChannelFuture future = bootstrap.connect(peer.host(), port);
        future.addListener(f -> {
            if (f.isSuccess()) {
                link.onConnected();
            } else {
                LOG.debug("{}: connect to {} {}:{} failed: {}", name, link.peerSid(), peer.host(), port,
                    f.cause().toString());
                link.onConnectFailed(future.channel());
            }
        });
        return future.channel();
    }

    /**
     * Puts {@code link}'s frame handler after the handler named {@code after} in an established
     * connection's pipeline, with a {@link FaultHandler} in front of it when faults are enabled
     * (event loop; the handshake handler then removes itself).
     */
    void addFrameHandlers(final ChannelPipeline pipeline, final String after, final PeerLink link) {
        pipeline.addAfter(after, link.frameHandlerName(), link.newFrameHandler());
        if (faults.isEnabled()) {
            pipeline.addAfter(after, FaultHandler.NAME, new FaultHandler(this, link));
        }
    }

    /**
     * A connection is being closed because {@code cause} reached its handler (event loop): counted as
     * {@code connections_failed{reason}} and logged at WARN with the peer and the reason, at most
     * {@link WarnLimiter#LINES_PER_WINDOW} lines per {@link WarnLimiter#WINDOW_NS} ns.
     */
    void connectionFailed(final Logger log, final String what, final Channel ch, final long sid,
        final Throwable cause) {
        final FailReason reason = FailReason.of(cause);
        counters.failed(reason);
        final long skipped = failureLog.admit(System.nanoTime());
        if (skipped >= 0) {
            log.warn("{}: closing {} with {} (sid {}): {} {}{}", name, what, ch.remoteAddress(), sid,
                reason.metricName(), FailReason.rootMessage(cause), WarnLimiter.suffix(skipped));
        }
    }

    /**
     * For a WARN line a remote end can cause at will (a refused handshake, a malformed frame): null
     * when the line must be left out, else the suffix to end it with. At most
     * {@link WarnLimiter#LINES_PER_WINDOW} such lines per {@link WarnLimiter#WINDOW_NS} ns, so a
     * flood of bad input costs a counter each, not a log line (event loop only; allocates nothing
     * when the line is left out).
     */
    String hostileWarnSuffix() {
        final long skipped = hostileLog.admit(System.nanoTime());
        return skipped < 0 ? null : WarnLimiter.suffix(skipped);
    }

    /**
     * The member at {@code index} showed on {@code ch} that it cannot work with us at the quorum port
     * (event loop): recorded for {@code GET /state} ({@link #incompatiblePeersJson()}) and said in one
     * WARN line when it is news, rate-limited across members; repeats are only counted.
     */
    void peerIncompatible(final int index, final Incompatibility reason, final Channel ch) {
        if (!incompatiblePeers.record(index, reason)) {
            LOG.debug("{}: member {} again: {}", name, config.ensemble().sid(index), reason.metricName());
            return;
        }
        final long skipped = incompatibleLog.admit(System.nanoTime());
        if (skipped >= 0) {
            LOG.warn("{}: member {} ({}) cannot work with us at the quorum port: {}. Elections with it still work; "
                    + "{} (docs/transport.md, \"Running next to real ZooKeeper servers\"){}", name,
                config.ensemble().sid(index), ch.remoteAddress(), reason.description(), reason.consequence(),
                WarnLimiter.suffix(skipped));
        }
    }

    /** The member at {@code index} spoke our quorum protocol: it is not incompatible after all (event loop). */
    void peerCompatible(final int index) {
        incompatiblePeers.clear(index);
    }

    /** The reason the member {@code sid} was found incompatible at the quorum port, or null (any thread). */
    public Incompatibility incompatibility(final long sid) {
        final int index = config.ensemble().indexOf(sid);
        return index < 0 ? null : incompatiblePeers.reason(index);
    }

    /** The members found incompatible, as the JSON array {@code GET /state} shows (any thread). */
    public String incompatiblePeersJson() {
        return incompatiblePeers.toJson();
    }

    /**
     * Keeps a ZooKeeper learner's quorum connection open (and unanswered) instead of closing it, so
     * that the learner waits until our handshake deadline closes it before it looks again, rather than
     * re-electing us and dialing again at once; at most one per member: a newer one closes the older
     * (event loop).
     */
    void holdZooKeeperLearner(final int index, final Channel ch) {
        final Channel older = heldLearners[index];
        heldLearners[index] = ch;
        if (older != null && older != ch) {
            older.close();
        }
    }

    /**
     * A temporary id for a peer that announced ZooKeeper's legacy observer id: -1, -2, ..., as
     * {@code QuorumCnxManager.handleConnection} takes them from its {@code observerCounter} (event loop).
     */
    long nextObserverId() {
        return observerCounter--;
    }

    void offerToAgent(final int sidOnlyType, final long sid) {
        if (!InboundMessages.offerSidOnly(ring, sidOnlyType, sid)) {
            counters.increment(TransportCounters.INBOUND_DROPPED);
        }
        wakeAgent();
    }

    /** Unparks the agent thread, if one is registered, so it drains its ring at once. */
    void wakeAgent() {
        final Thread thread = agentThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /** Registers the thread that runs the agent, to be unparked when messages arrive. */
    public void agentThread(final Thread thread) {
        this.agentThread = thread;
    }

    /**
     * Lets write clients use the quorum port: each client connection attaches a sink to
     * {@code router}, offers its WRITEs into the agent's ring ({@code InboundMessages.offerWrite}) and
     * gets the agent's answers through the router, which must be the agent's
     * {@code WriteListener}. Call once, before or after {@link #start()}; client connections that
     * arrive before it are refused ({@code client_writes_disabled}). Allocates the one results ring
     * every client connection shares ({@link ClientResults}), here and not on the event loop.
     */
    public void enableClientWrites(final WriteRouter router) {
        enableClientWrites(router, ClientResults.RING_BYTES);
    }

    /** As {@link #enableClientWrites(WriteRouter)}, with a results ring of {@code resultsRingBytes} (tests). */
    void enableClientWrites(final WriteRouter router, final int resultsRingBytes) {
        if (router == null) {
            throw new IllegalArgumentException("router");
        }
        if (writeRouter != null) {
            throw new IllegalStateException(name + ": client writes are already enabled");
        }
        this.clientResults = new ClientResults(eventLoop, resultsRingBytes);
        this.writeRouter = router;
    }

    /** The router of client writes, or null while they are disabled. */
    WriteRouter writeRouter() {
        return writeRouter;
    }

    /** Non-null once {@link #writeRouter()} is. */
    ClientResults clientResults() {
        return clientResults;
    }

    ClientConnections clientConnections() {
        return clientConnections;
    }

    /** Write-client connections open now, counted from their header to their close (any thread). */
    public int openClientConnections() {
        return clientConnections.open();
    }

    /** What the agent sends through; use only from the agent thread. */
    public PeerPublisher publisher() {
        return publisher;
    }

    /**
     * Switches fault injection on (docs/transport.md, "Pipeline and links"): a {@link FaultHandler}
     * joins every established peer connection now and every one established from now on, for as long
     * as the transport runs; without this no fault handler is in any pipeline and faults cost nothing.
     * The admin endpoint calls it for the first {@code /fault/isolate} or {@code /fault/slow}.
     * Idempotent, any thread; off the event loop it returns once the handlers are in place (or after
     * {@value #ENABLE_FAULTS_WAIT_MS} ms if the event loop is that busy).
     *
     * @return the fault settings, now accepted
     */
    public FaultFilter enableFaults() {
        if (!faults.enable()) {
            return faults;
        }
        LOG.info("{}: fault injection enabled: every peer connection gets a fault handler from now on", name);
        final Runnable install = () -> {
            for (int i = 0; i < electionLinks.length; i++) {
                if (electionLinks[i] != null) {
                    installFaults(electionLinks[i]);
                    installFaults(quorumLinks[i]);
                }
            }
        };
        if (isOwnThread()) {
            install.run();
            return faults;
        }
        try {
            eventLoop.submit(install).awaitUninterruptibly(ENABLE_FAULTS_WAIT_MS);
        } catch (final RejectedExecutionException closing) {
            // The transport is closing: no connection is left to fault.
        }
        return faults;
    }

    private void installFaults(final PeerLink link) {
        if (link.channel != null) {
            FaultHandler.install(this, link, link.channel);
        }
    }

    /** The fault settings; {@link #enableFaults()} first to change them. */
    public FaultFilter faults() {
        return faults;
    }

    /**
     * Removes every injected fault and resets the quorum connections that dropped a frame meanwhile
     * (see {@link FaultFilter}): their streams have a hole, which TCP never leaves. The peer sees the
     * close too and both ends reconnect, as after any connection loss.
     */
    public void healFaults() {
        final long holed = faults.heal();
        if (holed == 0) {
            return;
        }
        try {
            eventLoop.execute(() -> {
                long rest = holed;
                while (rest != 0) {
                    final int index = Long.numberOfTrailingZeros(rest);
                    rest &= rest - 1;
                    if (quorumLinks[index] != null) {
                        quorumLinks[index].resetConnection("frames were dropped on it by an injected fault");
                    }
                }
            });
        } catch (final java.util.concurrent.RejectedExecutionException closing) {
            // The transport is closing: every connection goes with it.
        }
    }

    public TransportCounters counters() {
        return counters;
    }

    public TransportConfig config() {
        return config;
    }

    /** The event loop group, which other servers of the same node (the admin endpoint) may share. */
    public EventLoopGroup group() {
        return group;
    }

    public boolean isEpoll() {
        return isEpoll;
    }

    /** The bound election port address (after {@link #start()}). */
    public InetSocketAddress electionAddress() {
        return (InetSocketAddress)electionServer.localAddress();
    }

    public InetSocketAddress quorumAddress() {
        return (InetSocketAddress)quorumServer.localAddress();
    }

    /** True if the election link to {@code sid} is up (read from any thread; racy by nature). */
    public boolean isElectionLinkUp(final long sid) {
        final int index = config.ensemble().indexOf(sid);
        return index >= 0 && electionLinks[index] != null && electionLinks[index].isConnected();
    }

    /**
     * Bytes waiting in Netty's outbound buffer of the election link to {@code sid}, 0 without a link
     * (any thread; a racy snapshot, for tests and diagnostics). Bounded by {@link #ELECTION_WATER_MARK}'s
     * high mark plus one drain's batch, whether or not the peer reads.
     */
    public long electionPendingBytes(final long sid) {
        final int index = config.ensemble().indexOf(sid);
        return index < 0 || electionLinks[index] == null ? 0 : electionLinks[index].pendingOutboundBytes();
    }

    /** True if the quorum link to {@code sid} is up (a volatile read; any thread). */
    public boolean isQuorumLinkUp(final long sid) {
        final int index = config.ensemble().indexOf(sid);
        return index >= 0 && quorumLinks[index] != null && quorumLinks[index].isConnected();
    }

    /** The link to the member at ensemble {@code index} on {@code kind}'s port (null for ourselves). */
    PeerLink link(final PortKind kind, final int index) {
        return kind == PortKind.ELECTION ? electionLinks[index] : quorumLinks[index];
    }

    long mySid() {
        return config.mySid();
    }

    String myElectionAddress() {
        return myElectionAddress;
    }

    String name() {
        return name;
    }

    RingBuffer ring() {
        return ring;
    }

    ByteBuf configBytes() {
        return configBytes;
    }

    boolean isAuthEnabled() {
        return authenticator != null;
    }

    PeerAuthenticator authenticator() {
        return authenticator;
    }

    boolean isTlsEnabled() {
        return tls != null;
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Registers a channel opened on this transport's loop elsewhere (the admin endpoint) to be closed with it. */
    public void track(final Channel channel) {
        channels.add(channel);
    }

    /** True when called on one of this transport's event loop threads. */
    public boolean isOwnThread() {
        for (final io.netty.util.concurrent.EventExecutor loop : group) {
            if (loop.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Closes every connection and stops the event loop; peers see the links drop. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // Close every listener and connection explicitly and wait (see channels), then stop the loop.
        final io.netty.channel.group.ChannelGroupFuture closing = channels.close();
        final boolean canWait = !isOwnThread();
        if (canWait) {
            closing.awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        final io.netty.util.concurrent.Future<?> terminated = group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS);
        if (canWait) {
            terminated.syncUninterruptibly();
        }
        for (final QuorumLink link : quorumLinks) {
            if (link != null) {
                link.releaseAll();
            }
        }
        publisher.close();
        configBytes.release();
    }
}
