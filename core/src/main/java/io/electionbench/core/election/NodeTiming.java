package io.electionbench.core.election;

import java.util.concurrent.TimeUnit;

/**
 * zoo.cfg's timing keys: {@code tickTime} (ms), {@code initLimit} and {@code syncLimit} (in ticks).
 * The defaults are ZooKeeper's sample config: 2000 ms, 10, 5.
 */
public final class NodeTiming {
    public static final NodeTiming DEFAULT = new NodeTiming(2000, 10, 5);

    private final int tickTimeMs;
    private final int initLimit;
    private final int syncLimit;

    public NodeTiming(final int tickTimeMs, final int initLimit, final int syncLimit) {
        if (tickTimeMs <= 0) {
            throw new IllegalArgumentException("tickTime must be positive, got " + tickTimeMs);
        }
        if (initLimit <= 0) {
            throw new IllegalArgumentException("initLimit must be positive, got " + initLimit);
        }
        if (syncLimit <= 0) {
            throw new IllegalArgumentException("syncLimit must be positive, got " + syncLimit);
        }
        this.tickTimeMs = tickTimeMs;
        this.initLimit = initLimit;
        this.syncLimit = syncLimit;
    }

    public int tickTimeMs() {
        return tickTimeMs;
    }

    public int initLimit() {
        return initLimit;
    }

    public int syncLimit() {
        return syncLimit;
    }

    public long tickNs() {
        return TimeUnit.MILLISECONDS.toNanos(tickTimeMs);
    }

    /** How long a leader waits for a quorum of learners, and a learner for its leader. */
    public long initLimitNs() {
        return tickNs() * initLimit;
    }

    /** How long silence from the other side is tolerated once connected. */
    public long syncLimitNs() {
        return tickNs() * syncLimit;
    }

    @Override
    public String toString() {
        return "tickTime=" + tickTimeMs + " initLimit=" + initLimit + " syncLimit=" + syncLimit;
    }
}
