package io.electionbench.loadgen.run;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

import io.electionbench.loadgen.write.OpenLoopSchedule;

/**
 * The client sessions of a cell (docs/loadgen.md, "Failover as clients see it"), run by one agent thread:
 * per session a {@link ClientStream} of reads and one of writes, each open loop at half of
 * {@link ClientLoad#ratePerS}, through a {@link ClientTransport}. Between trials the sessions stay open but
 * issue nothing. The trial thread talks to the agent through volatile fields: {@link #begin} starts new
 * schedules, {@link #bothSucceededNs} says how far every session has got, {@link #end} stops the schedules and
 * returns the trial's {@link ClientTrial}. Answers and connection events come from the clients' threads
 * through a queue and wake the agent; otherwise it sleeps until the next operation is due (at most 1 ms).
 */
final class ClientDriver implements AutoCloseable {
    /** After a failure, one attempt at a time, this long after the last failure. */
    static final long PROBE_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long END_WAIT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int INDEX_BITS = 32;
    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final long GENERATION_MASK = 0xFFFF;
    private static final int ANSWER = 1;
    private static final int LINK_LOST = 2;
    private static final int CONNECTION = 3;

    /** One report of a client thread. */
    private record Event(int type, int session, boolean isWrite, long token, int code, long atNs) {
    }

    private final ClientLoad load;
    private final ClientTransport transport;
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    private final SessionLog[] logs;
    private final ClientStream[] reads;
    private final ClientStream[] writes;
    private final AgentRunner runner;
    private volatile Thread agentThread;
    /** Agent thread: the trial's generation, in every token, so a late answer of an earlier trial is ignored. */
    private long generation;
    private boolean isActive;
    private long wallStartMs;

    private volatile boolean isBeginRequested;
    private volatile boolean isEndRequested;
    private volatile long endFaultNs;
    private volatile ClientTrial finished;
    private volatile long bothSucceededNs = Long.MIN_VALUE;

    /**
     * Opens the transport's sessions (blocking until each can serve) and starts the agent thread.
     */
    ClientDriver(final ClientLoad load, final ClientTransport transport) throws Exception {
        this.load = load;
        this.transport = transport;
        final int n = load.sessions();
        this.logs = new SessionLog[n];
        this.reads = new ClientStream[n];
        this.writes = new ClientStream[n];
        for (int i = 0; i < n; i++) {
            logs[i] = new SessionLog(!transport.hasConnectionEvents());
        }
        try {
            transport.open(new QueuedEvents());
        } catch (final Exception | Error ex) {
            transport.close();
            throw ex;
        }
        final ClientAgent agent = new ClientAgent();
        this.runner = new AgentRunner(agent, ex -> System.err.println("electionbench run: clients: " + ex), null,
            agent);
        AgentRunner.startOnThread(runner, r -> {
            final Thread t = new Thread(r, "clients");
            t.setDaemon(true);
            agentThread = t;
            return t;
        });
    }

    int sessions() {
        return logs.length;
    }

    /** Trial thread: every session starts a new schedule of reads and writes now. */
    void begin() {
        finished = null;
        bothSucceededNs = Long.MIN_VALUE;
        isBeginRequested = true;
        wake();
    }

    /**
     * Any thread: an instant by which every session has had a read and a write succeed since the last
     * {@link #begin}, as late as the agent knows; Long.MIN_VALUE until every session has had both.
     */
    long bothSucceededNs() {
        return bothSucceededNs;
    }

    /** Trial thread: stops the schedules and returns what the sessions lived through from {@code faultNs}. */
    ClientTrial end(final long faultNs) {
        endFaultNs = faultNs;
        isEndRequested = true;
        wake();
        final long giveUp = System.nanoTime() + END_WAIT_NS;
        ClientTrial out;
        while ((out = finished) == null) {
            if (System.nanoTime() - giveUp > 0) {
                throw new IllegalStateException("the client agent did not stop within 10 s");
            }
            LockSupport.parkNanos(MAX_IDLE_NS);
        }
        return out;
    }

    @Override
    public void close() {
        runner.close();
        transport.close();
    }

