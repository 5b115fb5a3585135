package io.electionbench.core.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionAgent;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.PeerPublisher;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;

/**
 * Runs a whole ensemble of {@link ElectionAgent}s in one thread on virtual time. Every message goes
 * through the same inbound ring buffer the transport uses; the network delays, loses, duplicates and
 * reorders messages as its {@link NetworkModel} says, and partitions cut links silently. A crash
 * discards the agent (memory) but keeps its {@link SimStorage} (disk); peers connected to a crashed
 * process see its connections reset, as TCP does when the host stays up. All randomness comes from
 * one seeded generator and simultaneous events run in scheduling order, so the same seed gives the
 * same run, event for event ({@link #traceHash()}).
 *
 * <p>Invariants are checked as the run goes and collected in {@link #violations()}:
 * <ul>
 *   <li>{@code two-leaders}: never two LEADING nodes each followed, by the followers' own state, by
 *       a quorum of voters at once, checked at every state change. A follower follows one leader, so
 *       this fails only if quorums stop intersecting; the teeth are in the recovery checks below
 *       (one leader per epoch, an established epoch held by a quorum, no acknowledged write lost);</li>
 *   <li>{@code leader-completeness}: a leader elected in its own round has a vote (peer epoch, zxid,
 *       sid) at least the own data (current epoch, last logged zxid, sid) each member had when it sent
 *       the LOOKING vote for that leader, in that round, that the leader holds from it. A LOOKING
 *       server's data does not change and its votes never fall below it, so what the member did
 *       afterwards does not matter. FLE also counts a FOLLOWING or LEADING vote equal to the proposal
 *       and promises nothing about its sender's data (the recovery phase guards that case); those
 *       members are skipped and counted ({@link #completenessSkipped()});</li>
 *   <li>{@code ineligible-leader}: an observer or a zero-weight voter never leads;</li>
 *   <li>{@code quorum-members}: only voters are counted in an electing quorum.</li>
 * </ul>
 * Liveness (a connected quorum elects within a bound) is checked by whoever drives the run, with
 * {@link #runUntilStable(long)}.
 */
public final class Simulator implements AutoCloseable {
    /** Each delivery is drained by the duty cycle that follows it, so a ring never holds more than a few messages. */
    private static final int INBOUND_CAPACITY = 4 * 1024;
    /** Snapshot chunks small enough for the simulator's rings (an eighth of the capacity, less the header). */
    private static final int SNAPSHOT_CHUNK_BYTES = 256;
    private static final int RING_BYTES = INBOUND_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    /** Released slabs, reused by the next simulators; bounded so a burst of simulators cannot pin memory. */
    private static final java.util.concurrent.ConcurrentLinkedQueue<UnsafeBuffer> SLABS = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private static final int MAX_POOLED_SLABS = 32;
    private static final int LINK_UP = 100;
    private static final int LINK_DOWN = 101;
    /** One end reset the quorum connection ({@link PeerPublisher#resetQuorumLink}): the other sees it drop. */
    private static final int QUORUM_RESET = 102;
    /** The quorum connection is dialled again after a reset; the agent is not told (the transport tells it nothing). */
    private static final int QUORUM_REDIAL = 103;
    /** An agent held up by a full link is polled again after this much virtual time, doubling to the most. */
    private static final long MIN_PARK_NS = 10_000;
    private static final long MAX_PARK_NS = 1_000_000;

    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final NodeTiming timing;
    private final int size;
    private final SimStorage[] storage;
    private final ElectionAgent[] agents;
    private final int[] incarnation;
    private final SimPublisher[] publishers;
    private final RingBuffer[] rings;
    private final UnsafeBuffer slab;
    private final boolean[][] blocked;
    /**
     * For the completeness check, per (receiver, sender): the last LOOKING notification delivered,
     * its round and vote, and the sender's own (epoch, zxid) when it sent it. A LOOKING server's own
     * data does not change, and every vote it casts is at least its own, so a leader elected with
     * such a vote must be at least the sender's data then, whatever the sender did afterwards.
     */
    private final long[][] voteRound;
    private final long[][] voteLeader;
    private final long[][] voteZxid;
    private final long[][] votePeerEpoch;
    private final long[][] voteOwnEpoch;
    private final long[][] voteOwnZxid;
    private final long[][] lastDeliveryNs;
    private final long[][] lastQuorumDeliveryNs;
    /** A quorum message between the pair was dropped by a partition: the connection resets when it heals. */
    private final boolean[][] brokenConnection;
    private final SplittableRandom random;
    private final SimLinks links;
    /**
     * Per server: while a full link holds it up (its timer due at once, nothing to be done), the
     * time it parked and until when, as an idle strategy backs off; and the current park.
     */
    private final long[] parkedAtNs;
    private final long[] parkedUntilNs;
    private final long[] parkNs;
    private final EventQueue queue = new EventQueue();
    private final Checker checker = new Checker();
    private final Writes writes = new Writes();
    private final List<Violation> violations = new ArrayList<>();
    public static final int MAX_VIOLATIONS_KEPT = 20;
    private long violationsDropped;
    private long completenessChecked;
    private long completenessSkipped;
    private NetworkModel network;
    private ElectionObserver listener = ElectionObserver.NONE;
    private long nowNs;
    private long messagesDelivered;
    private long notificationsSent;
    private long traceHash = 0xcbf29ce484222325L;
    private StringBuilder trace;

