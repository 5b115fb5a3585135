package io.electionbench.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.InboundMessages;

/**
 * The transport-to-agent hand-off: a transport thread offers decoded notifications into the agent's
 * many-to-one ring buffer ({@link InboundMessages#offerNotification}: claim, write in place, commit
 * with a release store), and the agent thread drains it with a {@link MessageHandler} that reads every
 * field in place, as {@code MemberAgent.onMessage} does, up to the agent's 256 messages per duty
 * cycle. One producer and one consumer thread (the machine has 2 cores), ring of the agent's default
 * capacity. A side that cannot make progress (ring full, ring empty) yields its core, as an agent
 * under a yielding idle strategy does; without that, on a machine with fewer free cores than the two
 * threads, each side would spin through its whole time slice and the figure would measure the
 * scheduler's time slice instead of the hand-off.
 *
 * <p>The primary figure counts calls (an offer that finds the ring full, or a drain that finds it
 * empty, is a call too). The hand-off rate is in the auxiliary counters: {@code handedOff} messages
 * read by the consumer, {@code offered} accepted offers and {@code ringFull} refused ones, each per
 * microsecond; nanoseconds per message = 1000 / handedOff.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Group)
public class RingBufferHandoffBenchmark {
    /** The agent's duty-cycle read limit ({@code MemberAgent.MESSAGE_LIMIT}). */
    static final int READ_LIMIT = 256;
    private static final int VOTES = 1024;

    RingBuffer ring;
    /** Per vote: from, leader, zxid, election epoch, peer epoch. */
    long[] votes;
    int[] states;

    @Setup(Level.Trial)
    public void setUp() {
        ring = MemberAgent.newInboundRing(MemberAgent.DEFAULT_INBOUND_CAPACITY);
        votes = new long[VOTES * 5];
        states = new int[VOTES];
        final SplittableRandom random = new SplittableRandom(0x41ad);
        for (int i = 0; i < VOTES; i++) {
            final long epoch = 1 + random.nextInt(5);
            votes[i * 5] = 1 + random.nextInt(5);
            votes[i * 5 + 1] = 1 + random.nextInt(5);
            votes[i * 5 + 2] = epoch << 32 | random.nextInt(1 << 20);
            votes[i * 5 + 3] = 1 + random.nextInt(100);
            votes[i * 5 + 4] = epoch;
            states[i] = random.nextInt(3);
        }
    }

    /** The producer's counters (public fields are reported per microsecond). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Producer {
        public long offered;
        public long ringFull;
        int next;

        @Setup(Level.Iteration)
        public void reset() {
            offered = 0;
            ringFull = 0;
        }
    }

    /** The consumer: reads each message in place, as the agent does, into a checksum. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Consumer implements MessageHandler {
        public long handedOff;
        long checksum;

        @Setup(Level.Iteration)
        public void reset() {
            handedOff = 0;
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index,
            final int length) {
            // InboundMessages' NOTIFICATION layout: from, leader, zxid, electionEpoch, peerEpoch (longs),
            // state, version (ints).
            checksum += msgTypeId + buffer.getLong(index) + buffer.getLong(index + 8) + buffer.getLong(index + 16)
                + buffer.getLong(index + 24) + buffer.getLong(index + 32) + buffer.getInt(index + 40)
                + buffer.getInt(index + 44);
            handedOff++;
        }
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public boolean offer(final Producer p) {
        final int i = p.next++ & (VOTES - 1);
        final long[] v = votes;
        final int at = i * 5;
        if (InboundMessages.offerNotification(ring, v[at], states[i], v[at + 1], v[at + 2], v[at + 3], v[at + 4],
            MemberAgent.NOTIFICATION_VERSION)) {
            p.offered++;
            return true;
        }
        p.ringFull++;
        Thread.yield();
        return false;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public int drain(final Consumer c) {
        final int read = ring.read(c, READ_LIMIT);
        if (read == 0) {
            Thread.yield();
        }
        return read;
    }
}