    private void wake() {
        final Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private long token(final long index) {
        return (generation & GENERATION_MASK) << INDEX_BITS | index;
    }

    /** Agent thread: new streams for a trial; sessions start spread over one interval, writes half one later. */
    private void start(final long nowNs) {
        generation++;
        final double perKind = load.perKindRatePerS();
        final long intervalNs = (long)(1e9 / perKind);
        for (int i = 0; i < logs.length; i++) {
            final int session = i;
            logs[i].reset();
            final long startNs = nowNs + intervalNs * i / logs.length;
            final long timeoutNs = transport.answerTimeoutNs();
            reads[i] = new ClientStream(new OpenLoopSchedule(startNs, perKind),
                index -> transport.read(session, token(index)), logs[i].reads, PROBE_BACKOFF_NS, timeoutNs);
            writes[i] = new ClientStream(new OpenLoopSchedule(startNs + intervalNs / 2, perKind),
                index -> transport.write(session, token(index)), logs[i].writes, PROBE_BACKOFF_NS, timeoutNs);
        }
        wallStartMs = System.currentTimeMillis();
        isActive = true;
    }

    private void handle(final Event e) {
        if (e.type() == CONNECTION) {
            if (e.code() == ClientTransport.EXPIRED) {
                transport.renew(e.session());
            }
            if (!isActive) {
                return;
            }
            final SessionLog log = logs[e.session()];
            if (e.code() == ClientTransport.DISCONNECTED) {
                log.onDisconnected(e.atNs());
            } else if (e.code() == ClientTransport.CONNECTED) {
                log.onConnected(e.atNs());
            } else {
                log.onExpired(e.atNs());
                reads[e.session()].abandon(ClientStream.SESSION_EXPIRED, e.atNs());
                writes[e.session()].abandon(ClientStream.SESSION_EXPIRED, e.atNs());
            }
            return;
        }
        if (!isActive) {
            return;
        }
        final ClientStream stream = e.isWrite() ? writes[e.session()] : reads[e.session()];
        if (e.type() == LINK_LOST) {
            stream.abandon(ClientStream.CONNECTION_LOSS, e.atNs());
            transport.onFailed(e.session(), e.isWrite(), ClientStream.CONNECTION_LOSS);
            return;
        }
        if ((e.token() >>> INDEX_BITS) != (generation & GENERATION_MASK)) {
            return; // an answer to an attempt of an earlier trial
        }
        final boolean isTaken = stream.onAnswer(e.token() & INDEX_MASK, e.code(), e.atNs());
        if (isTaken && e.code() != ClientStream.OK && transport.onFailed(e.session(), e.isWrite(), e.code())) {
            stream.abandon(ClientStream.REDIRECT, e.atNs()); // resent on the new connection, not failures
        }
    }

    private ClientTrial finish(final long faultNs) {
        final ClientTrial.Builder b = new ClientTrial.Builder();
        for (final SessionLog log : logs) {
            log.addTo(b, faultNs);
        }
        isActive = false;
        return b.build(wallStartMs, System.currentTimeMillis());
    }

    /** The clients' reports, queued for the agent. */
    private final class QueuedEvents implements ClientTransport.Events {
        @Override
        public void onAnswer(final int session, final boolean isWrite, final long token, final int code,
            final long atNs) {
            events.add(new Event(ANSWER, session, isWrite, token, code, atNs));
            if (code != ClientStream.OK) {
                wake();
            }
        }

        @Override
        public void onLinkLost(final int session, final boolean isWrite, final long atNs) {
            events.add(new Event(LINK_LOST, session, isWrite, 0, ClientStream.CONNECTION_LOSS, atNs));
            wake();
        }

        @Override
        public void onConnection(final int session, final int event, final long atNs) {
            events.add(new Event(CONNECTION, session, false, 0, event, atNs));
            wake();
        }
    }

    /** The duty cycle: reports in, commands, due operations out; sleeps until the next is due. */
    private final class ClientAgent implements Agent, IdleStrategy {
        private long nextNs;

        @Override
        public int doWork() {
            int work = 0;
            Event e;
            while ((e = events.poll()) != null) {
                handle(e);
                work++;
            }
            final long now = System.nanoTime();
            if (isBeginRequested) {
                isBeginRequested = false;
                start(now);
                work++;
            }
            nextNs = now + MAX_IDLE_NS;
            if (isActive) {
                long both = Long.MAX_VALUE;
                for (int i = 0; i < logs.length; i++) {
                    work += step(reads[i], i, false, now) + step(writes[i], i, true, now);
                    both = Math.min(both, logs[i].bothSucceededNs());
                }
                if (!isBeginRequested) {
                    bothSucceededNs = both;
                }
            }
            if (isEndRequested && !isBeginRequested) {
                isEndRequested = false;
                finished = isActive ? finish(endFaultNs) : new ClientTrial.Builder().build(wallStartMs, wallStartMs);
                work++;
            }
            return work;
        }

        private int step(final ClientStream stream, final int session, final boolean isWrite, final long now) {
            int work = stream.doWork(now);
            if (stream.hasTimedOut(now)) {
                stream.abandon(ClientStream.CONNECTION_LOSS, now);
                transport.reset(session, isWrite);
                work++;
            }
            final long next = stream.nextDeadlineNs(now, MAX_IDLE_NS);
            if (next - nextNs < 0) {
                nextNs = next;
            }
            return work;
        }

        @Override
        public String roleName() {
            return "clients";
        }

        @Override
        public void idle(final int workCount) {
            if (workCount > 0) {
                return;
            }
            final long wait = nextNs - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }

        @Override
        public void idle() {
            LockSupport.parkNanos(MAX_IDLE_NS);
        }

        @Override
        public void reset() {
        }
    }
}