    public Simulator(final Ensemble ensemble, final ElectionPolicy policy, final NodeTiming timing,
        final NetworkModel network, final long seed) {
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.policy = policy;
        this.timing = timing;
        this.network = network;
        this.size = ensemble.size();
        this.storage = new SimStorage[size];
        this.agents = new ElectionAgent[size];
        this.incarnation = new int[size];
        this.publishers = new SimPublisher[size];
        this.rings = new RingBuffer[size];
        this.blocked = new boolean[size][size];
        this.lastDeliveryNs = new long[size][size];
        this.lastQuorumDeliveryNs = new long[size][size];
        this.brokenConnection = new boolean[size][size];
        this.voteRound = new long[size][size];
        this.voteLeader = new long[size][size];
        this.voteZxid = new long[size][size];
        this.votePeerEpoch = new long[size][size];
        this.voteOwnEpoch = new long[size][size];
        this.voteOwnZxid = new long[size][size];
        this.random = new SplittableRandom(seed);
        this.links = new SimLinks(size);
        this.parkedAtNs = new long[size];
        this.parkedUntilNs = new long[size];
        this.parkNs = new long[size];
        Arrays.fill(parkedAtNs, Long.MIN_VALUE);
        this.slab = slab(size * RING_BYTES);
        for (int i = 0; i < size; i++) {
            storage[i] = new SimStorage();
            publishers[i] = new SimPublisher(i);
            // One ring per server for the whole run, all in one direct slab: every delivery is followed
            // by a duty cycle that drains it, so a crash never leaves messages for the next incarnation.
            rings[i] = new ManyToOneRingBuffer(new UnsafeBuffer(slab, i * RING_BYTES, RING_BYTES));
        }
    }

