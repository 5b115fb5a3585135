package io.electionbench.loadgen.write;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;

/**
 * A {@link WriteDriver} on the real clock: a {@link LeaderFollowingWriter} run by its own agent thread
 * (Agrona {@link AgentRunner}), whose connections and answers a subclass provides. The trial thread
 * talks to the agent through volatile fields: a schedule to begin, a stop request, and the finished
 * {@link TrialWrites}. The agent sleeps until the next write is due (at most 1 ms; answers that need
 * a retry wake it), so writes leave within the kernel's timer slack of their intended time; any
 * lateness, and any time spent reconnecting, counts in the latencies, which run from the intended
 * time.
 */
abstract class AgentWriteDriver implements WriteDriver {
    static final long MAX_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long END_GRACE_NS = TimeUnit.SECONDS.toNanos(10);

    private final double ratePerS;
    private LeaderFollowingWriter writer;
    private AgentRunner runner;
    private volatile Thread agentThread;
    private volatile boolean isClosed;

    private volatile OpenLoopSchedule beginRequest;
    private volatile long startNs;
    private volatile boolean isStopRequested;
    private volatile long drainDeadlineNs;
    private volatile TrialWrites finished;
    private volatile long progressNs = Long.MIN_VALUE;
    private volatile long committedSoFar;

    AgentWriteDriver(final double ratePerS) {
        this.ratePerS = ratePerS;
    }

    /** Starts the agent thread with the subclass's writer (at the end of its constructor). */
    protected final void start(final LeaderFollowingWriter w, final String threadName) {
        this.writer = w;
        final WriterAgent agent = new WriterAgent();
        this.runner = new AgentRunner(agent, ex -> System.err.println("electionbench run: " + threadName + ": " + ex),
            null, agent);
        AgentRunner.startOnThread(runner, r -> {
            final Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            agentThread = t;
            return t;
        });
    }

    /** Agent thread: the writer, for the subclass to hand answers to. */
    protected final LeaderFollowingWriter writer() {
        return writer;
    }

    /** Agent thread: hands every answer that arrived to {@link #writer()}; returns how many. */
    protected abstract int drainAnswers();

    /** Closes every connection (after the agent stopped). */
    protected abstract void closeConnections();

    protected final boolean isClosed() {
        return isClosed;
    }

    /** Any thread: makes the agent run its duty cycle now. */
    protected final void wake() {
        final Thread t = agentThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public final void begin() {
        final long now = System.nanoTime();
        finished = null;
        startNs = now;
        beginRequest = new OpenLoopSchedule(now, ratePerS);
        wake();
    }

    @Override
    public final long startNs() {
        return startNs;
    }

    @Override
    public final long maxCommittedIntendedNs() {
        return progressNs;
    }

    @Override
    public final long committedSoFar() {
        return committedSoFar;
    }

    @Override
    public final TrialWrites end(final long drainNs) {
        final long now = System.nanoTime();
        drainDeadlineNs = now + drainNs;
        isStopRequested = true;
        wake();
        final long giveUp = now + drainNs + END_GRACE_NS;
        TrialWrites out;
        while ((out = finished) == null) {
            if (System.nanoTime() - giveUp > 0 || isClosed) {
                throw new IllegalStateException("the writer did not stop within "
                    + TimeUnit.NANOSECONDS.toMillis(drainNs + END_GRACE_NS) + " ms");
            }
            LockSupport.parkNanos(MAX_IDLE_NS);
        }
        return out;
    }

    @Override
    public void close() {
        isClosed = true;
        if (runner != null) {
            runner.close();
        }
        closeConnections();
    }

    /** The writer's duty cycle: answers in, commands, due writes out; sleeps until the next write is due. */
    private final class WriterAgent implements Agent, IdleStrategy {
        @Override
        public int doWork() {
            int work = drainAnswers();
            final long now = System.nanoTime();
            final OpenLoopSchedule schedule = beginRequest;
            if (schedule != null) {
                beginRequest = null;
                writer.begin(schedule, System.currentTimeMillis());
                work++;
            }
            work += writer.doWork(now);
            if (isStopRequested && writer.isActive()) {
                writer.stop();
                if (writer.isDrained() || now - drainDeadlineNs > 0) {
                    isStopRequested = false;
                    finished = writer.finish();
                    work++;
                }
            }
            progressNs = writer.maxCommittedIntendedNs();
            committedSoFar = writer.committedSoFar();
            return work;
        }

        @Override
        public String roleName() {
            return "writer";
        }

        @Override
        public void idle(final int workCount) {
            if (workCount > 0) {
                return;
            }
            final long now = System.nanoTime();
            final long until = writer.nextDeadlineNs(now, MAX_IDLE_NS);
            if (until - now > 0) {
                LockSupport.parkNanos(until - now);
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
