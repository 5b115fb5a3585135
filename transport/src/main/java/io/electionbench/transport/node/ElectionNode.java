package io.electionbench.transport.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.log.LogCorruptedException;
import io.electionbench.core.log.TxnLog;
import io.electionbench.transport.net.PeerTransport;
import io.electionbench.transport.net.TransportCounters;
import io.electionbench.transport.net.WriteRouter;

/**
 * One real ensemble member: config, {@link NodeStorage} (epoch files and the txn log), the
 * {@link MemberAgent} on its own thread (Agrona {@link AgentRunner}, {@link BackoffIdleStrategy}
 * parking at most 1 ms and unparked by the transport when messages arrive), the {@link PeerTransport},
 * the {@link WriteRouter} that hands each write's outcome back to whoever offered it (client
 * connections on the quorum port, {@code POST /write}) and the admin endpoint.
 *
 * <pre>
 * NodeConfig config = NodeConfigParser.parse(Path.of("ensemble.cfg"));
 * try (ElectionNode node = new ElectionNode(config, 1)) {
 *     node.start();
 *     node.status().state();      // or GET http://{node.adminAddress()}/state
 * }
 * </pre>
 *
 * {@link #close()} is clean and idempotent: the agent thread stops, the txn log is closed (under
 * {@code fsync=batch}, forced), then every connection closes (peers see the links drop at once). A
 * kill -9 skips all of that and is safe: the log recovers at the next start (a torn tail is cut).
 * {@link #crash()} is what {@code POST /fault/crash} does; by default it halts the JVM
 * ({@code Runtime.halt}, like kill -9); in-process ensembles replace it with
 * {@link #crashAction(Runnable)}.
 */
