package io.electionbench.loadgen.sync;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.transport.node.NodeStorage;

/**
 * The history the pre-loaded members start with: {@code txns} txns of {@code txnBytes} each, zxids
 * 1:1..1:N, accepted and current epoch 1, and optionally a snapshot of {@code snapshotBytes} state
 * bytes covering all of them (the log compacted to nothing but the snapshot).
 *
 * <p>The history is written once, into a template data directory, with {@code fsync=never} (it is
 * set-up, not measured), and copied file by file into each member's data directory, so every member
 * holds byte-identical logs and so equal digests. Payloads are deterministic: the zxid in the first
 * eight bytes (little-endian, when there is room) and a fixed pattern after it; the snapshot state is a
 * fixed pseudo-random pattern, so neither compresses to nothing on the way.
 */
public final class SyncHistory {
    /** The epoch every pre-loaded txn belongs to, and the members' accepted and current epoch. */
    public static final long EPOCH = 1;

    private final Path template;
    private final long txns;
    private final int txnBytes;
    private final long snapshotBytes;
    private long lastZxid;
    private long digest;

    private SyncHistory(final Path template, final long txns, final int txnBytes, final long snapshotBytes) {
        this.template = template;
        this.txns = txns;
        this.txnBytes = txnBytes;
        this.snapshotBytes = snapshotBytes;
    }

    /**
     * Writes the history into {@code template} (a data directory, created).
     *
     * @param snapshotBytes 0 for no snapshot; at most {@link Integer#MAX_VALUE} - 8
     */
    public static SyncHistory write(final Path template, final long txns, final int txnBytes, final long snapshotBytes)
        throws IOException {
        final SyncHistory history = new SyncHistory(template, txns, txnBytes, snapshotBytes);
        history.write();
        return history;
    }

    private void write() throws IOException {
        try (NodeStorage storage = NodeStorage.open(template, FsyncPolicy.NEVER)) {
            storage.acceptedEpoch(EPOCH);
            storage.currentEpoch(EPOCH);
            final FileTxnLog log = storage.log();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[txnBytes]);
            for (int i = 0; i < txnBytes; i++) {
                payload.putByte(i, (byte)('a' + i % 26));
            }
            for (long counter = 1; counter <= txns; counter++) {
                final long zxid = Zxid.make(EPOCH, counter);
                if (txnBytes >= Long.BYTES) {
                    payload.putLong(0, zxid, ByteOrder.LITTLE_ENDIAN);
                }
                log.append(zxid, payload, 0, txnBytes);
            }
            if (snapshotBytes > 0) {
                final UnsafeBuffer state = snapshotState((int)snapshotBytes);
                log.snapshot(log.lastZxid(), state, 0, state.capacity());
            }
            lastZxid = log.lastZxid();
            digest = log.digest();
        }
        try (Stream<Path> files = Files.walk(template)) {
            for (final Path file : (Iterable<Path>)files::iterator) {
                if (Files.isRegularFile(file)) {
                    SyncFiles.force(file);
                }
            }
        }
    }

    /** xorshift64 bytes: incompressible, and the same every run. */
    private static UnsafeBuffer snapshotState(final int bytes) {
        final UnsafeBuffer state = new UnsafeBuffer(new byte[bytes]);
        long x = 0x9E37_79B9_7F4A_7C15L;
        int i = 0;
        for (; i + Long.BYTES <= bytes; i += Long.BYTES) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            state.putLong(i, x, ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < bytes; i++) {
            state.putByte(i, (byte)i);
        }
        return state;
    }

    /**
     * Replaces {@code dataDir} with a copy of the template (epoch files, segments, snapshot), forced to
     * disk, so that no write-back of the set-up runs during the trials.
     */
    public void copyTo(final Path dataDir) throws IOException {
        FileTrees.delete(dataDir);
        try (Stream<Path> files = Files.walk(template)) {
            for (final Path from : (Iterable<Path>)files::iterator) {
                final Path to = dataDir.resolve(template.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                    SyncFiles.force(to);
                }
            }
        }
    }

    /** The last zxid of the history (1:N). */
    public long lastZxid() {
        return lastZxid;
    }

    /** The history digest ({@code TxnLog.digest()}) every synced member must end with. */
    public long digest() {
        return digest;
    }

    public long txns() {
        return txns;
    }

    public int txnBytes() {
        return txnBytes;
    }

    public long snapshotBytes() {
        return snapshotBytes;
    }

    public boolean hasSnapshot() {
        return snapshotBytes > 0;
    }
}
