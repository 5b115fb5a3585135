package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A target on the real clock whose servers are watched by background threads: they publish each
 * server's latest {@link NodeView} and queue {@link TrialEvent}s, and the trial thread reads both
 * without locks.
 */
abstract class WatchedTarget implements Target {
    protected final Map<Long, NodeView> views = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<TrialEvent> events = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<SyncEvent> syncs = new ConcurrentLinkedQueue<>();

    /** Records an event from a watcher thread. */
    protected final void emit(final TrialEvent event) {
        events.add(event);
    }

    /** Records a finished sync from a watcher thread. */
    protected final void emitSync(final SyncEvent sync) {
        syncs.add(sync);
    }

    @Override
    public List<SyncEvent> drainSyncs() {
        final List<SyncEvent> out = new ArrayList<>();
        SyncEvent e;
        while ((e = syncs.poll()) != null) {
            out.add(e);
        }
        return out;
    }

    /** True when the servers' current views show one settled leader. */
    protected abstract boolean isStable();

    @Override
    public long nowNs() {
        return System.nanoTime();
    }

    @Override
    public void idle(final long durationNs) {
        final long end = System.nanoTime() + durationNs;
        long left;
        while ((left = end - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public Map<Long, NodeView> snapshot() {
        return new HashMap<>(views);
    }

    @Override
    public List<TrialEvent> drainEvents() {
        final List<TrialEvent> out = new ArrayList<>();
        TrialEvent e;
        while ((e = events.poll()) != null) {
            out.add(e);
        }
        return out;
    }

    @Override
    public boolean awaitStable(final long timeoutNs) {
        final long deadline = System.nanoTime() + timeoutNs;
        while (!isStable()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
