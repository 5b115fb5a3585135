package io.electionbench.core.sim;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.agrona.BufferUtil;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.PersistentState;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;
import io.electionbench.core.sim.check.ClusterView;
import io.electionbench.core.sim.check.ElectionSafety;
import io.electionbench.core.sim.check.LeaderCompleteness;
import io.electionbench.core.sim.check.RecoverySafety;
import io.electionbench.core.sim.check.SimPayloads;
import io.electionbench.core.sim.check.Violation;
import io.electionbench.core.sim.check.Violations;
import io.electionbench.core.sim.check.WriteSafety;
import io.electionbench.core.sim.fault.FaultTarget;
import io.electionbench.core.sim.fault.MessageFault;
import io.electionbench.core.sim.network.Endpoints;
import io.electionbench.core.sim.network.NetworkModel;
import io.electionbench.core.sim.network.SendFailure;
import io.electionbench.core.sim.network.SimNetwork;

/**
 * Runs a whole ensemble of {@link MemberAgent}s in one thread on virtual time: the cluster (agents,
 * their durable {@link SimStorage}, starts and crashes) and the run loop, which delivers what the
 * {@link SimNetwork} has due and runs every agent whose timer is due, in time order. A crash discards
 * the agent (memory) and keeps its storage (disk). All randomness comes from one seeded generator and
 * simultaneous events run in scheduling order, so the same seed gives the same run, event for event
 * ({@link #traceHash()}).
 *
 * <p>Every state change, decision, sync and write outcome goes to the checkers of
 * {@link io.electionbench.core.sim.check} as it happens ({@link ElectionSafety}, {@link LeaderCompleteness},
 * {@link RecoverySafety}, {@link WriteSafety}); what they find is in {@link #violations()}. Liveness
 * (a connected quorum elects within a bound) is checked by whoever drives the run, with
 * {@link #runUntilStable(long)}. docs/architecture.md, "The simulator's packages".
 */
public final class Simulator implements FaultTarget, AutoCloseable {
    /** Each delivery is drained by the duty cycle that follows it, so a ring never holds more than a few messages. */
    private static final int INBOUND_CAPACITY = 4 * 1024;
    /** Snapshot chunks small enough for the simulator's rings (an eighth of the capacity, less the header). */
    private static final int SNAPSHOT_CHUNK_BYTES = 256;
    private static final int RING_BYTES = INBOUND_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
    /** Released slabs, reused by the next simulators; bounded so a burst of simulators cannot pin memory. */
    private static final ConcurrentLinkedQueue<UnsafeBuffer> SLABS = new ConcurrentLinkedQueue<>();
    private static final int MAX_POOLED_SLABS = 32;
    /** An agent held up by a full link is polled again after this much virtual time, doubling to the most. */
    private static final long MIN_PARK_NS = 10_000;
    private static final long MAX_PARK_NS = 1_000_000;
    public static final int MAX_VIOLATIONS_KEPT = Violations.MAX_KEPT;

    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final ElectionPolicy policy;
    private final NodeTiming timing;
    private final int size;
    private final SimStorage[] storage;
    private final MemberAgent[] agents;
    private final int[] incarnation;
    private final RingBuffer[] rings;
    private final UnsafeBuffer slab;
    /**
     * Per server: while a full link holds it up (its timer due at once, nothing to be done), the
     * time it parked and until when, as an idle strategy backs off; and the current park.
     */
    private final long[] parkedAtNs;
    private final long[] parkedUntilNs;
    private final long[] parkNs;
    /** Virtual time: what every agent's clock and every violation reads. */
    private long nowNs;
    private final NanoClock clock = () -> nowNs;
    private final Servers servers = new Servers();
    private final SimNetwork network;
    private final Violations violations = new Violations(clock);
    private final ElectionSafety electionSafety;
    private final LeaderCompleteness completeness;
    private final WriteSafety writeSafety;
    private final RecoverySafety recoverySafety;
    private final Observer observer = new Observer();
    private final UnsafeBuffer writePayload = new UnsafeBuffer(new byte[SimPayloads.LENGTH]);
    private ElectionObserver listener = ElectionObserver.NONE;
    private long writesOffered;
    private long traceHash = 0xcbf29ce484222325L;
    private StringBuilder trace;

