package io.electionbench.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.ServerState;
import io.electionbench.core.VoteOrder;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.NotificationCodec;

/**
 * One Fast Leader Election vote comparison (is the received vote better than my proposal?), the
 * test every notification a LOOKING server receives goes through. Three ways:
 * <ul>
 *   <li>{@code packed}: core's {@link VoteOrder#isGreater} over primitives, as the agent runs it;</li>
 *   <li>{@code objects}: the ZooKeeper-shaped baseline, two vote objects with boxed {@code Long}
 *       fields compared as {@code totalOrderPredicate} does ({@link ZkVote});</li>
 *   <li>{@code inPlaceFromWire}: the received vote read in place from a ZooKeeper notification frame
 *       in a pooled direct buffer (the transport's {@link NotificationCodec} offsets, big-endian),
 *       against the proposal held in primitives; nothing is decoded into objects.</li>
 * </ul>
 * {@code baseline} does the same index cycling and one array load with no comparison, so the
 * harness's own share of these few-nanosecond figures is visible.
 *
 * <p>Inputs are {@code pairs} vote pairs cycled by an index, with a random mix of outcomes (the
 * deciding field is the peer epoch, the zxid, the sid, or none when the votes are equal, each a
 * quarter of the time, and either side may be greater), so branch prediction cannot learn the
 * sequence. Every variant is checked against {@code packed} for every pair at setup.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Thread)
public class VoteCompareBenchmark {
    /** Payload of a version-2 notification without config, plus its length prefix. */
    static final int FRAME_STRIDE = FrameCodec.LENGTH_FIELD + NotificationCodec.CONFIG_OFFSET;
    private static final int FIELDS = 6;

    /** Number of vote pairs cycled through; a power of two. */
    @Param("1024")
    public int pairs;

    private int mask;
    private int next;
    /** Per pair: new id, zxid, peer epoch, then current id, zxid, peer epoch. */
    private long[] packedVotes;
    /** Per pair: the current proposal's id, zxid, peer epoch (what the agent keeps in fields). */
    private long[] proposals;
    private ZkVote[] newVotes;
    private ZkVote[] curVotes;
    private ByteBuf wire;

    @Setup(Level.Trial)
    public void setUp() {
        if (Integer.bitCount(pairs) != 1) {
            throw new IllegalArgumentException("pairs must be a power of two: " + pairs);
        }
        mask = pairs - 1;
        packedVotes = new long[pairs * FIELDS];
        proposals = new long[pairs * 3];
        newVotes = new ZkVote[pairs];
        curVotes = new ZkVote[pairs];
        wire = PooledByteBufAllocator.DEFAULT.directBuffer(pairs * FRAME_STRIDE, pairs * FRAME_STRIDE);
        final SplittableRandom random = new SplittableRandom(0x5eed);
        for (int i = 0; i < pairs; i++) {
            fillPair(random, i);
        }
        verify();
    }

    private void fillPair(final SplittableRandom random, final int i) {
        final long curId = 1 + random.nextInt(51);
        final long curEpoch = 1 + random.nextInt(5);
        final long curZxid = curEpoch << 32 | random.nextInt(1, 1 << 20);
        long newId = curId;
        long newEpoch = curEpoch;
        long newZxid = curZxid;
        final long sign = random.nextBoolean() ? 1 : -1;
        switch (random.nextInt(4)) {
            case 0:
                newEpoch = curEpoch + sign;
                newZxid = newEpoch << 32 | random.nextInt(1, 1 << 20);
                newId = 1 + random.nextInt(51);
                break;
            case 1:
                newZxid = curZxid + sign * random.nextInt(1, 1000);
                newId = 1 + random.nextInt(51);
                break;
            case 2:
                newId = curId == 1 ? 2 : curId == 51 ? 50 : curId + sign;
                break;
            default:
                break;
        }
        final int at = i * FIELDS;
        packedVotes[at] = newId;
        packedVotes[at + 1] = newZxid;
        packedVotes[at + 2] = newEpoch;
        packedVotes[at + 3] = curId;
        packedVotes[at + 4] = curZxid;
        packedVotes[at + 5] = curEpoch;
        proposals[i * 3] = curId;
        proposals[i * 3 + 1] = curZxid;
        proposals[i * 3 + 2] = curEpoch;
        newVotes[i] = new ZkVote(newId, newZxid, 1, newEpoch);
        curVotes[i] = new ZkVote(curId, curZxid, 1, curEpoch);
        NotificationCodec.encodeFrame(wire, ServerState.LOOKING.code(), newId, newZxid, 1, newEpoch,
            Unpooled.EMPTY_BUFFER, 0, 0);
    }

    private void verify() {
        int greater = 0;
        for (int i = 0; i < pairs; i++) {
            next = i;
            final boolean expected = packed();
            next = i;
            final boolean fromObjects = objects();
            next = i;
            final boolean fromWire = inPlaceFromWire();
            if (fromObjects != expected || fromWire != expected) {
                throw new IllegalStateException("pair " + i + ": packed " + expected + ", objects " + fromObjects
                    + ", inPlaceFromWire " + fromWire);
            }
            greater += expected ? 1 : 0;
        }
        if (greater == 0 || greater == pairs) {
            throw new IllegalStateException("inputs give a single outcome; branch prediction would flatter");
        }
        next = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        wire.release();
    }

    @Benchmark
    public long baseline() {
        final int at = (next++ & mask) * FIELDS;
        return packedVotes[at];
    }

    @Benchmark
    public boolean packed() {
        final int at = (next++ & mask) * FIELDS;
        final long[] v = packedVotes;
        return VoteOrder.isGreater(v[at], v[at + 1], v[at + 2], v[at + 3], v[at + 4], v[at + 5]);
    }

    @Benchmark
    public boolean objects() {
        final int i = next++ & mask;
        return ZkVote.totalOrderPredicate(newVotes[i], curVotes[i]);
    }

    @Benchmark
    public boolean inPlaceFromWire() {
        final int i = next++ & mask;
        final int payload = i * FRAME_STRIDE + FrameCodec.LENGTH_FIELD;
        final ByteBuf w = wire;
        final long[] p = proposals;
        final int at = i * 3;
        return VoteOrder.isGreater(
            w.getLong(payload + NotificationCodec.LEADER_OFFSET),
            w.getLong(payload + NotificationCodec.ZXID_OFFSET),
            w.getLong(payload + NotificationCodec.PEER_EPOCH_OFFSET),
            p[at], p[at + 1], p[at + 2]);
    }
}
