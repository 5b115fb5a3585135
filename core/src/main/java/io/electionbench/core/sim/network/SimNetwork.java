package io.electionbench.core.sim.network;

import java.util.SplittableRandom;

import org.agrona.concurrent.ringbuffer.RingBuffer;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.network.SimEvent.Connection;
import io.electionbench.core.sim.network.SimEvent.Notification;
import io.electionbench.core.sim.network.SimEvent.Path;

/**
 * The simulated network between the servers of one ensemble: every server's {@link PeerPublisher},
 * the links as their senders see them ({@link SimLinks}), the partitions, and the queue of deliveries
 * on virtual time. A message's delay, loss and duplication come from the {@link NetworkModel} and one
 * seeded generator; quorum messages and connection events keep the pair's order; a partition cuts
 * links silently, and a quorum message lost in a cut resets the connection when the cut heals, as TCP
 * would. A scenario may also drop, delay or duplicate the next messages of a kind on a link
 * ({@link #faultMessages}). docs/architecture.md, "The simulator's link model", describes the
 * contract kept.
 *
 * <p>The network never runs an agent itself: it puts what arrives on the receiver's ring and tells
 * its {@link Endpoints}, which run the duty cycle. Simulator thread only.
 */
public final class SimNetwork {
    /** How long a dial across a cut takes to fail: the transport's connect timeout ({@code cnxTimeout}). */
    public static final long CONNECT_TIMEOUT_NS = 5_000_000_000L;

    private final Ensemble ensemble;
    private final int size;
    private final Endpoints endpoints;
    private final SplittableRandom random;
    private final SimLinks links;
    private final EventQueue queue = new EventQueue();
    private final SimPublisher[] publishers;
    private final boolean[][] blocked;
    /** A quorum message between the pair was dropped by a partition: the connection resets when it heals. */
    private final boolean[][] brokenConnection;
    private final long[][] lastDeliveryNs;
    private final long[][] lastQuorumDeliveryNs;
    /** Message faults a scenario set and has not used up; empty in a randomized run. */
    private final MessageFaults messageFaults = new MessageFaults();
    /** The events' pools, taken from the last closed network if there is one. */
    final EventPools pools = EventPools.take();
    private NetworkModel model;
    /** Connects and resets on their way: until they land, the servers' states are about to change. */
    private int connectionEventsPending;
    private long messagesDelivered;
    private long notificationsSent;

    public SimNetwork(final Ensemble ensemble, final NetworkModel model, final long seed, final Endpoints endpoints) {
        this.ensemble = ensemble;
        this.size = ensemble.size();
        this.model = model;
        this.endpoints = endpoints;
        this.random = new SplittableRandom(seed);
        this.links = new SimLinks(size);
        this.blocked = new boolean[size][size];
        this.brokenConnection = new boolean[size][size];
        this.lastDeliveryNs = new long[size][size];
        this.lastQuorumDeliveryNs = new long[size][size];
        this.publishers = new SimPublisher[size];
        for (int i = 0; i < size; i++) {
            publishers[i] = new SimPublisher(this, ensemble, i);
        }
    }

    /** Server {@code i}'s publisher, for every incarnation of it. */
    public PeerPublisher publisher(final int i) {
        return publishers[i];
    }

    public NetworkModel model() {
        return model;
    }

    /** Applies to every message sent from now on. */
    public void model(final NetworkModel next) {
        this.model = next;
    }

    // ------------------------------------------------------------------------------------------------
    // What the cluster tells the network

    /** Server {@code i} is about to start afresh (a new process): it holds no connection and nothing queued. */
    public void restarting(final int i) {
        links.restarted(i);
        publishers[i].restarted();
    }

    /** Server {@code i} started: it connects to every live server it can reach, and they to it. */
    public void connect(final int i) {
        for (int j = 0; j < size; j++) {
            if (j != i && endpoints.inbound(j) != null && !blocked[i][j]) {
                scheduleConnection(Connection.Change.UP, i, j);
                scheduleConnection(Connection.Change.UP, j, i);
            }
        }
    }

    /** Server {@code i} crashed: live peers see its connections reset, or, across a cut, when the cut heals. */
    public void crashed(final int i) {
        for (int j = 0; j < size; j++) {
            if (j != i && endpoints.inbound(j) != null) {
                if (blocked[i][j]) {
                    // The reset cannot cross the cut: j still holds a connection to a process that is
                    // gone, and must see it drop when the cut heals, before anything from a new
                    // incarnation (else it goes on following the old one's sid).
                    brokenConnection[i][j] = true;
                } else {
                    scheduleConnection(Connection.Change.DOWN, i, j);
                }
            }
        }
    }

