package io.electionbench.core.log;

import java.nio.file.Path;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * Opens the {@link FileTxnLog} in {@code args[0]} and prints what it recovered, one line
 * {@code recovered lastZxid=.. entries=.. digest=.. snapshotZxid=.. snapshotBytes=.. snapshotCrc=..}, after a
 * {@code warning: } line per repair. Run in a child JVM with a small heap by {@link FileTxnLogSmallHeapRecoveryTest};
 * anything thrown ends it with a non-zero exit code.
 */
public final class RecoverLogMain {
    private RecoverLogMain() {
    }

    public static void main(final String[] args) throws Exception {
        final FileTxnLog.Options options = new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER)
            .warnings(warning -> System.out.println("warning: " + warning));
        try (FileTxnLog log = FileTxnLog.open(Path.of(args[0]), options)) {
            System.out.println("recovered " + summary(log));
        }
    }

    /** What a recovered log holds, in the form {@link #main} prints it. */
    static String summary(final FileTxnLog log) {
        return "lastZxid=" + Long.toHexString(log.lastZxid()) + " entries=" + log.entryCount() + " digest="
            + Long.toHexString(log.digest()) + " snapshotZxid=" + Long.toHexString(log.snapshotZxid())
            + " snapshotBytes=" + log.snapshotState().capacity() + " snapshotCrc=" + crc(log.snapshotState());
    }

    private static String crc(final DirectBuffer state) {
        final CRC32C crc = new CRC32C();
        final byte[] chunk = new byte[64 * 1024];
        for (int at = 0; at < state.capacity(); at += chunk.length) {
            final int length = Math.min(chunk.length, state.capacity() - at);
            state.getBytes(at, chunk, 0, length);
            crc.update(chunk, 0, length);
        }
        return Long.toHexString(crc.getValue());
    }
}