    /** A direct slab of at least {@code bytes}, its first {@code bytes} zeroed, from the pool when one fits. */
    private static UnsafeBuffer slab(final int bytes) {
        final UnsafeBuffer pooled = SLABS.poll();
        if (pooled != null && pooled.capacity() >= bytes) {
            pooled.setMemory(0, bytes, (byte)0);
            return pooled;
        }
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(bytes, 9 * RING_BYTES), 64));
    }

    /**
     * Returns the rings' memory to a pool for the next simulator. Optional: an unclosed simulator's
     * memory is freed by the garbage collector. The simulator must not be used afterwards.
     */
    @Override
    public void close() {
        queue.clear();
        linkEventsPending = 0;
        for (int i = 0; i < size; i++) {
            agents[i] = null;
        }
        if (SLABS.size() < MAX_POOLED_SLABS) {
            SLABS.offer(slab);
        }
    }

    /** Also tells {@code observer} about every server's state changes, decisions and serving (virtual time). */
    public Simulator listener(final ElectionObserver observer) {
        this.listener = observer;
        return this;
    }

    /** Keeps a human-readable trace of state changes (off by default: it costs allocation). */
    public Simulator recordTrace() {
        trace = new StringBuilder();
        return this;
    }

    public String trace() {
        return trace == null ? "" : trace.toString();
    }

    /** A digest of every state change and decision with its time: equal for equal runs. */
    public long traceHash() {
        return traceHash;
    }

    public Ensemble ensemble() {
        return ensemble;
    }

    public ElectionPolicy policy() {
        return policy;
    }

    public long nowNs() {
        return nowNs;
    }

    public long messagesDelivered() {
        return messagesDelivered;
    }

    /**
     * How often the links refused a send of this kind (or answered not writable) since the simulation
     * began: how often the agents' failure path for it ran.
     */
    public long sendFailures(final SendFailure kind) {
        return links.failures(kind);
    }

    /** Election notifications sent by every server since the simulation began (crashes do not reset it). */
    public long notificationsSent() {
        return notificationsSent;
    }

    /** The first {@value #MAX_VIOLATIONS_KEPT} distinct violations of the run; see {@link #violationsDropped()}. */
    public List<Violation> violations() {
        return java.util.Collections.unmodifiableList(violations);
    }

    /**
     * Records a violation unless the same invariant already failed with the same detail (a broken
     * state is seen again at every later check) or {@value #MAX_VIOLATIONS_KEPT} are already kept;
     * those are only counted, so a badly broken run reports its first failures, not a flood.
     */
    public void addViolation(final Violation v) {
        if (violations.size() >= MAX_VIOLATIONS_KEPT) {
            violationsDropped++;
            return;
        }
        for (final Violation kept : violations) {
            if (kept.invariant().equals(v.invariant()) && kept.detail().equals(v.detail())) {
                violationsDropped++;
                return;
            }
        }
        violations.add(v);
    }

    /** Violations found but not kept: repeats of a kept one, or any past the first {@value #MAX_VIOLATIONS_KEPT}. */
    public long violationsDropped() {
        return violationsDropped;
    }

    /**
     * Members of electing quorums whose LOOKING vote the completeness check compared with the
     * leader's, and those it could not (their counted vote was a FOLLOWING or LEADING one).
     */
    public long completenessChecked() {
        return completenessChecked;
    }

    public long completenessSkipped() {
        return completenessSkipped;
    }

    public void network(final NetworkModel model) {
        this.network = model;
    }

    public NetworkModel network() {
        return network;
    }

    public SimStorage storage(final long sid) {
        return storage[index(sid)];
    }

    /** The live agent of {@code sid}, or null when it is down. */
    public ElectionAgent agent(final long sid) {
        return agents[index(sid)];
    }

    public boolean isUp(final long sid) {
        return agents[index(sid)] != null;
    }

    // ------------------------------------------------------------------------------------------------
    // Faults and commands

    /** Starts (or restarts) a server from its persisted state; it begins LOOKING. Starting a live server is an error. */
    public void start(final long sid) {
        final int i = index(sid);
        if (agents[i] != null) {
            throw new IllegalStateException("server " + sid + " is already running");
        }
        incarnation[i]++;
        links.restarted(i);
        unpark(i);
        agents[i] = new ElectionAgent(sid, ensemble, policy, timing, storage[i], publishers[i], checker, rings[i], () -> nowNs)
            .writeListener(writes)
            .snapshotChunkBytes(SNAPSHOT_CHUNK_BYTES);
        agents[i].doWork(nowNs);
        for (int j = 0; j < size; j++) {
            if (j != i && agents[j] != null && !blocked[i][j]) {
                scheduleLink(LINK_UP, i, j);
                scheduleLink(LINK_UP, j, i);
            }
        }
    }

    /** Kills a server without shutdown: memory is lost, storage kept; connected peers see a reset. */
    public void crash(final long sid) {
        final int i = index(sid);
        if (agents[i] == null) {
            throw new IllegalStateException("server " + sid + " is not running");
        }
        agents[i] = null;
        record(i, "DOWN", "crashed");
        for (int j = 0; j < size; j++) {
            if (j != i && agents[j] != null) {
                if (blocked[i][j]) {
                    // The reset cannot cross the cut: j still holds a connection to a process that is
                    // gone, and must see it drop when the cut heals, before anything from a new
                    // incarnation (else it goes on following the old one's sid, seed 413061).
                    brokenConnection[i][j] = true;
                } else {
                    scheduleLink(LINK_DOWN, i, j);
                }
            }
        }
        checker.checkLeaders();
    }

    /**
     * Cuts every link between servers of different groups, silently (no resets). Every member must be
     * in exactly one group.
     */
    public void partition(final long[][] groups) {
        final int[] groupOf = new int[size];
        Arrays.fill(groupOf, -1);
        for (int g = 0; g < groups.length; g++) {
            for (final long sid : groups[g]) {
                final int i = index(sid);
                if (groupOf[i] >= 0) {
                    throw new IllegalArgumentException("server " + sid + " is in more than one side of the partition");
                }
                groupOf[i] = g;
            }
        }
        for (int i = 0; i < size; i++) {
            if (groupOf[i] < 0) {
                throw new IllegalArgumentException("the partition does not place server " + ensemble.sid(i) + " on any side");
            }
        }
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                final boolean wasBlocked = blocked[i][j];
                blocked[i][j] = groupOf[i] != groupOf[j];
                blocked[j][i] = blocked[i][j];
                if (wasBlocked && !blocked[i][j]) {
                    reconnect(i, j);
                }
            }
        }
    }

    /** Restores every link; live servers on both sides reconnect. */
    public void heal() {
        for (int i = 0; i < size; i++) {
            for (int j = i + 1; j < size; j++) {
                if (blocked[i][j]) {
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
        if (agents[i] != null && agents[j] != null) {
            if (brokenConnection[i][j] || brokenConnection[j][i]) {
                scheduleLink(LINK_DOWN, i, j);
                scheduleLink(LINK_DOWN, j, i);
            }
            scheduleLink(LINK_UP, i, j);
            scheduleLink(LINK_UP, j, i);
        }
        brokenConnection[i][j] = false;
        brokenConnection[j][i] = false;
        links.healed(i, j);
    }

    /** True when the link between two servers is cut by a partition. */
    public boolean isBlocked(final long sidA, final long sidB) {
        return blocked[index(sidA)][index(sidB)];
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

    // ------------------------------------------------------------------------------------------------
    // Running

    /** Advances virtual time by {@code durationNs}, running everything due. */
    public void runFor(final long durationNs) {
        final long end = nowNs + durationNs;
        while (step(end)) {
            continue;
        }
        nowNs = end;
    }

    /**
     * Runs until {@link #isStable()} or until {@code boundNs} of virtual time has passed.
     *
     * @return true if stable
     */
    public boolean runUntilStable(final long boundNs) {
        final long end = nowNs + boundNs;
        while (!isStable()) {
            if (!step(end)) {
                nowNs = end;
                return isStable();
            }
        }
        return true;
    }

    /**
     * Runs until the election has decided: every live server is LEADING, FOLLOWING or OBSERVING, all
     * for one leader that is itself LEADING (recovery may still be running), or until {@code boundNs}.
     *
     * @return true if decided
     */
    public boolean runUntilDecided(final long boundNs) {
        final long end = nowNs + boundNs;
        while (!isDecided()) {
            if (!step(end)) {
                nowNs = end;
                return isDecided();
            }
        }
        return true;
    }

    private boolean isDecided() {
        long leader = -1;
        for (int i = 0; i < size; i++) {
            final ElectionAgent a = agents[i];
            if (a == null) {
                continue;
            }
            if (a.state() == null || a.state() == ServerState.LOOKING || leader >= 0 && a.leader() != leader) {
                return false;
            }
            leader = a.leader();
        }
        final int li = leader < 0 ? -1 : ensemble.indexOf(leader);
        return li >= 0 && agents[li] != null && agents[li].state() == ServerState.LEADING;
    }

    /** Runs the next due event or timer at or before {@code limitNs}; false if there is none. */
    private boolean step(final long limitNs) {
        int timerNode = -1;
        long timerNs = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            if (agents[i] != null) {
                long deadline = agents[i].nextDeadlineNs();
                if (deadline <= parkedAtNs[i]) {
                    deadline = parkedUntilNs[i];
                }
                if (deadline < timerNs) {
                    timerNs = deadline;
                    timerNode = i;
                }
            }
        }
        final EventQueue.Event head = queue.peek();
        if (head != null && head.timeNs <= timerNs) {
            if (head.timeNs > limitNs) {
                return false;
            }
            deliver(queue.poll());
            return true;
        }
        if (timerNode < 0 || timerNs > limitNs) {
            return false;
        }
        nowNs = Math.max(nowNs, timerNs);
        links.takeBackpressure(timerNode);
        final int work = agents[timerNode].doWork(nowNs);
        final boolean isHeldUp = links.takeBackpressure(timerNode);
        if (agents[timerNode] != null && agents[timerNode].nextDeadlineNs() <= nowNs) {
            if (isHeldUp) {
                park(timerNode);
            } else if (work == 0) {
                // An agent due again at once must have done something (a sync stream spans several
                // duty cycles) or be waiting for a full link; otherwise it is a busy loop, a bug.
                throw new IllegalStateException("agent " + ensemble.sid(timerNode) + " made no progress at " + nowNs);
            }
        } else if (!isHeldUp) {
            unpark(timerNode);
        }
        return true;
    }

    /** A full link holds the agent up: poll it again later, backing off as an idle strategy does. */
    private void park(final int i) {
        parkNs[i] = parkNs[i] == 0 ? MIN_PARK_NS : Math.min(parkNs[i] * 2, MAX_PARK_NS);
        parkedAtNs[i] = nowNs;
        parkedUntilNs[i] = nowNs + parkNs[i];
    }

    private void unpark(final int i) {
        parkNs[i] = 0;
        parkedAtNs[i] = Long.MIN_VALUE;
    }

    private void deliver(final EventQueue.Event e) {
        nowNs = Math.max(nowNs, e.timeNs);
        if (isLinkEvent(e.type)) {
            linkEventsPending--;
        }
        links.arrived(e);
        final ElectionAgent target = agents[e.to];
        if (target != null && blocked[e.from][e.to]
            && (isQuorumMessage(e.type) || e.type == LINK_DOWN || e.type == QUORUM_RESET)) {
            // A quorum message lost in a cut breaks the connection; so does a reset cut off on its way
            // (a heal followed at once by another partition): the next reconnect must reset it again,
            // or this end would go on as if nothing it was sent had been lost.
            brokenConnection[e.from][e.to] = true;
            if (isQuorumMessage(e.type)) {
                links.stuck(e.from, e.to);
            }
        }
        if (target != null && incarnation[e.to] == e.toIncarnation && !blocked[e.from][e.to]) {
            final RingBuffer ring = target.inbound();
            final long fromSid = ensemble.sid(e.from);
            switch (e.type) {
                case InboundMessages.NOTIFICATION:
                    if (e.state == ServerState.LOOKING.code()) {
                        voteRound[e.to][e.from] = e.c;
                        voteLeader[e.to][e.from] = e.a;
                        voteZxid[e.to][e.from] = e.b;
                        votePeerEpoch[e.to][e.from] = e.d;
                        voteOwnEpoch[e.to][e.from] = e.ownEpoch;
                        voteOwnZxid[e.to][e.from] = e.ownZxid;
                    }
                    InboundMessages.offerNotification(ring, fromSid, e.state, e.a, e.b, e.c, e.d, ElectionAgent.NOTIFICATION_VERSION);
                    break;
                case InboundMessages.LEARNER_INFO:
                    InboundMessages.offerLearnerInfo(ring, fromSid, e.a, e.b, e.state);
                    break;
                case InboundMessages.PING:
                case InboundMessages.PING_ACK:
                    InboundMessages.offerZxid(ring, e.type, fromSid, e.a);
                    break;
                case InboundMessages.LEARNER_REJECT:
                    InboundMessages.offerSidOnly(ring, e.type, fromSid);
                    break;
                case InboundMessages.LEADER_INFO:
                case InboundMessages.NEW_LEADER:
                case InboundMessages.ACK:
                case InboundMessages.COMMIT:
                case InboundMessages.UP_TO_DATE:
                    InboundMessages.offerZxid(ring, e.type, fromSid, e.a);
                    break;
                case InboundMessages.ACK_EPOCH:
                    InboundMessages.offerAckEpoch(ring, fromSid, e.a, e.b, e.c);
                    break;
                case InboundMessages.SYNC_START:
                    InboundMessages.offerSyncStart(ring, fromSid, e.state, e.a);
                    break;
                case InboundMessages.PROPOSAL:
                    InboundMessages.offerProposal(ring, fromSid, e.a, e.bytes, 0, e.length);
                    break;
                case InboundMessages.SNAPSHOT_CHUNK:
                    InboundMessages.offerSnapshotChunk(ring, fromSid, e.a, e.b, e.c, e.d, e.bytes, 0, e.length);
                    break;
                case LINK_UP:
                    links.opened(e.to, e.from);
                    InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, fromSid);
                    break;
                case LINK_DOWN:
                    // A pair's link stands for both of its connections, which a crash or a reset drops
                    // together, as the transport reports them: the election one, then the quorum one.
                    links.closed(e.to, e.from);
                    InboundMessages.offerSidOnly(ring, InboundMessages.PEER_DISCONNECTED, fromSid);
                    InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, fromSid);
                    break;
                case QUORUM_RESET:
                    links.closed(e.to, e.from);
                    InboundMessages.offerSidOnly(ring, InboundMessages.QUORUM_DISCONNECTED, fromSid);
                    scheduleLink(QUORUM_REDIAL, e.from, e.to);
                    scheduleLink(QUORUM_REDIAL, e.to, e.from);
                    break;
                case QUORUM_REDIAL:
                    links.opened(e.to, e.from);
                    break;
                default:
                    throw new IllegalStateException("event type " + e.type);
            }
            messagesDelivered++;
            target.doWork(nowNs);
        }
        queue.release(e);
    }

    private void scheduleLink(final int type, final int from, final int to) {
        final EventQueue.Event e = newEvent(type, from, to);
        if (e != null) {
            linkEventsPending++;
            queue.add(e);
        }
    }

    /**
     * Quorum-port messages ride one TCP connection per pair: in order, never lost or duplicated while
     * the link is up. Election notifications follow the network model (which may reorder, lose and
     * duplicate them, as separate connections and resends would).
     */
    private static boolean isQuorumMessage(final int type) {
        return type != InboundMessages.NOTIFICATION && !isLinkEvent(type);
    }

    /** Connections established, reset or dialled again: until they land, states are about to change. */
    private static boolean isLinkEvent(final int type) {
        return type == LINK_UP || type == LINK_DOWN || type == QUORUM_RESET || type == QUORUM_REDIAL;
    }

    /** Connection events share the quorum messages' order: a reset is seen before what follows it. */
    private static boolean isInOrder(final int type) {
        return type != InboundMessages.NOTIFICATION;
    }

    /** A message event with its delivery time, or null when the network drops it. */
    private EventQueue.Event newEvent(final int type, final int from, final int to) {
        if (agents[to] == null) {
            return null;
        }
        if (blocked[from][to]) {
            if (isQuorumMessage(type)) {
                brokenConnection[from][to] = true;
                links.stuck(from, to);
            }
            return null;
        }
        final long span = network.maxLatencyNs() - network.minLatencyNs();
        long at = nowNs + network.minLatencyNs() + (span == 0 ? 0 : random.nextLong(span + 1));
        if (isInOrder(type)) {
            at = Math.max(at, lastQuorumDeliveryNs[from][to]);
            lastQuorumDeliveryNs[from][to] = at;
        } else if (network.isFifo()) {
            at = Math.max(at, lastDeliveryNs[from][to]);
            lastDeliveryNs[from][to] = at;
        }
        final EventQueue.Event e = queue.acquire();
        e.timeNs = at;
        e.type = type;
        e.from = from;
        e.to = to;
        e.toIncarnation = incarnation[to];
        e.link = SimLinks.NOT_COUNTED;
        return e;
    }

    private void sendMessage(final EventQueue.Event e) {
        if (isQuorumMessage(e.type)) {
            links.sent(e, SimLinks.QUORUM);
            queue.add(e);
            return;
        }
        if (network.lossRate() > 0 && random.nextDouble() < network.lossRate()) {
            queue.release(e);
            return;
        }
        links.sent(e, SimLinks.ELECTION);
        queue.add(e);
        if (network.duplicateRate() > 0 && random.nextDouble() < network.duplicateRate()) {
            final EventQueue.Event copy = newEvent(e.type, e.from, e.to);
            copy.state = e.state;
            copy.a = e.a;
            copy.b = e.b;
            copy.c = e.c;
            copy.d = e.d;
            copy.flag = e.flag;
            copy.ownEpoch = e.ownEpoch;
            copy.ownZxid = e.ownZxid;
            links.sent(copy, SimLinks.ELECTION);
            queue.add(copy);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Writes

    /**
     * Offers one write to the serving leader, as a client would; its payload is {@link SimPayloads} of
     * {@code tag}. The outcome arrives as the simulation runs ({@link #writesAcknowledged()}).
     *
     * @return false when no live server leads a serving epoch (nothing was offered)
     */
    public boolean write(final long tag) {
        for (int i = 0; i < size; i++) {
            final ElectionAgent a = agents[i];
            if (a != null && a.state() == ServerState.LEADING && a.isServing()) {
                SimPayloads.fill(writePayload, tag);
                if (!InboundMessages.offerWrite(a.inbound(), tag, writePayload, 0, SimPayloads.LENGTH)) {
                    return false;
                }
                writesOffered++;
                a.doWork(nowNs);
                return true;
            }
        }
        return false;
    }

    /** Writes a leader acknowledged as committed: zxid to the tag written. */
    public org.agrona.collections.Long2LongHashMap writesAcknowledged() {
        return writes.acknowledged;
    }

    public long writesOffered() {
        return writesOffered;
    }

    /** Writes answered with anything but COMMITTED (not leader, not ready, busy, unknown). */
    public long writesNotAcknowledged() {
        return writes.refused;
    }

    /**
     * Checks that {@code sid}'s history holds every acknowledged write with the payload it was written
     * with (a write below its snapshot is taken as held: the snapshot's digest is checked by
     * {@link #logsEqual}).
     *
     * @return a description of the first missing write, or null when none is missing
     */
    public String missingAcknowledgedWrite(final long sid) {
        final io.electionbench.core.log.TxnLog log = storage[index(sid)].log();
        final org.agrona.collections.Long2LongHashMap.KeyIterator it = writes.acknowledged.keySet().iterator();
        while (it.hasNext()) {
            final long zxid = it.nextValue();
            final long tag = writes.acknowledged.get(zxid);
            if (zxid <= log.snapshotZxid()) {
                continue;
            }
            if (!log.contains(zxid)) {
                return "acknowledged write " + Zxid.toString(zxid) + " (tag " + tag + ") is missing from server " + sid
                    + " (last zxid " + Zxid.toString(log.lastZxid()) + ")";
            }
            entryCheck.expect(zxid, tag);
            log.read(zxid, entryCheck);
            if (!entryCheck.matched) {
                return "server " + sid + " holds a different txn at acknowledged " + Zxid.toString(zxid) + " (tag " + tag + ")";
            }
        }
        return null;
    }

    /**
     * At a stable instant: every serving member of the established leader's ensemble holds the leader's
     * history, and the leader holds every acknowledged write. Adds a violation otherwise.
     */
    public void checkConverged() {
        if (!isStable()) {
            return;
        }
        for (int l = 0; l < size; l++) {
            final ElectionAgent leader = agents[l];
            if (leader == null || leader.state() != ServerState.LEADING || !leader.isServing()) {
                continue;
            }
            final long leaderSid = ensemble.sid(l);
            final String missing = missingAcknowledgedWrite(leaderSid);
            if (missing != null) {
                checker.violation("acknowledged-write-lost", missing);
            }
            for (int f = 0; f < size; f++) {
                final ElectionAgent a = agents[f];
                if (f != l && a != null && a.isServing() && a.leader() == leaderSid && !logsEqual(leaderSid, ensemble.sid(f))) {
                    checker.violation("histories-diverge", "server " + ensemble.sid(f) + " (last "
                        + Zxid.toString(storage[f].lastLoggedZxid()) + ") serves under leader " + leaderSid + " (last "
                        + Zxid.toString(storage[l].lastLoggedZxid()) + ") with a different history");
                }
            }
        }
    }

    /** One line per server: state, leader, serving, recovery busy, last and committed zxid (for diagnostics). */
    public String describe() {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < size; i++) {
            final ElectionAgent a = agents[i];
            out.append(out.length() == 0 ? "" : "; ").append(ensemble.sid(i)).append(' ');
            if (a == null) {
                out.append("DOWN");
            } else {
                out.append(a.state()).append(" leader ").append(a.leader()).append(a.isServing() ? " serving" : " not-serving")
                    .append(a.isRecoveryBusy() ? " busy" : "").append(" last ").append(Zxid.toString(storage[i].lastLoggedZxid()))
                    .append(" commit ").append(Zxid.toString(a.commitZxid()));
            }
        }
        return out.toString();
    }

    /** Equal histories: the same last zxid and the same digest. */
    public boolean logsEqual(final long sidA, final long sidB) {
        final io.electionbench.core.log.TxnLog a = storage[index(sidA)].log();
        final io.electionbench.core.log.TxnLog b = storage[index(sidB)].log();
        return storage[index(sidA)].lastLoggedZxid() == storage[index(sidB)].lastLoggedZxid() && a.digest() == b.digest();
    }

    private final UnsafeBuffer writePayload = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);
    private final UnsafeBuffer expectedPayload = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);
    private final EntryCheck entryCheck = new EntryCheck();
    private long writesOffered;
    /** Connects and resets on their way: until they land, the servers' states are about to change. */
    private int linkEventsPending;

    /** Compares the first entry read with the payload a tag writes. */
    private final class EntryCheck implements io.electionbench.core.log.TxnLog.EntryHandler {
        long zxid;
        boolean matched;

        void expect(final long zxid, final long tag) {
            this.zxid = zxid;
            this.matched = false;
            SimPayloads.fill(expectedPayload, tag);
        }

        @Override
        public boolean onEntry(final long z, final DirectBuffer buffer, final int offset, final int length) {
            matched = z == zxid && length == SimPayloads.LENGTH
                && buffer.getLong(offset) == expectedPayload.getLong(0) && buffer.getLong(offset + 8) == expectedPayload.getLong(8);
            return false;
        }
    }

    /** Records every write outcome; a commit is an acknowledgement the invariants hold the ensemble to. */
    private final class Writes implements io.electionbench.core.election.WriteListener {
        final org.agrona.collections.Long2LongHashMap acknowledged = new org.agrona.collections.Long2LongHashMap(Long.MIN_VALUE);
        long refused;

        @Override
        public void onWriteResult(final long requestId, final int status, final long zxid, final long leaderSid) {
            if (status == COMMITTED) {
                final long previous = acknowledged.put(zxid, requestId);
                if (previous != Long.MIN_VALUE && previous != requestId) {
                    checker.violation("acknowledged-write-lost", "zxid " + Zxid.toString(zxid) + " acknowledged twice, for writes "
                        + previous + " and " + requestId);
                }
            } else {
                if (System.getProperty("sim.debug") != null) System.out.println("write " + requestId + " status " + status + " zxid " + Zxid.toString(zxid) + " leader " + leaderSid + " at " + nowNs);
                refused++;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Stability

    /**
     * True when every live server that can reach a quorum of live voters is LEADING with a quorum of
     * learners, or follows/observes such a leader it can reach and has heard from; and every live
     * server that cannot reach a quorum is LOOKING.
     */
    public boolean isStable() {
        if (linkEventsPending > 0) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            final ElectionAgent a = agents[i];
            if (a != null && !isSettled(i, a)) {
                return false;
            }
        }
        return true;
    }

    private boolean isSettled(final int i, final ElectionAgent a) {
        if (!quorum.containsQuorum(reachableLiveMask(i))) {
            return a.state() == ServerState.LOOKING;
        }
        switch (a.state()) {
            case LEADING:
                return a.isServing() && !a.isRecoveryBusy() && quorum.containsQuorum(followersOf(i));
            case FOLLOWING:
            case OBSERVING:
                final int li = ensemble.indexOf(a.leader());
                return a.isServing() && li >= 0 && !blocked[i][li] && agents[li] != null
                    && agents[li].state() == ServerState.LEADING && agents[li].isServing();
            default:
                return false;
        }
    }

    /** True when some live server is LEADING, serving, and followed (by their own account) by a quorum. */
    public boolean hasEstablishedLeader() {
        for (int i = 0; i < size; i++) {
            final ElectionAgent a = agents[i];
            if (a != null && a.state() == ServerState.LEADING && a.isServing() && quorum.containsQuorum(followersOf(i))) {
                return true;
            }
        }
        return false;
    }

    /** The leader {@code l} and the live voters it can reach that follow it and have heard from it. */
    private long followersOf(final int l) {
        long mask = 1L << l;
        final long sid = ensemble.sid(l);
        for (int f = 0; f < size; f++) {
            final ElectionAgent a = agents[f];
            if (a != null && !blocked[l][f] && a.state() == ServerState.FOLLOWING && a.leader() == sid && a.isServing()) {
                mask |= 1L << f;
            }
        }
        return mask;
    }

    /** Live servers that {@code i} can reach, itself included. */
    public long reachableLiveMask(final int i) {
        long mask = 0;
        for (int j = 0; j < size; j++) {
            if (agents[j] != null && !blocked[i][j]) {
                mask |= 1L << j;
            }
        }
        return mask;
    }

    private int index(final long sid) {
        final int i = ensemble.indexOf(sid);
        if (i < 0) {
            throw new IllegalArgumentException("server " + sid + " is not in the ensemble (servers: "
                + Arrays.toString(ensemble.sidsOf(ensemble.allMask())) + ")");
        }
        return i;
    }

    private void record(final int i, final String what, final String reason) {
        traceHash = mix(mix(mix(traceHash, nowNs), i), what.hashCode());
        if (trace != null) {
            trace.append(String.format("%12.3fms  %d %-10s %s%n", nowNs / 1e6, ensemble.sid(i), what, reason));
        }
    }

    private static long mix(final long h, final long v) {
        return (h ^ v) * 0x100000001b3L;
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Turns one node's sends into scheduled deliveries, keeping the publisher contract: a send the
     * link refuses ({@link SimLinks}: closed, or full) returns false, and a full quorum link is not
     * writable. An accepted message to a peer that is down, or across a cut, just never arrives.
     */
    private final class SimPublisher implements PeerPublisher {
        private final int from;

        SimPublisher(final int from) {
            this.from = from;
        }

        @Override
        public boolean sendNotification(final long toSid, final int state, final long leader, final long zxid,
            final long electionEpoch, final long peerEpoch) {
            final int to = ensemble.indexOf(toSid);
            if (to >= 0 && to != from && !links.acceptsNotification(from, to, network)) {
                return false;
            }
            notificationsSent++;
            final EventQueue.Event e = event(InboundMessages.NOTIFICATION, toSid);
            if (e != null) {
                e.state = state;
                e.a = leader;
                e.b = zxid;
                e.c = electionEpoch;
                e.d = peerEpoch;
                e.ownEpoch = storage[from].currentEpoch();
                e.ownZxid = storage[from].lastLoggedZxid();
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendLearnerInfo(final long toSid, final long acceptedEpoch, final long lastZxid, final int flags) {
            if (!accepts(toSid, SendFailure.LEARNER_INFO, false)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.LEARNER_INFO, toSid);
            if (e != null) {
                e.a = acceptedEpoch;
                e.b = lastZxid;
                e.state = flags;
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendLearnerReject(final long toSid) {
            if (!accepts(toSid, SendFailure.LEARNER_REJECT, false)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.LEARNER_REJECT, toSid);
            if (e != null) {
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendPing(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.PING, SendFailure.PING, false, toSid, zxid);
        }

        @Override
        public boolean sendPingAck(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.PING_ACK, SendFailure.PING_ACK, false, toSid, zxid);
        }

        /** Every message that carries one zxid or epoch: pings, LEADERINFO, NEWLEADER, ACK, COMMIT, UPTODATE. */
        private boolean oneZxid(final int type, final SendFailure kind, final boolean needsOpen, final long toSid,
            final long zxid) {
            if (!accepts(toSid, kind, needsOpen)) {
                return false;
            }
            final EventQueue.Event e = event(type, toSid);
            if (e != null) {
                e.a = zxid;
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendLeaderInfo(final long toSid, final long newEpoch) {
            return oneZxid(InboundMessages.LEADER_INFO, SendFailure.LEADER_INFO, true, toSid, newEpoch);
        }

        @Override
        public boolean sendAckEpoch(final long toSid, final long currentEpoch, final long lastZxid, final long snapshotZxid) {
            if (!accepts(toSid, SendFailure.ACK_EPOCH, true)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.ACK_EPOCH, toSid);
            if (e != null) {
                e.a = currentEpoch;
                e.b = lastZxid;
                e.c = snapshotZxid;
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendSyncStart(final long toSid, final int mode, final long zxid) {
            if (!accepts(toSid, SendFailure.SYNC_START, true)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.SYNC_START, toSid);
            if (e != null) {
                e.state = mode;
                e.a = zxid;
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendSnapshotChunk(final long toSid, final long zxid, final long digest, final long totalLength,
            final long position, final DirectBuffer buffer, final int offset, final int length) {
            if (!accepts(toSid, SendFailure.SNAPSHOT_CHUNK, true)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.SNAPSHOT_CHUNK, toSid);
            if (e != null) {
                e.a = zxid;
                e.b = digest;
                e.c = totalLength;
                e.d = position;
                e.bytes.putBytes(0, buffer, offset, length);
                e.length = length;
                sendMessage(e);
            }
            return true;
        }

        /** A txn of a sync stream (a broadcast comes through {@link #broadcastProposal}). */
        @Override
        public boolean sendProposal(final long toSid, final long zxid, final DirectBuffer payload, final int offset,
            final int length) {
            return proposal(SendFailure.SYNC_TXN, toSid, zxid, payload, offset, length);
        }

        @Override
        public long broadcastProposal(final long[] toSids, final int count, final long zxid, final DirectBuffer payload,
            final int offset, final int length) {
            long failed = 0;
            for (int i = 0; i < count; i++) {
                if (!proposal(SendFailure.PROPOSAL, toSids[i], zxid, payload, offset, length)) {
                    failed |= 1L << i;
                }
            }
            return failed;
        }

        private boolean proposal(final SendFailure kind, final long toSid, final long zxid, final DirectBuffer payload,
            final int offset, final int length) {
            if (!accepts(toSid, kind, true)) {
                return false;
            }
            final EventQueue.Event e = event(InboundMessages.PROPOSAL, toSid);
            if (e != null) {
                e.a = zxid;
                e.bytes.putBytes(0, payload, offset, length);
                e.length = length;
                sendMessage(e);
            }
            return true;
        }

        @Override
        public boolean sendNewLeader(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.NEW_LEADER, SendFailure.NEW_LEADER, true, toSid, zxid);
        }

        @Override
        public boolean sendAck(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.ACK, SendFailure.ACK, true, toSid, zxid);
        }

        @Override
        public boolean sendCommit(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.COMMIT, SendFailure.COMMIT, true, toSid, zxid);
        }

        @Override
        public boolean sendUpToDate(final long toSid, final long zxid) {
            return oneZxid(InboundMessages.UP_TO_DATE, SendFailure.UP_TO_DATE, true, toSid, zxid);
        }

        @Override
        public boolean isWritable(final long toSid) {
            final int to = ensemble.indexOf(toSid);
            return to >= 0 && to != from && links.isWritable(from, to, network);
        }

        /**
         * Closes this end at once, dropping what waits in the link; the other end sees the reset after
         * what is already on its way, or, across a cut, when the cut heals. Both ends dial again.
         */
        @Override
        public void resetQuorumLink(final long toSid) {
            final int to = ensemble.indexOf(toSid);
            if (to < 0 || to == from) {
                return;
            }
            links.closed(from, to);
            if (blocked[from][to]) {
                brokenConnection[from][to] = true;
            } else {
                scheduleLink(QUORUM_RESET, from, to);
            }
        }

        /** False, counted, when the quorum link to {@code toSid} refuses a message of {@code kind}. */
        private boolean accepts(final long toSid, final SendFailure kind, final boolean needsOpen) {
            final int to = ensemble.indexOf(toSid);
            return to < 0 || to == from || links.acceptsQuorum(from, to, kind, needsOpen, network);
        }

        private EventQueue.Event event(final int type, final long toSid) {
            final int to = ensemble.indexOf(toSid);
            return to < 0 || to == from ? null : newEvent(type, from, to);
        }
    }

    /** Sums the entry hashes past a zxid, so a log's digest up to that zxid can be had without copying it. */
    private static final class PrefixDigest implements io.electionbench.core.log.TxnLog.EntryHandler {
        long hashOfRest;

        void reset(final long afterZxid) {
            hashOfRest = 0;
        }

        @Override
        public boolean onEntry(final long zxid, final DirectBuffer buffer, final int offset, final int length) {
            hashOfRest += io.electionbench.core.log.HistoryDigest.entryHash(zxid, buffer, offset, length);
            return true;
        }
    }

    /** Receives every agent's state changes and checks the safety invariants. */
    private final class Checker implements ElectionObserver {
        @Override
        public void onStateChange(final long sid, final ServerState from, final ServerState to, final long atNs,
            final String reason) {
            final int i = ensemble.indexOf(sid);
            record(i, to.name(), reason);
            listener.onStateChange(sid, from, to, atNs, reason);
            checkLeaders();
            if (to == ServerState.LEADING && (!quorum.isVoter(i) || quorum.weight(i) == 0)) {
                violation("ineligible-leader", "server " + sid + " leads but is " + (quorum.isVoter(i) ? "zero-weight" : "an observer"));
            }
        }

        @Override
        public void onServing(final long sid, final long atNs) {
            final int i = ensemble.indexOf(sid);
            record(i, "SERVING", "");
            listener.onServing(sid, atNs);
            checkLeaders();
            final ElectionAgent a = agents[i];
            if (a != null && a.state() == ServerState.LEADING) {
                checkEstablishedEpoch(i, a.newEpoch());
            }
        }

        /**
         * A leader established {@code epoch}: no other server ever established it; a quorum has
         * persisted it (or a later one) as current; and its history holds every acknowledged write.
         */
        private void checkEstablishedEpoch(final int i, final long epoch) {
            final long sid = ensemble.sid(i);
            final long previous = establishedBy.put(epoch, sid);
            if (previous != Long.MIN_VALUE && previous != sid) {
                violation("one-leader-per-epoch", "epoch " + epoch + " established by " + previous + " and by " + sid);
            }
            long holders = 0;
            for (int m = 0; m < size; m++) {
                if (storage[m].currentEpoch() >= epoch) {
                    holders |= 1L << m;
                }
            }
            if (!quorum.containsQuorum(holders)) {
                violation("epoch-without-quorum", "server " + sid + " established epoch " + epoch + " but only "
                    + Arrays.toString(ensemble.sidsOf(holders)) + " hold it as current");
            }
            final String missing = missingAcknowledgedWrite(sid);
            if (missing != null) {
                violation("acknowledged-write-lost", "new leader of epoch " + epoch + ": " + missing);
            }
        }

        @Override
        public void onSynced(final long sid, final long leader, final long epoch, final io.electionbench.core.sync.SyncMode mode,
            final long lastZxid, final long digest, final long txns, final long bytes, final long startedNs, final long atNs) {
            record(ensemble.indexOf(sid), "SYNCED", trace == null ? "" : mode + " from " + leader + " to " + Zxid.toString(lastZxid));
            listener.onSynced(sid, leader, epoch, mode, lastZxid, digest, txns, bytes, startedNs, atNs);
            final int li = ensemble.indexOf(leader);
            final ElectionAgent l = agents[li];
            if (l == null || l.state() != ServerState.LEADING || l.newEpoch() != epoch) {
                return;
            }
            final io.electionbench.core.log.TxnLog leaderLog = storage[li].log();
            if (lastZxid < leaderLog.snapshotZxid()) {
                return;
            }
            prefix.reset(lastZxid);
            leaderLog.read(lastZxid + 1, prefix);
            final long leaderDigest = leaderLog.digest() - prefix.hashOfRest;
            if (leaderDigest != digest || storage[li].lastLoggedZxid() < lastZxid) {
                violation("histories-diverge", "server " + sid + " synced by " + leader + " (" + mode + ") to "
                    + Zxid.toString(lastZxid) + " holds a history different from the leader's up to that zxid");
            }
        }

        @Override
        public void onDecision(final long sid, final long leader, final long zxid, final long electionEpoch,
            final long peerEpoch, final long quorumMask, final long atNs) {
            record(ensemble.indexOf(sid), "DECIDED", trace == null ? "" : "leader " + leader + " round " + electionEpoch);
            listener.onDecision(sid, leader, zxid, electionEpoch, peerEpoch, quorumMask, atNs);
            if ((quorumMask & ~quorum.votersMask()) != 0) {
                violation("quorum-members", "server " + sid + " counted non-voters " + Arrays.toString(ensemble.sidsOf(quorumMask & ~quorum.votersMask())));
            }
            if (leader != sid || quorumMask == 0) {
                return;
            }
            final int li = ensemble.indexOf(leader);
            long rest = quorumMask & ~(1L << li);
            while (rest != 0) {
                final int m = Long.numberOfTrailingZeros(rest);
                rest &= rest - 1;
                // Only a LOOKING vote for this very leader in this round promises anything about its
                // caster's data. FLE also counts a FOLLOWING or LEADING vote that equals the proposal
                // (a follower of an earlier leader in the same round); that member never compared its
                // data with the leader's, and discovery, not the election, covers it, as in ZooKeeper.
                if (voteRound[li][m] != electionEpoch || voteLeader[li][m] != leader || voteZxid[li][m] != zxid
                    || votePeerEpoch[li][m] != peerEpoch) {
                    completenessSkipped++;
                    continue;
                }
                completenessChecked++;
                final long mSid = ensemble.sid(m);
                final long mEpoch = voteOwnEpoch[li][m];
                final long mZxid = voteOwnZxid[li][m];
                if (compareVotes(mEpoch, mZxid, mSid, peerEpoch, zxid, leader) > 0) {
                    violation("leader-completeness", "leader " + leader + " (epoch " + peerEpoch + ", zxid " + Zxid.toString(zxid)
                        + ") was elected in round " + electionEpoch + " by a quorum including " + mSid + ", whose own data when it"
                        + " voted (epoch " + mEpoch + ", zxid " + Zxid.toString(mZxid) + ") is greater");
                }
            }
        }

        /**
         * Lexicographic (peer epoch, zxid, sid), written independently of {@link io.electionbench.core.VoteOrder}
         * so a bug there cannot hide from this check.
         */
        private int compareVotes(final long epochA, final long zxidA, final long sidA,
            final long epochB, final long zxidB, final long sidB) {
            final int byEpoch = Long.compare(epochA, epochB);
            if (byEpoch != 0) {
                return byEpoch;
            }
            final int byZxid = Long.compare(zxidA, zxidB);
            return byZxid != 0 ? byZxid : Long.compare(sidA, sidB);
        }

        /** Never two LEADING nodes each followed, by the followers' own account, by a quorum. */
        void checkLeaders() {
            long established = -1;
            for (int l = 0; l < size; l++) {
                if (agents[l] == null || agents[l].state() != ServerState.LEADING) {
                    continue;
                }
                long followers = 1L << l;
                for (int f = 0; f < size; f++) {
                    if (agents[f] != null && agents[f].state() == ServerState.FOLLOWING && agents[f].leader() == ensemble.sid(l)) {
                        followers |= 1L << f;
                    }
                }
                if (quorum.containsQuorum(followers)) {
                    if (established >= 0) {
                        violation("two-leaders", "servers " + established + " and " + ensemble.sid(l) + " both lead a quorum");
                    }
                    established = ensemble.sid(l);
                }
            }
        }

        private final org.agrona.collections.Long2LongHashMap establishedBy = new org.agrona.collections.Long2LongHashMap(Long.MIN_VALUE);
        private final PrefixDigest prefix = new PrefixDigest();

        void violation(final String invariant, final String detail) {
            addViolation(new Violation(nowNs, invariant, detail));
        }
    }
}