    /** Cuts every link between servers of different groups ({@code groupOf[i]} is i's), silently. */
    public void partition(final int[] groupOf) {
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                final boolean wasBlocked = blocked[i][j] || blocked[j][i];
                blocked[i][j] = groupOf[i] != groupOf[j];
                blocked[j][i] = blocked[i][j];
                if (wasBlocked && !blocked[i][j]) {
                    reconnect(i, j);
                }
            }
        }
    }

    /**
     * Cuts the links from each of {@code senders} to {@code receiver} one way, silently: what they send
     * it is lost, what it sends them still arrives. Healed by {@link #heal()}.
     */
    public void cutOneWay(final int receiver, final int[] senders) {
        for (final int sender : senders) {
            if (sender != receiver) {
                blocked[sender][receiver] = true;
            }
        }
    }

    /** Restores every link; live servers on both sides reconnect. */
    public void heal() {
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                if (blocked[i][j] || blocked[j][i]) {
                    blocked[i][j] = false;
                    blocked[j][i] = false;
                    reconnect(i, j);
                }
            }
        }
    }

    /**
     * The link between i and j works again. If a quorum message was lost on it in the cut, TCP would
     * have reset that connection: both ends see it drop first, then come back.
     */
    private void reconnect(final int i, final int j) {
        if (endpoints.inbound(i) != null && endpoints.inbound(j) != null) {
            if (brokenConnection[i][j] || brokenConnection[j][i]) {
                scheduleConnection(Connection.Change.DOWN, i, j);
                scheduleConnection(Connection.Change.DOWN, j, i);
            }
            scheduleConnection(Connection.Change.UP, i, j);
            scheduleConnection(Connection.Change.UP, j, i);
        }
        brokenConnection[i][j] = false;
        brokenConnection[j][i] = false;
        links.healed(i, j);
    }

    /** True when a partition (or a one-way cut) drops what member {@code i} sends member {@code j}. */
    public boolean isBlocked(final int i, final int j) {
        return blocked[i][j];
    }

    public boolean isPartitioned() {
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                if (blocked[i][j]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Connection events on their way: until they land, the servers' states are about to change. */
    public int connectionEventsPending() {
        return connectionEventsPending;
    }

    /** True if a link refused {@code i} a send or answered it not writable since the last call. */
    public boolean takeBackpressure(final int i) {
        return links.takeBackpressure(i);
    }

    /** How often the links refused a send of this kind (or answered not writable) since the network began. */
    public long sendFailures(final SendFailure kind) {
        return links.failures(kind);
    }

    /** Deliveries that reached a live server's ring, connection events included. */
    public long messagesDelivered() {
        return messagesDelivered;
    }

    /** Election notifications the links took (crashes do not reset it). */
    public long notificationsSent() {
        return notificationsSent;
    }

    /**
     * Drops everything on its way and hands the events' pools on to the next network. Optional: an
     * unclosed network's events are freed by the garbage collector. The network must not be used
     * afterwards.
     */
    public void close() {
        queue.clear();
        connectionEventsPending = 0;
        pools.give();
    }

    // ------------------------------------------------------------------------------------------------
    // Deliveries

    public boolean hasDelivery() {
        return queue.size() > 0;
    }

    /** When the next delivery is due; only while {@link #hasDelivery()}. */
    public long nextDeliveryNs() {
        return queue.peek().timeNs;
    }

    /**
     * Delivers the next event, at {@link #nextDeliveryNs()} (the caller has advanced its clock to it):
     * to the receiver's ring if it is up, in the incarnation it was sent to, and not cut off; the
     * receiver then runs a duty cycle.
     */
    public void deliverNext() {
        final SimEvent e = queue.poll();
        if (e.path == Path.CONNECTION) {
            connectionEventsPending--;
        }
        links.arrived(e);
        final RingBuffer ring = endpoints.inbound(e.to);
        if (ring != null && blocked[e.from][e.to]
            && (e.path == Path.QUORUM || e instanceof Connection c && c.isDrop())) {
            // A quorum message lost in a cut breaks the connection; so does a reset cut off on its way
            // (a heal followed at once by another partition): the next reconnect must reset it again,
            // or this end would go on as if nothing it was sent had been lost.
            brokenConnection[e.from][e.to] = true;
            if (e.path == Path.QUORUM) {
                links.stuck(e.from, e.to);
            }
        }
        if (ring != null && endpoints.incarnation(e.to) == e.toIncarnation
            && (!blocked[e.from][e.to] || e instanceof Connection c && c.change == Connection.Change.UNREACHABLE)) {
            final long fromSid = ensemble.sid(e.from);
            // The two commonest kinds are offered by calls the compiler can bind; the rest dispatch.
            if (e instanceof Notification n) {
                if (n.state == ServerState.LOOKING.code()) {
                    endpoints.onLookingVote(e.to, e.from, n.electionEpoch, n.leader, n.zxid, n.peerEpoch,
                        n.senderEpoch, n.senderZxid);
                }
                n.offerTo(ring, fromSid);
            } else if (e instanceof Connection c) {
                connectionChanged(c);
                c.offerTo(ring, fromSid);
            } else {
                e.offerTo(ring, fromSid);
            }
            messagesDelivered++;
            endpoints.onDelivered(e.to);
        }
        e.release();
    }

    /** The receiver's view of its connection to the sender changes as the transport's would. */
    private void connectionChanged(final Connection c) {
        switch (c.change) {
            case UP:
            case QUORUM_REDIAL:
                links.opened(c.to, c.from);
                break;
            case DOWN:
                // A pair's link stands for both of its connections, which a crash or a reset drops
                // together, as the transport reports them.
                links.closed(c.to, c.from);
                break;
            case QUORUM_RESET:
                links.closed(c.to, c.from);
                scheduleConnection(Connection.Change.QUORUM_REDIAL, c.from, c.to);
                scheduleConnection(Connection.Change.QUORUM_REDIAL, c.to, c.from);
                break;
            case UNREACHABLE:
                break;
            default:
                throw new IllegalStateException("connection change " + c.change);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // What the publishers use

    /**
     * A message or connection event from {@code from} to {@code to} with its delivery time, or null
     * when it can never arrive: the receiver is down, or a cut drops it (a quorum message then breaks
     * the connection and waits in the link).
     */
    <E extends SimEvent> E newEvent(final SimEvent.Pool<E> pool, final int from, final int to) {
        if (endpoints.inbound(to) == null) {
            return null;
        }
        if (blocked[from][to]) {
            if (pool.path == Path.QUORUM) {
                brokenConnection[from][to] = true;
                links.stuck(from, to);
            }
            return null;
        }
        final long span = model.maxLatencyNs() - model.minLatencyNs();
        long at = endpoints.nowNs() + model.minLatencyNs() + (span == 0 ? 0 : random.nextLong(span + 1));
        if (pool.path != Path.ELECTION) {
            // Connection events share the quorum messages' order: a reset is seen before what follows it.
            at = Math.max(at, lastQuorumDeliveryNs[from][to]);
            lastQuorumDeliveryNs[from][to] = at;
        } else if (model.isFifo()) {
            at = Math.max(at, lastDeliveryNs[from][to]);
            lastDeliveryNs[from][to] = at;
        }
        final E e = pool.acquire();
        e.timeNs = at;
        e.from = from;
        e.to = to;
        e.toIncarnation = endpoints.incarnation(to);
        e.link = SimLinks.NOT_COUNTED;
        return e;
    }

    /**
     * A quorum message rides the pair's connection: in order, never lost or duplicated while it is up,
     * unless a scenario's message fault ({@link #faultMessages}) names it.
     */
    void sendQuorum(final SimEvent e) {
        final MessageAction fault = messageFaults.isEmpty() ? null : messageFaults.take(e.from, e.to, e.kind());
        if (fault == MessageAction.DROP) {
            e.release();
            return;
        }
        if (fault == MessageAction.DELAY) {
            e.timeNs += messageFaults.takenDelayNs();
            lastQuorumDeliveryNs[e.from][e.to] = Math.max(lastQuorumDeliveryNs[e.from][e.to], e.timeNs);
        }
        links.sent(e, SimLinks.QUORUM);
        queue.add(e);
        if (fault == MessageAction.DUPLICATE) {
            final SimEvent copy = e.copy();
            links.sent(copy, SimLinks.QUORUM);
            queue.add(copy);
        }
    }

    /**
     * A notification follows the network model, which may lose, duplicate and reorder it, as separate
     * connections and resends would.
     */
    void sendNotification(final Notification n) {
        if (!messageFaults.isEmpty() && faultNotification(n)) {
            return;
        }
        if (model.lossRate() > 0 && random.nextDouble() < model.lossRate()) {
            n.release();
            return;
        }
        links.sent(n, SimLinks.ELECTION);
        queue.add(n);
        if (model.duplicateRate() > 0 && random.nextDouble() < model.duplicateRate()) {
            final Notification copy = newEvent(pools.notifications, n.from, n.to);
            copy.copyFrom(n);
            links.sent(copy, SimLinks.ELECTION);
            queue.add(copy);
        }
    }

    /**
     * Applies a scenario's message fault to a notification before the network model sees it: a
     * delayed one then meets the model's loss and duplication as any other; a duplicated one is
     * queued twice, past them.
     *
     * @return true when the fault used the notification up (dropped, or queued with its duplicate)
     */
    private boolean faultNotification(final Notification n) {
        final MessageAction fault = messageFaults.take(n.from, n.to, MessageKind.NOTIFICATION);
        if (fault == MessageAction.DROP) {
            n.release();
            return true;
        }
        if (fault == MessageAction.DELAY) {
            n.timeNs += messageFaults.takenDelayNs();
            if (model.isFifo()) {
                lastDeliveryNs[n.from][n.to] = Math.max(lastDeliveryNs[n.from][n.to], n.timeNs);
            }
        } else if (fault == MessageAction.DUPLICATE) {
            final SimEvent copy = n.copy();
            links.sent(n, SimLinks.ELECTION);
            queue.add(n);
            links.sent(copy, SimLinks.ELECTION);
            queue.add(copy);
            return true;
        }
        return false;
    }

    /**
     * A message fault: {@code action} for the next {@code count} messages of {@code kind} that
     * {@code from} sends to {@code to} (member indexes) and the network takes (a message to a server
     * that is down, or across a cut, never counts). A delay shifts the message by {@code delayNs};
     * on an ordered link (quorum messages always, notifications when the model is FIFO) the messages
     * after it wait behind it, as TCP's would. A dropped quorum message leaves the connection up, as
     * if the sender had never sent it (a cut instead breaks the connection). Rules apply in the order
     * they were set; each message meets at most one. Deterministic: no rule draws from the generator.
     */
    public void faultMessages(final MessageAction action, final int from, final int to, final MessageKind kind,
        final long count, final long delayNs) {
        if (from < 0 || from >= size || to < 0 || to >= size || from == to) {
            throw new IllegalArgumentException("a message fault needs two different members, got " + from + "->" + to);
        }
        if (count <= 0 || delayNs < 0 || action == MessageAction.DELAY && delayNs == 0) {
            throw new IllegalArgumentException("a message fault needs a positive count (and a delay a positive delay)");
        }
        messageFaults.add(action, from, to, kind, count, delayNs);
    }

    /** Message fault rules not used up yet. */
    public int messageFaultsPending() {
        return messageFaults.size();
    }

    Endpoints endpoints() {
        return endpoints;
    }

    void countNotificationSent() {
        notificationsSent++;
    }

    /** True if a notification from {@code from} fits on its election link to {@code to}; counts a refusal. */
    boolean acceptsNotification(final int from, final int to) {
        return links.acceptsNotification(from, to, model);
    }

    /** True if {@code from}'s quorum link to {@code to} takes a message of {@code kind}; counts a refusal. */
    boolean acceptsQuorum(final int from, final int to, final SendFailure kind, final boolean needsOpen) {
        return links.acceptsQuorum(from, to, kind, needsOpen, model);
    }

    /** True while {@code from} holds a connection to {@code to}. */
    boolean isOpen(final int from, final int to) {
        return links.isOpen(from, to);
    }

    boolean isWritable(final int from, final int to) {
        return links.isWritable(from, to, model);
    }

    /**
     * {@code from} closes its end of the quorum connection to {@code to} at once, dropping what waits in
     * the link; {@code to} sees the reset after what is already on its way, or, across a cut, when the
     * cut heals. Both ends dial again.
     */
    void resetQuorumLink(final int from, final int to) {
        links.closed(from, to);
        if (blocked[from][to]) {
            brokenConnection[from][to] = true;
        } else {
            scheduleConnection(Connection.Change.QUORUM_RESET, from, to);
        }
    }

    /**
     * {@code from} dials {@code to} now ({@code PeerPublisher.connect}). A connection it holds is left
     * alone (a silent cut does not close it, as TCP does not notice); a live peer it can reach takes
     * the dial, and the connection comes up with the UP or redial already on its way. A dial across a
     * cut times out after {@link #CONNECT_TIMEOUT_NS}, one to a peer that is down is refused after a
     * round trip: either is one PEER_UNREACHABLE to {@code from}, in the incarnation that dialled.
     */
    void dial(final int from, final int to) {
        final boolean isDown = endpoints.inbound(to) == null;
        if (links.isOpen(from, to) || !isDown && !blocked[from][to]) {
            return;
        }
        final Connection c = pools.connections.acquire();
        // A cut drops the SYN, whether or not a process is there to answer it.
        c.timeNs = endpoints.nowNs()
            + (blocked[from][to] ? CONNECT_TIMEOUT_NS : model.minLatencyNs() + model.maxLatencyNs());
        c.from = to;
        c.to = from;
        c.toIncarnation = endpoints.incarnation(from);
        c.link = SimLinks.NOT_COUNTED;
        c.change = Connection.Change.UNREACHABLE;
        connectionEventsPending++;
        queue.add(c);
    }

    private void scheduleConnection(final Connection.Change change, final int from, final int to) {
        final Connection c = newEvent(pools.connections, from, to);
        if (c != null) {
            c.change = change;
            connectionEventsPending++;
            queue.add(c);
        }
    }
}
