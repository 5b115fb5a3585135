package io.electionbench.transport.net;

import java.util.concurrent.atomic.AtomicIntegerArray;

import io.electionbench.core.quorum.Ensemble;

/**
 * Injected link faults, set by the admin endpoint and read by the event loop per frame: an isolated
 * peer's frames are dropped both ways (connections stay up, as in a silent partition, so detection
 * takes syncLimit ticks as it would in ZooKeeper); a slow peer's frames are delayed both ways.
 * Members are addressed by ensemble index; writes are volatile.
 */
public final class FaultFilter {
    private final Ensemble ensemble;
    private final AtomicIntegerArray delayMs;
    private volatile long isolatedMask;

    public FaultFilter(final Ensemble ensemble) {
        this.ensemble = ensemble;
        this.delayMs = new AtomicIntegerArray(ensemble.size());
    }

    /** Drops every frame to and from these sids, in addition to those already isolated. */
    public void isolate(final long... sids) {
        isolatedMask |= ensemble.maskOf(sids);
    }

    /** Delays frames to and from {@code sid} by {@code ms} (0 removes the delay). */
    public void slow(final long sid, final int ms) {
        delayMs.set(ensemble.maskOf(sid) == 0 ? 0 : ensemble.indexOf(sid), Math.max(0, ms));
    }

    /** Removes every fault. */
    public void heal() {
        isolatedMask = 0;
        for (int i = 0; i < delayMs.length(); i++) {
            delayMs.set(i, 0);
        }
    }

    public boolean isIsolated(final int index) {
        return (isolatedMask & (1L << index)) != 0;
    }

    public int delayMs(final int index) {
        return delayMs.get(index);
    }

    /** The sids currently isolated. */
    public long[] isolatedSids() {
        return ensemble.sidsOf(isolatedMask);
    }
}
