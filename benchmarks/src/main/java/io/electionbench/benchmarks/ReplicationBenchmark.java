package io.electionbench.benchmarks;

import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.InboundMessages;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.log.MemoryTxnLog;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.doubles.DroppingPublisher;
import io.electionbench.core.sim.doubles.MemoryState;
import io.electionbench.core.sync.SyncMode;

/**
 * The replication hot path of one agent, through its inbound ring as the transport drives it.
 * {@code leaderWrite}: a leader of 3 takes a 128-byte write, logs it, proposes it, takes the ACK of
 * one follower (a quorum with itself), commits and answers the writer. {@code followerProposal}: a
 * follower takes a 128-byte proposal, logs it, acknowledges it and takes the COMMIT. The logs are in
 * memory and compacted every 2^20 txns so they stay small; peers are a publisher that drops
 * everything. With {@code -prof gc} both should show 0 B/op: nothing on the write path allocates.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
public class ReplicationBenchmark {
    static final int PAYLOAD_BYTES = 128;
    static final long COMPACT_EVERY = 1 << 20;
    static final int LOOKING = ServerState.LOOKING.code();

    /** Durable state in memory, sized for one compaction period. */
    static MemoryState newState() {
        return new MemoryState(new MemoryTxnLog((int)COMPACT_EVERY + 16, (int)(COMPACT_EVERY + 16) * PAYLOAD_BYTES));
    }

    /** Compacts the log into an empty snapshot every 2^20 txns so it stays small. */
    static void compactIfLarge(final MemoryState state) {
        final MemoryTxnLog log = state.memoryLog();
        if (log.entryCount() >= COMPACT_EVERY) {
            log.snapshot(log.lastZxid(), EMPTY, 0, 0);
        }
    }

    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    /** An established leader of 3 whose follower 1 acknowledges every proposal. */
    @State(Scope.Thread)
    public static class Leader {
        final MemoryState state = newState();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        final long[] now = {0};
        MemberAgent agent;
        RingBuffer ring;
        long next;
        long committed;

        @Setup(Level.Trial)
        public void setUp() {
            agent = new MemberAgent(3, Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT, state,
                new DroppingPublisher(), ElectionObserver.NONE, MemberAgent.newInboundRing(1 << 20), () -> now[0]);
            agent.writeListener((id, status, zxid, leader) -> committed += status == WriteListener.COMMITTED ? 1 : 0);
            ring = agent.inbound();
            agent.doWork(0);
            InboundMessages.offerSidOnly(ring, InboundMessages.PEER_CONNECTED, 1);
            InboundMessages.offerNotification(ring, 1, LOOKING, 3, 0, 1, 0, 2);
            InboundMessages.offerNotification(ring, 2, LOOKING, 3, 0, 1, 0, 2);
            agent.doWork(1);
            agent.doWork(100_000_000);
            InboundMessages.offerLearnerInfo(ring, 1, 0, 0, 0);
            InboundMessages.offerAckEpoch(ring, 1, 0, 0, -1);
            agent.doWork(100_000_001);
            InboundMessages.offerZxid(ring, InboundMessages.ACK, 1, Zxid.make(1, 0));
            agent.doWork(100_000_002);
            if (!agent.isServing()) {
                throw new IllegalStateException("the leader did not establish its epoch");
            }
            now[0] = 100_000_002;
        }
    }

    /** A serving follower of leader 3. */
    @State(Scope.Thread)
    public static class Follower {
        final MemoryState state = newState();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        final long[] now = {0};
        MemberAgent agent;
        RingBuffer ring;
        long next;

        @Setup(Level.Trial)
        public void setUp() {
            agent = new MemberAgent(1, Ensemble.majority(3), ElectionPolicy.FAST, NodeTiming.DEFAULT, state,
                new DroppingPublisher(), ElectionObserver.NONE, MemberAgent.newInboundRing(1 << 20), () -> now[0]);
            ring = agent.inbound();
            agent.doWork(0);
            InboundMessages.offerNotification(ring, 2, LOOKING, 3, 0, 1, 0, 2);
            InboundMessages.offerNotification(ring, 3, LOOKING, 3, 0, 1, 0, 2);
            agent.doWork(1);
            InboundMessages.offerZxid(ring, InboundMessages.LEADER_INFO, 3, 1);
            InboundMessages.offerSyncStart(ring, 3, SyncMode.DIFF.code(), 0);
            InboundMessages.offerZxid(ring, InboundMessages.NEW_LEADER, 3, Zxid.make(1, 0));
            InboundMessages.offerZxid(ring, InboundMessages.UP_TO_DATE, 3, 0);
            agent.doWork(2);
            if (!agent.isServing()) {
                throw new IllegalStateException("the follower is not serving");
            }
            now[0] = 2;
        }
    }

    @Benchmark
    public long leaderWrite(final Leader l) {
        final long n = ++l.next;
        l.payload.putLong(0, n);
        InboundMessages.offerWrite(l.ring, n, l.payload, 0, PAYLOAD_BYTES);
        l.now[0] += 1000;
        l.agent.doWork(l.now[0]);
        InboundMessages.offerZxid(l.ring, InboundMessages.ACK, 1, Zxid.make(1, n));
        l.agent.doWork(l.now[0]);
        compactIfLarge(l.state);
        return l.committed;
    }

    @Benchmark
    public long followerProposal(final Follower f) {
        final long n = ++f.next;
        f.payload.putLong(0, n);
        InboundMessages.offerProposal(f.ring, 3, Zxid.make(1, n), f.payload, 0, PAYLOAD_BYTES);
        InboundMessages.offerZxid(f.ring, InboundMessages.COMMIT, 3, Zxid.make(1, n));
        f.now[0] += 1000;
        f.agent.doWork(f.now[0]);
        compactIfLarge(f.state);
        return f.agent.commitZxid();
    }
}
