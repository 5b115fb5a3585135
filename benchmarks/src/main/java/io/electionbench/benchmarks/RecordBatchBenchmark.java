package io.electionbench.benchmarks;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.log.LogRecords;
import io.electionbench.transport.wire.QuorumMessageCodec;
import io.electionbench.transport.wire.WireError;

/**
 * What a learner's event loop does with each RECORDS frame of a sync stream before any record reaches
 * its agent: {@link QuorumMessageCodec#decode} checks the whole batch in place (every record inside the
 * frame, zxids increasing, count, first and last as declared, every record's CRC32C), in a pooled
 * direct buffer as the decoder's cumulation holds it. A batch is 128 KiB of records, as the leader
 * sends them (910 records of 128 bytes); the score is per record ({@code @OperationsPerInvocation}).
 * Must not allocate: check with {@code -prof gc}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Thread)
@OperationsPerInvocation(RecordBatchBenchmark.RECORDS)
public class RecordBatchBenchmark {
    /** Payload bytes per record: sync-bench's and the 128. */
    static final int PAYLOAD_BYTES = 128;
    /** Records in a 128 KiB batch (144 bytes each with the header): 910. */
    static final int RECORDS = (128 << 10) / (LogRecords.HEADER_BYTES + PAYLOAD_BYTES);

    private final QuorumMessageCodec codec = new QuorumMessageCodec();
    private ByteBuf frame;
    private int length;

    @Setup(Level.Trial)
    public void setUp() {
        final int records = RECORDS;
        final int recordsBytes = records * (LogRecords.HEADER_BYTES + PAYLOAD_BYTES);
        frame = PooledByteBufAllocator.DEFAULT.directBuffer(28 + recordsBytes, 28 + recordsBytes);
        QuorumMessageCodec.encodeRecordsHeader(frame, 1, records, records, recordsBytes);
        final byte[] payload = new byte[PAYLOAD_BYTES];
        final ByteBuffer zxidBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        for (long zxid = 1; zxid <= records; zxid++) {
            for (int i = 0; i < PAYLOAD_BYTES; i++) {
                payload[i] = (byte)(zxid * 31 + i);
            }
            crc.reset();
            crc.update(zxidBytes.putLong(0, zxid).array());
            crc.update(payload);
            frame.writeIntLE(PAYLOAD_BYTES).writeLongLE(zxid).writeIntLE((int)crc.getValue()).writeBytes(payload);
        }
        length = frame.getInt(0);
        if (codec.decode(frame, 4, length) != WireError.NONE || codec.recordCount() != records) {
            throw new IllegalStateException("the benchmark's batch does not decode");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        frame.release();
    }

    /** Checks the whole batch; returns the record count so the work cannot be eliminated. */
    @Benchmark
    public int check() {
        codec.decode(frame, 4, length);
        return codec.recordCount();
    }
}
