package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;

import io.electionbench.core.Zxid;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random append / truncate / snapshot / reopen sequences give the same history in a
 * {@link FileTxnLog} (tiny segments, so rolls and whole-segment deletions are common), a
 * {@link MemoryTxnLog} and a plain model: a TreeMap of every txn ever in the history plus the
 * snapshot zxid.
 */
class TxnLogModelProperties {
    /** The model: the whole history (compacted txns included) and where the snapshot cuts it. */
    private final TreeMap<Long, byte[]> history = new TreeMap<>();
    private long snapshotZxid = -1;
    private byte[] snapshotState = new byte[0];

    /**
     * Each op is one int: v % 10 picks the action (0-5 append, 6 truncate, 7 snapshot, 8 reopen,
     * 9 flush) and v / 10 its argument (payload length, or which existing zxid to cut at).
     */
    @Property(tries = 300)
    void fileAndMemoryLogsMatchTheModel(
        @ForAll @Size(max = 80) final List<@IntRange(min = 0, max = 9999) Integer> ops,
        @ForAll @IntRange(min = 40, max = 400) final int segmentBytes) throws IOException {
        history.clear();
        snapshotZxid = -1;
        snapshotState = new byte[0];
        final Path dir = Files.createTempDirectory("txnlog-model");
        final FileTxnLog.Options options = new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER)
            .segmentBytes(segmentBytes)
            .warnings(warning -> {
                throw new AssertionError("clean shutdowns leave nothing to repair: " + warning);
            });
        final MemoryTxnLog memory = new MemoryTxnLog(2, 8);
        FileTxnLog file = FileTxnLog.open(dir, options);
        try {
            for (final int op : ops) {
                if (op % 10 == 8) {
                    file.close();
                    file = FileTxnLog.open(dir, options);
                } else {
                    apply(op, file);
                    apply(op, memory);
                    step(op);
                }
                check(memory);
                check(file);
            }
            file.close();
            file = FileTxnLog.open(dir, options);
            check(file);
        } finally {
            file.close();
            deleteRecursively(dir);
        }
    }

    /** The zxid the op appends: the next counter, or a new epoch every fifth op. */
    private long nextZxid() {
        final long last = history.isEmpty()
            ? Math.max(snapshotZxid, Zxid.make(1, 0))
            : Math.max(snapshotZxid, history.lastKey());
        return historyOp % 5 == 4 ? Zxid.make(Zxid.epoch(last) + 1, 1) : last + 1;
    }

    private int historyOp;

    /** An existing zxid at or after the snapshot, picked by the argument; -1 if none. */
    private long pick(final int argument) {
        final List<Long> candidates = new ArrayList<>(history.tailMap(snapshotZxid, true).keySet());
        if (snapshotZxid >= 0 && !candidates.contains(snapshotZxid)) {
            candidates.add(0, snapshotZxid);
        }
        return candidates.isEmpty() ? -1 : candidates.get(argument % candidates.size());
    }

    private static byte[] payload(final long zxid, final int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte)(zxid * 31 + i);
        }
        return bytes;
    }

    private void apply(final int op, final TxnLog log) {
        final int argument = op / 10;
        switch (op % 10) {
            case 6 -> {
                final long at = pick(argument);
                if (at >= 0) {
                    log.truncateAfter(at);
                }
            }
            case 7 -> {
                final long at = pick(argument);
                if (at >= 0) {
                    final byte[] state = payload(at, argument % 7);
                    log.snapshot(at, new UnsafeBuffer(state), 0, state.length);
                }
            }
            case 9 -> log.flush();
            default -> {
                final long zxid = nextZxid();
                final byte[] bytes = payload(zxid, argument % 50);
                log.append(zxid, new UnsafeBuffer(bytes), 0, bytes.length);
            }
        }
    }

    private void step(final int op) {
        final int argument = op / 10;
        switch (op % 10) {
            case 6 -> {
                final long at = pick(argument);
                if (at >= 0) {
                    history.tailMap(at, false).clear();
                }
            }
            case 7 -> {
                final long at = pick(argument);
                if (at >= 0) {
                    snapshotZxid = at;
                    snapshotState = payload(at, argument % 7);
                }
            }
            case 9 -> {
            }
            default -> {
                final long zxid = nextZxid();
                history.put(zxid, payload(zxid, argument % 50));
            }
        }
        historyOp++;
    }

    private void check(final TxnLog log) {
        final Map<Long, byte[]> held = history.tailMap(snapshotZxid, false);
        final List<String> expected = new ArrayList<>();
        long digest = 0;
        for (final Map.Entry<Long, byte[]> e : history.entrySet()) {
            digest += HistoryDigest.entryHash(e.getKey(), new UnsafeBuffer(e.getValue()), 0, e.getValue().length);
        }
        held.forEach((zxid, bytes) -> expected.add(zxid + ":" + java.util.Arrays.toString(bytes)));
        final List<String> actual = new ArrayList<>();
        log.read(0, (zxid, buffer, offset, length) -> {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            actual.add(zxid + ":" + java.util.Arrays.toString(bytes));
            return true;
        });
        assertEquals(expected, actual, log.toString());
        final long last = history.isEmpty() ? snapshotZxid : Math.max(snapshotZxid, history.lastKey());
        assertEquals(last, log.lastZxid(), log.toString());
        assertEquals(held.isEmpty() ? -1 : held.keySet().iterator().next(), log.firstZxid(), log.toString());
        assertEquals(snapshotZxid, log.snapshotZxid(), log.toString());
        assertEquals(held.size(), log.entryCount(), log.toString());
        assertEquals(digest, log.digest(), log.toString());
        final byte[] state = new byte[log.snapshotState().capacity()];
        log.snapshotState().getBytes(0, state);
        assertEquals(java.util.Arrays.toString(snapshotState), java.util.Arrays.toString(state), log.toString());
    }

    private static void deleteRecursively(final Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path p : (Iterable<Path>)files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