public final class ElectionNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionNode.class);
    /** The agent parks at most this long when idle, which bounds timer lateness. */
    public static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The exit code of a node process whose agent halted (the epoch space is exhausted). */
    public static final int HALTED_EXIT_CODE = 3;
    /** Log reads waiting for the agent thread; more are refused (503) until these are done. */
    static final int LOG_QUERY_CAPACITY = 16;

    private final NodeConfig config;
    private final long sid;
    private final TransportCounters counters = new TransportCounters();
    private final StatusPublisher statusPublisher;
    private final NodeMetrics metrics;
    private final WriteRouter writeRouter = new WriteRouter();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** {@code GET /log} reads handed from the admin endpoint to the agent thread, the log's single writer. */
    private final ManyToOneConcurrentArrayQueue<LogQuery> logQueries =
        new ManyToOneConcurrentArrayQueue<>(LOG_QUERY_CAPACITY);
    private volatile Runnable crashAction = () -> Runtime.getRuntime().halt(137);
    /** What the node does once its agent halted: by default it stops and the process exits with 3. */
    private volatile Runnable haltAction = () -> {
        close();
        Runtime.getRuntime().exit(HALTED_EXIT_CODE);
    };
    private volatile Thread agentThread;
    private NodeStorage storage;
    private PeerTransport transport;
    private AdminServer admin;
    private AgentRunner runner;

    public ElectionNode(final NodeConfig config, final long sid) {
        if (config.server(sid) == null) {
            throw new IllegalArgumentException(config.source() + ": no server." + sid
                + " line; --id must name a member");
        }
        this.config = config;
        this.sid = sid;
        this.statusPublisher = new StatusPublisher(sid, config.policy().name(),
            new StorageAlarm(sid, config.dataDir(sid)));
        this.metrics = new NodeMetrics(this, statusPublisher);
    }

    /** Replaces what {@link #crash()} does (before or after start). */
    public ElectionNode crashAction(final Runnable action) {
        this.crashAction = action;
        return this;
    }

    /** Replaces what the node does once its agent halted (before start); the default stops and exits with 3. */
    public ElectionNode haltAction(final Runnable action) {
        this.haltAction = action;
        return this;
    }

    /**
     * Opens storage (recovering the txn log), binds the admin endpoint and both peer ports, then
     * starts the agent thread.
     *
     * @throws IOException if storage cannot be opened (a corrupt log, an unreadable epoch file, or a log
     *                     whose index does not fit in the heap: the message names the file, and offset,
     *                     and no file was changed) or a port cannot be bound; nothing stays running
     */
    public void start() throws IOException {
        final Path dataDir = config.dataDir(sid);
        if (dataDir == null) {
            throw new IOException(config.source() + ": dataDir is not set");
        }
        storage = openStorage(dataDir);
        final RingBuffer ring = MemberAgent.newInboundRing(MemberAgent.DEFAULT_INBOUND_CAPACITY);
        try {
            transport = new PeerTransport(config.transportConfig(sid), ring, counters);
            transport.enableClientWrites(writeRouter);
            admin = new AdminServer(this, transport, config.adminToken(), ring, writeRouter);
            admin.bind(config.admin(sid));
            statusPublisher.sink(admin::publish);
            transport.start();
        } catch (final RuntimeException ex) {
            // Undo what was started, once: a close() after this finds nothing to stop and says nothing.
            if (admin != null) {
                admin.close();
                admin = null;
            }
            if (transport != null) {
                transport.close();
                transport = null;
            }
            storage.close();
            storage = null;
            throw new IOException("node " + sid + ": cannot start: " + ex.getMessage(), ex);
        }
        final NanoClock clock = SystemNanoClock.INSTANCE;
        final MemberAgent agent = new MemberAgent(sid, config.ensemble(), config.policy(), config.timing(),
            storage, transport.publisher(), statusPublisher, ring, clock).writeListener(writeRouter);
        statusPublisher.agent(agent);
        statusPublisher.haltSink(this::halted);
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, MAX_PARK_NS), new AgentErrorLog(sid, clock),
            null,
            new NodeAgent(agent, statusPublisher, clock, logQueries, storage.log()));
        AgentRunner.startOnThread(runner, r -> {
            final Thread thread = new Thread(r, "agent-" + sid);
            thread.setDaemon(true);
            transport.agentThread(thread);
            agentThread = thread;
            return thread;
        });
        LOG.info("node {}: started ({} policy, {}, admin http://{}:{})", sid, config.policy(), config.timing(),
            adminAddress().getHostString(), adminAddress().getPort());
        if (config.ignoredKeysWarning() != null) {
            LOG.warn("node {}: {}", sid, config.ignoredKeysWarning());
        }
        final String exposure = unprotectedPeerPortsWarning(sid, config.hasPeerAuth(), config.hasTls(),
            config.server(sid).host(), transport.quorumAddress(), transport.electionAddress());
        if (exposure != null) {
            LOG.warn("{}", exposure);
        }
    }

    /**
     * The one WARN line for peer ports that listen beyond loopback with neither {@code peerAuthSecret}
     * nor TLS, where whoever can reach the quorum port can pose as a member (docs/transport.md, Peer
     * authentication); null when a secret or TLS protects them, or only loopback reaches them. Both
     * ports bind {@code host} (the server line's), so the quorum port's bound address decides.
     */
    static String unprotectedPeerPortsWarning(final long sid, final boolean hasPeerAuth, final boolean hasTls,
        final String host, final InetSocketAddress quorum, final InetSocketAddress election) {
        if (hasPeerAuth || hasTls || quorum.getAddress().isLoopbackAddress()) {
            return null;
        }
        return "node " + sid + ": the peer ports " + host + ":" + quorum.getPort() + " and :" + election.getPort()
            + " listen beyond loopback with neither peerAuthSecret nor sslQuorum:"
            + " whoever can reach them can pose as a member; set peerAuthSecretFile (docs/transport.md)";
    }

    private NodeStorage openStorage(final Path dataDir) throws IOException {
        try {
            return NodeStorage.open(dataDir, config.fsync());
        } catch (final LogCorruptedException ex) {
            throw new IOException("node " + sid + ": the txn log is corrupt: " + ex.getMessage()
                + "; nothing was changed (repairing it is an operator's decision)", ex);
        } catch (final IOException ex) {
            throw new IOException("node " + sid + ": cannot open storage: " + ex.getMessage()
                + "; nothing was changed", ex);
        } catch (final OutOfMemoryError ex) {
            // What recovery allocated is unreachable once it unwound; the process can still say why and exit.
            throw new IOException("node " + sid + ": cannot open storage: the txn log in "
                + dataDir.resolve(NodeStorage.VERSION_DIR).resolve(NodeStorage.LOG_DIR) + " does not fit in the heap ("
                + ex.getMessage() + ", max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB; its index holds"
                + " 24 bytes per entry): start the node with a larger -Xmx; nothing was changed", ex);
        }
    }

    /**
     * Stops the agent (it finishes its duty cycle), closes the txn log, then the transport and admin
     * endpoint. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (transport != null && transport.isOwnThread() || admin != null && admin.isOwnThread()) {
            // Called from one of our own event loops (a crash command in-process): waiting there for
            // the loops to stop would never return and would leave the ports bound. Finish elsewhere.
            final Thread closer = new Thread(this::closeResources, "close-node-" + sid);
            closer.setDaemon(true);
            closer.start();
            return;
        }
        closeResources();
    }

    /** Agent, admin endpoint, log, then transport; each step runs even if an earlier one failed. */
    private void closeResources() {
        try {
            if (runner != null) {
                runner.close();
            }
        } catch (final RuntimeException ex) {
            LOG.error("node {}: stopping the agent failed: {}", sid, ex.toString());
        }
        try {
            if (admin != null) {
                admin.close();
            }
        } catch (final RuntimeException ex) {
            LOG.error("node {}: closing the admin endpoint failed: {}", sid, ex.toString());
        }
        if (storage != null) {
            try {
                storage.close();
            } catch (final RuntimeException ex) {
                LOG.error("node {}: closing the txn log failed: {}", sid, ex.toString());
            }
        }
        if (transport != null) {
            transport.close();
        }
        if (runner != null) {
            LOG.info("node {}: stopped", sid);
        }
    }

    /** On the agent thread: say once why, then stop elsewhere (the agent thread cannot wait for itself). */
    private void halted(final String reason) {
        LOG.error("node {}: halted, taking no further part: {}; every member that accepted this epoch is at the end"
            + " of the epoch space, which needs an operator (docs/recovery.md, \"Bounded epochs\")", sid, reason);
        final Thread stopper = new Thread(haltAction, "halt-node-" + sid);
        stopper.setDaemon(false);
        stopper.start();
    }

    /** Unparks the agent thread so it drains its inbound ring at once (after an offer from outside the transport). */
    void wakeAgent() {
        final Thread thread = agentThread;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Hands a log read to the agent thread, which runs it between two duty cycles and then calls its
     * completion (on the agent thread: hand the answer off, do not block).
     *
     * @return false when too many reads are waiting (or the node is closed)
     */
    boolean queryLog(final LogQuery query) {
        if (closed.get() || !logQueries.offer(query)) {
            return false;
        }
        wakeAgent();
        return true;
    }

    /** Runs the crash action (by default halts the JVM at once). */
    public void crash() {
        crashAction.run();
    }

    public long sid() {
        return sid;
    }

    public NodeConfig config() {
        return config;
    }

    /** The latest published status (lock-free, any thread). */
    public NodeStatus status() {
        return statusPublisher.status();
    }

    public NodeStorage storage() {
        return storage;
    }

    /**
     * The agent's write listener: client connections and the admin endpoint attach a slot and offer
     * writes with {@link WriteRouter#requestId} ids.
     */
    public WriteRouter writeRouter() {
        return writeRouter;
    }

    public PeerTransport transport() {
        return transport;
    }

    public TransportCounters counters() {
        return counters;
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** The bound admin endpoint address (after {@link #start()}). */
    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** {@code GET /metrics}: the Prometheus text format ({@link NodeMetrics}). */
    public String metricsText() {
        return metrics.scrape();
    }

    /** The admin endpoint, or null before {@link #start()} bound it; for {@link NodeMetrics}. */
    AdminServer admin() {
        return admin;
    }

    /**
     * One read of the txn log for {@code GET /log}: the entries with {@code fromZxid <= zxid <= toZxid},
     * at most {@code limit}, each as its zxid and the first 8 bytes of its payload as a big-endian long.
     * Built on the admin endpoint's event loop, filled on the agent thread (which appends to and
     * truncates the log, so nobody else may read it while it runs), then handed back through
     * {@code onDone}; the hand-off (an executor's queue) orders the fills before the reads.
     */
    static final class LogQuery implements TxnLog.EntryHandler {
        final long fromZxid;
        final long toZxid;
        final int limit;
        private final Consumer<LogQuery> onDone;
        long[] zxids;
        long[] firstLongs;
        /** Payload length of each entry: a payload under 8 bytes has no first long. */
        int[] lengths;
        int count;
        /** The zxid of the first entry in range left out by the limit, or -1 when none was. */
        long nextZxid = -1;
        long snapshotZxid;
        long lastZxid;
        String error;

        /** @param onDone called once on the agent thread when filled (or failed, with {@link #error}) */
        LogQuery(final long fromZxid, final long toZxid, final int limit, final Consumer<LogQuery> onDone) {
            this.fromZxid = fromZxid;
            this.toZxid = toZxid;
            this.limit = limit;
            this.onDone = onDone;
        }

        /** Agent thread. */
        void run(final TxnLog log) {
            try {
                final int capacity = Math.min(limit, log.entryCount());
                zxids = new long[capacity];
                firstLongs = new long[capacity];
                lengths = new int[capacity];
                snapshotZxid = log.snapshotZxid();
                lastZxid = log.lastZxid();
                log.read(fromZxid, this);
            } catch (final RuntimeException ex) {
                error = ex.toString();
            }
            onDone.accept(this);
        }

        @Override
        public boolean onEntry(final long zxid, final DirectBuffer buffer, final int offset, final int length) {
            if (zxid > toZxid) {
                return false;
            }
            if (count == limit || count == zxids.length) {
                nextZxid = zxid;
                return false;
            }
            zxids[count] = zxid;
            lengths[count] = length;
            firstLongs[count] = length >= Long.BYTES ? buffer.getLong(offset, java.nio.ByteOrder.BIG_ENDIAN) : 0;
            count++;
            return true;
        }
    }

    /**
     * The agent runner's error handler: an exception that escapes a duty cycle is logged with its stack trace
     * once, then (the same cycle may throw again at once) counted and summed up in one line at most every
     * {@link #INTERVAL_NS} with the latest one's message, so a failure that repeats cannot flood the log.
     */
    static final class AgentErrorLog implements org.agrona.ErrorHandler {
        static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
        private final long sid;
        private final NanoClock clock;
        private boolean hasLogged;
        private long lastLineNs;
        private long suppressed;

        AgentErrorLog(final long sid, final NanoClock clock) {
            this.sid = sid;
            this.clock = clock;
        }

        @Override
        public void onError(final Throwable ex) {
            final long nowNs = clock.nanoTime();
            if (!hasLogged) {
                hasLogged = true;
                lastLineNs = nowNs;
                LOG.error("node {}: agent error", sid, ex);
            } else if (nowNs - lastLineNs >= INTERVAL_NS) {
                LOG.error("node {}: agent error ({} more since the last line): {}", sid, suppressed + 1, ex.toString());
                lastLineNs = nowNs;
                suppressed = 0;
            } else {
                suppressed++;
            }
        }
    }

    /**
     * Drives the election agent with the system clock, publishes its status after each cycle, and runs
     * waiting log reads between cycles.
     */
    private static final class NodeAgent implements Agent {
        private final MemberAgent agent;
        private final StatusPublisher publisher;
        private final NanoClock clock;
        private final ManyToOneConcurrentArrayQueue<LogQuery> logQueries;
        private final TxnLog log;

        NodeAgent(final MemberAgent agent, final StatusPublisher publisher, final NanoClock clock,
            final ManyToOneConcurrentArrayQueue<LogQuery> logQueries, final TxnLog log) {
            this.agent = agent;
            this.publisher = publisher;
            this.clock = clock;
            this.logQueries = logQueries;
            this.log = log;
        }

        @Override
        public int doWork() {
            final long nowNs = clock.nanoTime();
            int work = agent.doWork(nowNs);
            publisher.publishIfChanged(nowNs);
            LogQuery query;
            while ((query = logQueries.poll()) != null) {
                query.run(log);
                work++;
            }
            return work;
        }

        @Override
        public String roleName() {
            return agent.roleName();
        }
    }
}
