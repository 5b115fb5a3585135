package io.electionbench.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.net.QuorumConfigText;
import io.electionbench.transport.wire.FrameCodec;
import io.electionbench.transport.wire.NotificationCodec;
import io.electionbench.transport.wire.WireError;

/**
 * Encoding and decoding one ZooKeeper 3.9 election notification (the 44+n byte layout of
 * {@link NotificationCodec}) over pooled direct Netty buffers, as the transport does for every
 * notification it sends or receives.
 * <ul>
 *   <li>{@code encode}: {@link NotificationCodec#encodeFrame} of a whole frame (length prefix,
 *       fields, config text copied from a read-only direct buffer, as {@code PeerTransport} keeps it)
 *       into one reused pooled direct buffer;</li>
 *   <li>{@code decode}: {@link NotificationCodec#decode} of one frame, in place, into the reused codec
 *       flyweight; the config bytes stay in the buffer.</li>
 * </ul>
 * {@code configServers} is the size of the ensemble whose config text rides in every notification
 * (ZooKeeper's {@code QuorumVerifier.toString()}); 0 sends none. Inputs are 1024 different votes
 * cycled by an index. Neither operation may allocate: check with {@code -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Thread)
public class NotificationCodecBenchmark {
    private static final int VOTES = 1024;
    private static final int MASK = VOTES - 1;

    /** Servers in the config text carried by each notification; 0 for none. */
    @Param({"0", "5"})
    public int configServers;

    private final NotificationCodec codec = new NotificationCodec();
    private int next;
    private int[] states;
    /** Per vote: leader, zxid, election epoch, peer epoch. */
    private long[] votes;
    private ByteBuf config;
    private int configLength;
    private ByteBuf out;
    private ByteBuf frames;
    private int frameStride;

    @Setup(Level.Trial)
    public void setUp() {
        config = configText(configServers);
        configLength = config.readableBytes();
        frameStride = FrameCodec.LENGTH_FIELD + NotificationCodec.CONFIG_OFFSET + configLength;
        out = PooledByteBufAllocator.DEFAULT.directBuffer(frameStride, frameStride);
        frames = PooledByteBufAllocator.DEFAULT.directBuffer(VOTES * frameStride, VOTES * frameStride);
        states = new int[VOTES];
        votes = new long[VOTES * 4];
        final SplittableRandom random = new SplittableRandom(0xc0dec);
        for (int i = 0; i < VOTES; i++) {
            final long epoch = 1 + random.nextInt(5);
            states[i] = random.nextInt(3);
            votes[i * 4] = 1 + random.nextInt(51);
            votes[i * 4 + 1] = epoch << 32 | random.nextInt(1 << 20);
            votes[i * 4 + 2] = 1 + random.nextInt(100);
            votes[i * 4 + 3] = epoch;
            next = i;
            encode();
            frames.writeBytes(out);
        }
        verify();
    }

    /** Exactly the text {@code PeerTransport} puts in its notifications, in a read-only direct buffer. */
    private static ByteBuf configText(final int servers) {
        if (servers == 0) {
            return Unpooled.EMPTY_BUFFER;
        }
        final List<PeerAddress> addresses = new ArrayList<>();
        for (int sid = 1; sid <= servers; sid++) {
            addresses.add(new PeerAddress(sid, "10.0.0." + sid, 2888, 3888, false));
        }
        final byte[] text = QuorumConfigText.format(addresses, Map.of(), Map.of(), 0).getBytes(StandardCharsets.UTF_8);
        // Read-only, as PeerTransport shares it; released in tearDown (through the owning buffer).
        return Unpooled.directBuffer(text.length).writeBytes(text).asReadOnly();
    }

    private void verify() {
        for (int i = 0; i < VOTES; i++) {
            next = i;
            decode();
            if (codec.state() != states[i] || codec.leader() != votes[i * 4] || codec.zxid() != votes[i * 4 + 1]
                || codec.electionEpoch() != votes[i * 4 + 2] || codec.peerEpoch() != votes[i * 4 + 3]
                || codec.version() != NotificationCodec.CURRENT_VERSION || codec.configLength() != configLength) {
                throw new IllegalStateException("frame " + i + " does not decode to what was encoded");
            }
        }
        next = 0;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        out.release();
        frames.release();
        config.release();
    }

    @Benchmark
    public int encode() {
        final int i = next++ & MASK;
        final long[] v = votes;
        final int at = i * 4;
        out.clear();
        return NotificationCodec.encodeFrame(out, states[i], v[at], v[at + 1], v[at + 2], v[at + 3],
            config, 0, configLength);
    }

    /** Returns every decoded field folded together, so none of the reads can be dropped. */
    @Benchmark
    public long decode() {
        final int index = (next++ & MASK) * frameStride;
        final ByteBuf in = frames;
        final NotificationCodec c = codec;
        final WireError error = c.decode(in, index + FrameCodec.LENGTH_FIELD, in.getInt(index));
        return c.leader() ^ c.zxid() ^ c.electionEpoch() ^ c.peerEpoch()
            ^ ((long)c.state() << 8 | c.version() << 4 | error.ordinal()) ^ c.configLength();
    }
}
