package io.electionbench.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.log.LogRecords;

/**
 * What a learner's agent does with its sync stream's txns in its {@link FileTxnLog}: one run of 455
 * records of 128 bytes (64 KiB, one RECORDS ring record) appended with
 * {@link FileTxnLog#appendRecordsDeferred} ({@code run}), or the same txns with
 * {@link FileTxnLog#appendDeferred} one by one ({@code single}, what the learner did before). Policy NEVER:
 * the page-cache writes are in the score, the forces are not.
 * Laying out the run (its CRCs: the transport's work) and truncating the log back to its first txn
 * whenever it holds a million (so the file stays small) are per-invocation setup, not measured; put
 * {@code java.io.tmpdir} on the disk to measure. Scored per txn; must not allocate ({@code -prof gc}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Thread)
@OperationsPerInvocation(LogRunAppendBenchmark.RECORDS)
public class LogRunAppendBenchmark {
    static final int PAYLOAD_BYTES = 128;
    /** Records in a 64 KiB run (144 bytes each with the header): 455. */
    static final int RECORDS = (64 << 10) / (LogRecords.HEADER_BYTES + PAYLOAD_BYTES);
    private static final int RECORD_BYTES = LogRecords.HEADER_BYTES + PAYLOAD_BYTES;
    private static final int TRUNCATE_AT = 1_000_000;

    @Param({"run", "single"})
    public String mode;

    private Path dir;
    private FileTxnLog log;
    private final UnsafeBuffer run = new UnsafeBuffer(ByteBuffer.allocateDirect(RECORDS * RECORD_BYTES));
    private long next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("log-run-append");
        log = FileTxnLog.open(dir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).segmentBytes(1L << 30)
            .initialIndexCapacity(TRUNCATE_AT + RECORDS));
        final UnsafeBuffer first = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        log.append(Zxid.make(1, 1), first, 0, PAYLOAD_BYTES);
        next = 2;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        log.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Lays out the next run's records (zxids, payloads, CRCs) as a leader's segment holds them. */
    private void layOutRun() {
        final ByteBuffer view = run.byteBuffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = CRC;
        for (int i = 0; i < RECORDS; i++) {
            final int at = i * RECORD_BYTES;
            final long zxid = Zxid.make(1, next + i);
            run.putInt(at + LogRecords.LENGTH_OFFSET, PAYLOAD_BYTES, ByteOrder.LITTLE_ENDIAN);
            run.putLong(at + LogRecords.ZXID_OFFSET, zxid, ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < PAYLOAD_BYTES; b += 8) {
                run.putLong(at + LogRecords.HEADER_BYTES + b, zxid * 31 + b);
            }
            run.putInt(at + LogRecords.CRC_OFFSET, LogRecords.crc(crc, view, at, PAYLOAD_BYTES),
                ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static final CRC32C CRC = new CRC32C();

    @Setup(Level.Invocation)
    public void nextRun() {
        if (log.entryCount() >= TRUNCATE_AT) {
            log.truncateAfter(Zxid.make(1, 1));
            next = 2;
        }
        layOutRun();
    }

    @Benchmark
    public long append() {
        if ("run".equals(mode)) {
            log.appendRecordsDeferred(run, 0, RECORDS * RECORD_BYTES);
        } else {
            for (int at = 0; at < RECORDS * RECORD_BYTES; at += RECORD_BYTES) {
                log.appendDeferred(run.getLong(at + LogRecords.ZXID_OFFSET, ByteOrder.LITTLE_ENDIAN), run,
                    at + LogRecords.HEADER_BYTES, PAYLOAD_BYTES);
            }
        }
        next += RECORDS;
        return log.lastZxid();
    }
}