    public Simulator(final Ensemble ensemble, final ElectionPolicy policy, final NodeTiming timing,
        final NetworkModel network, final long seed) {
        this.ensemble = ensemble;
        this.quorum = ensemble.quorum();
        this.policy = policy;
        this.timing = timing;
        this.size = ensemble.size();
        this.storage = new SimStorage[size];
        this.agents = new MemberAgent[size];
        this.incarnation = new int[size];
        this.rings = new RingBuffer[size];
        this.network = new SimNetwork(ensemble, network, seed, servers);
        this.electionSafety = new ElectionSafety(servers, violations);
        this.completeness = new LeaderCompleteness(ensemble, violations);
        this.writeSafety = new WriteSafety(servers, violations);
        this.recoverySafety = new RecoverySafety(servers, violations, writeSafety);
        this.parkedAtNs = new long[size];
        this.parkedUntilNs = new long[size];
        this.parkNs = new long[size];
        Arrays.fill(parkedAtNs, Long.MIN_VALUE);
        this.slab = slab(size * RING_BYTES);
        for (int i = 0; i < size; i++) {
            storage[i] = new SimStorage();
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
        network.close();
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
        return network.messagesDelivered();
    }

    /**
     * How often the links refused a send of this kind (or answered not writable) since the simulation
     * began: how often the agents' failure path for it ran.
     */
    public long sendFailures(final SendFailure kind) {
        return network.sendFailures(kind);
    }

    /** Election notifications sent by every server since the simulation began (crashes do not reset it). */
    public long notificationsSent() {
        return network.notificationsSent();
    }

    /** The first {@value #MAX_VIOLATIONS_KEPT} distinct violations of the run; see {@link #violationsDropped()}. */
    public List<Violation> violations() {
        return violations.list();
    }

    /** Records a violation found by the driver of the run, as {@link Violations#add} does. */
    public void addViolation(final Violation v) {
        violations.add(v);
    }

    /** Violations found but not kept: repeats of a kept one, or any past the first {@value #MAX_VIOLATIONS_KEPT}. */
    public long violationsDropped() {
        return violations.dropped();
    }

    /** See {@link LeaderCompleteness#checked()}. */
    public long completenessChecked() {
        return completeness.checked();
    }

    /** See {@link LeaderCompleteness#skipped()}. */
    public long completenessSkipped() {
        return completeness.skipped();
    }

    /** The network model for every message sent from now on. */
    public void network(final NetworkModel model) {
        network.model(model);
    }

    public NetworkModel network() {
        return network.model();
    }

    public SimStorage storage(final long sid) {
        return storage[index(sid)];
    }

    /** The live agent of {@code sid}, or null when it is down. */
    public MemberAgent agent(final long sid) {
        return agents[index(sid)];
    }

    @Override
    public boolean isUp(final long sid) {
        return agents[index(sid)] != null;
    }

    // ------------------------------------------------------------------------------------------------
    // Faults and commands

    /** Starts (or restarts) a server from its persisted state; it begins LOOKING. A live server cannot start. */
    @Override
    public void start(final long sid) {
        final int i = index(sid);
        if (agents[i] != null) {
            throw new IllegalStateException("server " + sid + " is already running");
        }
        incarnation[i]++;
        network.restarting(i);
        unpark(i);
        agents[i] = new MemberAgent(sid, ensemble, policy, timing, storage[i], network.publisher(i), observer,
            rings[i], clock)
            .writeListener(writeSafety)
            .snapshotChunkBytes(SNAPSHOT_CHUNK_BYTES);
        agents[i].doWork(nowNs);
        network.connect(i);
    }

    /** Kills a server without shutdown: memory is lost, storage kept; connected peers see a reset. */
    @Override
    public void crash(final long sid) {
        final int i = index(sid);
        if (agents[i] == null) {
            throw new IllegalStateException("server " + sid + " is not running");
        }
        agents[i] = null;
        record(i, "DOWN", "crashed");
        network.crashed(i);
        electionSafety.checkLeaders();
    }

    /**
     * Cuts every link between servers of different groups, silently (no resets). Every member must be
     * in exactly one group.
     */
    @Override
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
                throw new IllegalArgumentException("the partition does not place server " + ensemble.sid(i)
                    + " on any side");
            }
        }
        network.partition(groupOf);
    }

    /**
     * Makes {@code receiver} deaf to {@code senders}: what they send it is lost, silently, while what it
     * sends them still arrives (a one-way cut, as a firewall rule on the receiver's side makes it at the
     * message level), until {@link #heal()}.
     */
    @Override
    public void cutOneWay(final long receiver, final long[] senders) {
        final int[] from = new int[senders.length];
        for (int k = 0; k < senders.length; k++) {
            from[k] = index(senders[k]);
        }
        network.cutOneWay(index(receiver), from);
    }

    /** Restores every link; live servers on both sides reconnect. */
    @Override
    public void heal() {
        network.heal();
    }

    /**
     * Sets a message fault on every link it names (a sid of {@link MessageFault#EVERY} names every
     * other member), for the messages sent from now on.
     */
    @Override
    public void faultMessages(final MessageFault fault) {
        final int from = fault.fromSid() == MessageFault.EVERY ? -1 : index(fault.fromSid());
        final int to = fault.toSid() == MessageFault.EVERY ? -1 : index(fault.toSid());
        for (int f = 0; f < size; f++) {
            for (int t = 0; t < size; t++) {
                if (f != t && (from < 0 || from == f) && (to < 0 || to == t)) {
                    network.faultMessages(fault.action(), f, t, fault.kind(), fault.count(), fault.delayNs());
                }
            }
        }
    }

    /** Message fault rules, one per link, not used up yet. */
    public int messageFaultsPending() {
        return network.messageFaultsPending();
    }

    /** True when what {@code sidA} sends {@code sidB} is cut off (a partition, or a one-way cut). */
    public boolean isBlocked(final long sidA, final long sidB) {
        return network.isBlocked(index(sidA), index(sidB));
    }

    @Override
    public boolean isPartitioned() {
        return network.isPartitioned();
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
     * Runs until {@code condition} holds (checked before every step, so at once when it holds now) or
     * until {@code boundNs} of virtual time has passed.
     *
     * @return true if the condition holds
     */
    public boolean runUntil(final java.util.function.BooleanSupplier condition, final long boundNs) {
        final long end = nowNs + boundNs;
        while (!condition.getAsBoolean()) {
            if (!step(end)) {
                nowNs = end;
                return condition.getAsBoolean();
            }
        }
        return true;
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
            final MemberAgent a = agents[i];
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

    /**
     * Runs the next due delivery or timer at or before {@code limitNs}; false if there is none. A
     * delivery due with a timer runs first.
     */
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
        if (network.hasDelivery() && network.nextDeliveryNs() <= timerNs) {
            final long dueNs = network.nextDeliveryNs();
            if (dueNs > limitNs) {
                return false;
            }
            nowNs = Math.max(nowNs, dueNs);
            network.deliverNext();
            return true;
        }
        if (timerNode < 0 || timerNs > limitNs) {
            return false;
        }
        nowNs = Math.max(nowNs, timerNs);
        runTimer(timerNode);
        return true;
    }

    /** Runs the duty cycle of an agent whose timer is due, parking it while a full link holds it up. */
    private void runTimer(final int i) {
        network.takeBackpressure(i);
        final int work = agents[i].doWork(nowNs);
        final boolean isHeldUp = network.takeBackpressure(i);
        if (agents[i] != null && agents[i].nextDeadlineNs() <= nowNs) {
            if (isHeldUp) {
                park(i);
            } else if (work == 0) {
                // An agent due again at once must have done something (a sync stream spans several
                // duty cycles) or be waiting for a full link; otherwise it is a busy loop, a bug.
                throw new IllegalStateException("agent " + ensemble.sid(i) + " made no progress at " + nowNs);
            }
        } else if (!isHeldUp) {
            unpark(i);
        }
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
            final MemberAgent a = agents[i];
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
    public Long2LongHashMap writesAcknowledged() {
        return writeSafety.acknowledged();
    }

    public long writesOffered() {
        return writesOffered;
    }

    /** Writes answered with anything but COMMITTED (not leader, not ready, busy, unknown). */
    public long writesNotAcknowledged() {
        return writeSafety.refused();
    }

    /**
     * Checks that {@code sid}'s history holds every acknowledged write with the payload it was written
     * with ({@link WriteSafety#missingAcknowledgedWrite}).
     *
     * @return a description of the first missing write, or null when none is missing
     */
    public String missingAcknowledgedWrite(final long sid) {
        return writeSafety.missingAcknowledgedWrite(index(sid));
    }

    /**
     * At a stable instant: every serving member of the established leader's ensemble holds the leader's
     * history, and the leader holds every acknowledged write. Adds a violation otherwise.
     */
    public void checkConverged() {
        if (isStable()) {
            writeSafety.checkConverged();
        }
    }

    /** One line per server: state, leader, serving, recovery busy, last and committed zxid (for diagnostics). */
    public String describe() {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < size; i++) {
            final MemberAgent a = agents[i];
            out.append(out.length() == 0 ? "" : "; ").append(ensemble.sid(i)).append(' ');
            if (a == null) {
                out.append("DOWN");
            } else {
                out.append(a.state()).append(" leader ").append(a.leader())
                    .append(a.isServing() ? " serving" : " not-serving").append(a.isRecoveryBusy() ? " busy" : "")
                    .append(" last ").append(Zxid.toString(storage[i].lastLoggedZxid()))
                    .append(" commit ").append(Zxid.toString(a.commitZxid()));
            }
        }
        return out.toString();
    }

    /** Equal histories: the same last zxid and the same digest. */
    public boolean logsEqual(final long sidA, final long sidB) {
        return WriteSafety.logsEqual(storage[index(sidA)], storage[index(sidB)]);
    }

    // ------------------------------------------------------------------------------------------------
    // Stability

    /**
     * True when every live server that can reach a quorum of live voters is LEADING with a quorum of
     * learners, or follows/observes such a leader it can reach and has heard from; and every live
     * server that cannot reach a quorum is LOOKING; and no connection event is on its way.
     */
    public boolean isStable() {
        if (network.connectionEventsPending() > 0) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            final MemberAgent a = agents[i];
            if (a != null && !isSettled(i, a)) {
                return false;
            }
        }
        return true;
    }

    private boolean isSettled(final int i, final MemberAgent a) {
        if (!quorum.containsQuorum(reachableLiveMask(i))) {
            return a.state() == ServerState.LOOKING;
        }
        switch (a.state()) {
            case LEADING:
                return a.isServing() && !a.isRecoveryBusy() && quorum.containsQuorum(followersOf(i));
            case FOLLOWING:
            case OBSERVING:
                final int li = ensemble.indexOf(a.leader());
                return a.isServing() && li >= 0 && !network.isBlocked(i, li) && agents[li] != null
                    && agents[li].state() == ServerState.LEADING && agents[li].isServing();
            default:
                return false;
        }
    }

    /** True when some live server is LEADING, serving, and followed (by their own account) by a quorum. */
    public boolean hasEstablishedLeader() {
        for (int i = 0; i < size; i++) {
            final MemberAgent a = agents[i];
            if (a != null && a.state() == ServerState.LEADING && a.isServing()
                && quorum.containsQuorum(followersOf(i))) {
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
            final MemberAgent a = agents[f];
            if (a != null && !network.isBlocked(l, f) && a.state() == ServerState.FOLLOWING && a.leader() == sid
                && a.isServing()) {
                mask |= 1L << f;
            }
        }
        return mask;
    }

    /** Live servers that {@code i} can reach, itself included. */
    public long reachableLiveMask(final int i) {
        long mask = 0;
        for (int j = 0; j < size; j++) {
            if (agents[j] != null && !network.isBlocked(i, j)) {
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

    /** The servers as the network and the checkers see them, by member index. */
    private final class Servers implements Endpoints, ClusterView {
        @Override
        public long nowNs() {
            return nowNs;
        }

        @Override
        public RingBuffer inbound(final int i) {
            final MemberAgent a = agents[i];
            return a == null ? null : a.inbound();
        }

        @Override
        public int incarnation(final int i) {
            return incarnation[i];
        }

        @Override
        public PersistentState storage(final int i) {
            return storage[i];
        }

        @Override
        public void onLookingVote(final int to, final int from, final long round, final long leader, final long zxid,
            final long peerEpoch, final long senderEpoch, final long senderZxid) {
            completeness.onLookingVote(to, from, round, leader, zxid, peerEpoch, senderEpoch, senderZxid);
        }

        @Override
        public void onDelivered(final int i) {
            agents[i].doWork(nowNs);
        }

        @Override
        public Ensemble ensemble() {
            return ensemble;
        }

        @Override
        public MemberAgent agentAt(final int i) {
            return agents[i];
        }

        @Override
        public PersistentState storageAt(final int i) {
            return storage[i];
        }
    }

    /** Traces every agent's state changes, tells the listener, and feeds the checkers, in that order. */
    private final class Observer implements ElectionObserver {
        @Override
        public void onStateChange(final long sid, final ServerState from, final ServerState to, final long atNs,
            final String reason) {
            final int i = ensemble.indexOf(sid);
            record(i, to.name(), reason);
            listener.onStateChange(sid, from, to, atNs, reason);
            electionSafety.onStateChange(i, to);
        }

        @Override
        public void onServing(final long sid, final long atNs) {
            final int i = ensemble.indexOf(sid);
            record(i, "SERVING", "");
            listener.onServing(sid, atNs);
            electionSafety.checkLeaders();
            recoverySafety.onServing(i);
        }

        @Override
        public void onSynced(final long sid, final long leader, final long epoch,
            final io.electionbench.core.sync.SyncMode mode, final long lastZxid, final long digest, final long txns,
            final long bytes, final long startedNs, final long atNs) {
            record(ensemble.indexOf(sid), "SYNCED",
                trace == null ? "" : mode + " from " + leader + " to " + Zxid.toString(lastZxid));
            listener.onSynced(sid, leader, epoch, mode, lastZxid, digest, txns, bytes, startedNs, atNs);
            recoverySafety.onSynced(sid, leader, epoch, mode, lastZxid, digest);
        }

        @Override
        public void onDecision(final long sid, final long leader, final long zxid, final long electionEpoch,
            final long peerEpoch, final long quorumMask, final long atNs) {
            record(ensemble.indexOf(sid), "DECIDED",
                trace == null ? "" : "leader " + leader + " round " + electionEpoch);
            listener.onDecision(sid, leader, zxid, electionEpoch, peerEpoch, quorumMask, atNs);
            electionSafety.onDecision(sid, quorumMask);
            completeness.onDecision(sid, leader, zxid, electionEpoch, peerEpoch, quorumMask);
        }
    }
}
