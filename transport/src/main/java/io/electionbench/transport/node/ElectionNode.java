package io.electionbench.transport.node;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.ElectionAgent;
import io.electionbench.transport.net.PeerTransport;
import io.electionbench.transport.net.TransportCounters;
import io.electionbench.transport.wire.WireError;
import io.electionbench.transport.net.RefuseReason;

/**
 * One real ensemble member: config, {@link NodeStorage}, the {@link ElectionAgent} on its own thread
 * (Agrona {@link AgentRunner}, {@link BackoffIdleStrategy} parking at most 1 ms and unparked by the
 * transport when messages arrive), the {@link PeerTransport} and the admin endpoint.
 *
 * <pre>
 * NodeConfig config = NodeConfigParser.parse(Path.of("ensemble.cfg"));
 * try (ElectionNode node = new ElectionNode(config, 1)) {
 *     node.start();
 *     node.status().state();      // or GET http://{node.adminAddress()}/state
 * }
 * </pre>
 *
 * {@link #close()} is clean and idempotent: the agent thread stops, then every connection closes
 * (peers see the links drop at once). {@link #crash()} is what {@code POST /fault/crash} does; by
 * default it halts the JVM ({@code Runtime.halt}, like kill -9); in-process ensembles replace it with
 * {@link #crashAction(Runnable)}.
 */
public final class ElectionNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ElectionNode.class);
    /** The agent parks at most this long when idle, which bounds timer lateness. */
    public static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final NodeConfig config;
    private final long sid;
    private final TransportCounters counters = new TransportCounters();
    private final StatusPublisher statusPublisher;
    private volatile Runnable crashAction = () -> Runtime.getRuntime().halt(137);
    private NodeStorage storage;
    private PeerTransport transport;
    private AdminServer admin;
    private AgentRunner runner;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public ElectionNode(final NodeConfig config, final long sid) {
        if (config.server(sid) == null) {
            throw new IllegalArgumentException(config.source() + ": no server." + sid + " line; --id must name a member");
        }
        this.config = config;
        this.sid = sid;
        this.statusPublisher = new StatusPublisher(sid, config.policy().name());
    }

    /** Replaces what {@link #crash()} does (before or after start). */
    public ElectionNode crashAction(final Runnable action) {
        this.crashAction = action;
        return this;
    }

    /**
     * Opens storage, binds the admin endpoint and both peer ports, then starts the agent thread.
     *
     * @throws IOException if storage cannot be opened or a port cannot be bound; nothing stays running
     */
    public void start() throws IOException {
        final Path dataDir = config.dataDir(sid);
        if (dataDir == null) {
            throw new IOException(config.source() + ": dataDir is not set");
        }
        storage = NodeStorage.open(dataDir);
        final RingBuffer ring = ElectionAgent.newInboundRing(ElectionAgent.DEFAULT_INBOUND_CAPACITY);
        transport = new PeerTransport(config.transportConfig(sid), ring, counters);
        try {
            admin = new AdminServer(this, transport, config.adminToken());
            admin.bind(config.admin(sid));
            statusPublisher.sink(admin::publish);
            transport.start();
        } catch (final RuntimeException ex) {
            transport.close();
            throw new IOException("node " + sid + ": cannot start: " + ex.getMessage(), ex);
        }
        final NanoClock clock = SystemNanoClock.INSTANCE;
        final ElectionAgent agent = new ElectionAgent(sid, config.ensemble(), config.policy(), config.timing(),
            storage, transport.publisher(), statusPublisher, ring, clock);
        statusPublisher.agent(agent);
        runner = new AgentRunner(new BackoffIdleStrategy(100, 10, 1_000, MAX_PARK_NS),
            ex -> LOG.error("node {}: agent error", sid, ex), null, new NodeAgent(agent, statusPublisher, clock));
        AgentRunner.startOnThread(runner, r -> {
            final Thread thread = new Thread(r, "agent-" + sid);
            thread.setDaemon(true);
            transport.agentThread(thread);
            return thread;
        });
        LOG.info("node {}: started ({} policy, {}, admin http://{}:{})", sid, config.policy(), config.timing(),
            adminAddress().getHostString(), adminAddress().getPort());
    }

    /** Stops the agent, then the transport and admin endpoint. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (runner != null) {
            runner.close();
        }
        if (transport != null) {
            transport.close();
        }
        LOG.info("node {}: stopped", sid);
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

    /** {@code GET /metrics}: Prometheus text. */
    public String metricsText() {
        final StringBuilder sb = new StringBuilder();
        final String label = "{sid=\"" + sid + "\"}";
        for (int i = 0; i < TransportCounters.fixedCount(); i++) {
            final String name = "electionbench_" + TransportCounters.name(i) + "_total";
            sb.append("# TYPE ").append(name).append(" counter\n").append(name).append(label).append(' ')
                .append(counters.get(i)).append('\n');
        }
        sb.append("# TYPE electionbench_bad_frames_total counter\n");
        for (final WireError error : WireError.values()) {
            if (error != WireError.NONE && error != WireError.INCOMPLETE) {
                sb.append("electionbench_bad_frames_total{sid=\"").append(sid).append("\",reason=\"")
                    .append(error.metricName()).append("\"} ").append(counters.badFrames(error)).append('\n');
            }
        }
        sb.append("# TYPE electionbench_connections_refused_total counter\n");
        for (final RefuseReason reason : RefuseReason.values()) {
            sb.append("electionbench_connections_refused_total{sid=\"").append(sid).append("\",reason=\"")
                .append(reason.metricName()).append("\"} ").append(counters.refusedCount(reason)).append('\n');
        }
        final NodeStatus status = status();
        sb.append("# TYPE electionbench_elections_total counter\nelectionbench_elections_total").append(label).append(' ')
            .append(status.decisions()).append('\n');
        sb.append("# TYPE electionbench_election_rounds_total counter\nelectionbench_election_rounds_total").append(label)
            .append(' ').append(status.electionRounds()).append('\n');
        sb.append("# TYPE electionbench_last_election_seconds gauge\nelectionbench_last_election_seconds").append(label)
            .append(' ').append(status.lastElectionNs() / 1e9).append('\n');
        sb.append("# TYPE electionbench_state gauge\n");
        for (final String state : new String[] {"LOOKING", "FOLLOWING", "LEADING", "OBSERVING"}) {
            sb.append("electionbench_state{sid=\"").append(sid).append("\",state=\"").append(state).append("\"} ")
                .append(state.equals(status.state()) ? 1 : 0).append('\n');
        }
        return sb.toString();
    }

    /** Drives the election agent with the system clock and publishes its status after each cycle. */
    private static final class NodeAgent implements Agent {
        private final ElectionAgent agent;
        private final StatusPublisher publisher;
        private final NanoClock clock;

        NodeAgent(final ElectionAgent agent, final StatusPublisher publisher, final NanoClock clock) {
            this.agent = agent;
            this.publisher = publisher;
            this.clock = clock;
        }

        @Override
        public int doWork() {
            final int work = agent.doWork(clock.nanoTime());
            publisher.publishIfChanged();
            return work;
        }

        @Override
        public String roleName() {
            return agent.roleName();
        }
    }
}
