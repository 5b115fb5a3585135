package io.electionbench.core.sim.network;

import java.util.concurrent.ConcurrentLinkedQueue;

import io.electionbench.core.sim.network.SimEvent.Path;

/**
 * One pool per kind of event, owned by one network at a time. A closed network hands its pools to
 * the next ({@link #take()}, {@link #give()}), so back-to-back simulations, as a sweep runs them,
 * allocate events only when one has more of a kind in flight than any before it. A set that made
 * more than {@link #MAX_EVENTS} events is left to the garbage collector, so one huge run cannot pin
 * its events for the rest of the process; so is any set beyond {@link #MAX_SETS}.
 */
final class EventPools {
    static final int MAX_SETS = 32;
    static final int MAX_EVENTS = 1 << 16;
    private static final ConcurrentLinkedQueue<EventPools> RELEASED = new ConcurrentLinkedQueue<>();

    final SimEvent.Pool<SimEvent.Notification> notifications =
        new SimEvent.Pool<>(Path.ELECTION, SimEvent.Notification::new);
    final SimEvent.Pool<SimEvent.LearnerInfo> learnerInfos =
        new SimEvent.Pool<>(Path.QUORUM, SimEvent.LearnerInfo::new);
    final SimEvent.Pool<SimEvent.LearnerReject> learnerRejects =
        new SimEvent.Pool<>(Path.QUORUM, SimEvent.LearnerReject::new);
    final SimEvent.Pool<SimEvent.ZxidMessage> zxidMessages =
        new SimEvent.Pool<>(Path.QUORUM, SimEvent.ZxidMessage::new);
    final SimEvent.Pool<SimEvent.AckEpoch> ackEpochs = new SimEvent.Pool<>(Path.QUORUM, SimEvent.AckEpoch::new);
    final SimEvent.Pool<SimEvent.SyncStart> syncStarts = new SimEvent.Pool<>(Path.QUORUM, SimEvent.SyncStart::new);
    final SimEvent.Pool<SimEvent.Proposal> proposals = new SimEvent.Pool<>(Path.QUORUM, SimEvent.Proposal::new);
    final SimEvent.Pool<SimEvent.SnapshotChunk> snapshotChunks =
        new SimEvent.Pool<>(Path.QUORUM, SimEvent.SnapshotChunk::new);
    final SimEvent.Pool<SimEvent.Connection> connections =
        new SimEvent.Pool<>(Path.CONNECTION, SimEvent.Connection::new);

    private EventPools() {
    }

    /** A released set, or a new one. */
    static EventPools take() {
        final EventPools released = RELEASED.poll();
        return released != null ? released : new EventPools();
    }

    /** Releases this set for the next network; every event it made must be back in its pool. */
    void give() {
        final long made = notifications.made() + learnerInfos.made() + learnerRejects.made() + zxidMessages.made()
            + ackEpochs.made() + syncStarts.made() + proposals.made() + snapshotChunks.made() + connections.made();
        if (made <= MAX_EVENTS && RELEASED.size() < MAX_SETS) {
            RELEASED.offer(this);
        }
    }
}
