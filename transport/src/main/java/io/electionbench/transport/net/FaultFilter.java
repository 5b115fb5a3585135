package io.electionbench.transport.net;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import io.electionbench.core.quorum.Ensemble;

/**
 * Injected link faults, set by the admin endpoint and applied per frame by each peer connection's
 * {@link FaultHandler}: an isolated peer's frames are dropped both ways (connections stay up, as in a
 * silent partition, so detection takes syncLimit ticks as it would in ZooKeeper); a peer this node is
 * deaf to has its frames dropped on arrival while this node's own still reach it (a one-way cut, made
 * per message: the kernels' TCP still acknowledges, so the sender's stream never stalls as it does
 * behind a firewall rule); a slow peer's frames are delayed both ways. Members are addressed by
 * ensemble index; writes are volatile.
 *
 * <p>Faults are off until {@link PeerTransport#enableFaults()} switches them on, which puts the
 * handlers into the pipelines; until then {@link #isolate} and {@link #slow} refuse, since nothing
 * would apply them.
 *
 * <p>A quorum connection that dropped a frame has a hole in its stream, which TCP never leaves: it
 * would have retransmitted. {@link #heal()} therefore names the peers whose quorum frames were dropped,
 * and {@link PeerTransport#healFaults()} closes those connections, so both ends see a reset and start
 * over (a learner re-syncs) instead of going on as if nothing was lost. The load generator's fault
 * proxy and the simulator's partitions do the same.
 */
public final class FaultFilter {
    private final Ensemble ensemble;
    private final AtomicBoolean isEnabled = new AtomicBoolean();
    private final AtomicIntegerArray delayMs;
    private volatile long isolatedMask;
    private volatile long deafMask;
    /** Peers (ensemble index bits) a quorum frame to or from was dropped for since the last heal. */
    private final AtomicLong droppedQuorumMask = new AtomicLong();

    public FaultFilter(final Ensemble ensemble) {
        this.ensemble = ensemble;
        this.delayMs = new AtomicIntegerArray(ensemble.size());
    }

    /** Switches faults on, once; true for the call that did. */
    boolean enable() {
        return isEnabled.compareAndSet(false, true);
    }

    /** True once {@link PeerTransport#enableFaults()} has put the fault handlers in place. */
    public boolean isEnabled() {
        return isEnabled.get();
    }

    /**
     * Drops every frame to and from these sids, in addition to those already isolated.
     *
     * @throws IllegalStateException if faults are not enabled
     */
    public void isolate(final long... sids) {
        checkEnabled();
        isolatedMask |= ensemble.maskOf(sids);
    }

    /**
     * Drops every frame from these sids on arrival, in addition to those already dropped; frames to them
     * still go out.
     *
     * @throws IllegalStateException if faults are not enabled
     */
    public void deafen(final long... sids) {
        checkEnabled();
        deafMask |= ensemble.maskOf(sids);
    }

    /**
     * Delays frames to and from {@code sid} by {@code ms} (0 removes the delay).
     *
     * @throws IllegalStateException if faults are not enabled
     */
    public void slow(final long sid, final int ms) {
        checkEnabled();
        delayMs.set(ensemble.maskOf(sid) == 0 ? 0 : ensemble.indexOf(sid), Math.max(0, ms));
    }

    private void checkEnabled() {
        if (!isEnabled.get()) {
            throw new IllegalStateException("faults are not enabled: PeerTransport.enableFaults() puts their handlers"
                + " in place first");
        }
    }

    /**
     * Removes every fault.
     *
     * @return the peers (ensemble index bits) whose quorum connections dropped a frame since the last
     *         heal: their streams have a hole
     */
    public long heal() {
        isolatedMask = 0;
        deafMask = 0;
        for (int i = 0; i < delayMs.length(); i++) {
            delayMs.set(i, 0);
        }
        return droppedQuorumMask.getAndSet(0);
    }

    /** A quorum frame to or from the peer at {@code index} was dropped (any thread; no write once marked). */
    void quorumFrameDropped(final int index) {
        final long bit = 1L << index;
        long mask;
        while (((mask = droppedQuorumMask.get()) & bit) == 0) {
            if (droppedQuorumMask.compareAndSet(mask, mask | bit)) {
                return;
            }
        }
    }

    public boolean isIsolated(final int index) {
        return (isolatedMask & (1L << index)) != 0;
    }

    /** True when frames from the peer at {@code index} are dropped on arrival (isolated, or deafened to). */
    public boolean isDroppedInbound(final int index) {
        return ((isolatedMask | deafMask) & (1L << index)) != 0;
    }

    public int delayMs(final int index) {
        return delayMs.get(index);
    }

    /** The sids currently isolated. */
    public long[] isolatedSids() {
        return ensemble.sidsOf(isolatedMask);
    }

    /** The sids this node is deaf to (not counting the isolated ones). */
    public long[] deafSids() {
        return ensemble.sidsOf(deafMask & ~isolatedMask);
    }
}
