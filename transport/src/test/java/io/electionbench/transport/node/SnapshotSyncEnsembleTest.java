package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.transport.net.LeakWatch;

/**
 * A follower that starts empty is synced by SNAP over real sockets, the snapshot's chunks sent from
 * the leader's snapshot file as file regions (sendfile): its history (snapshot state, txns after it,
 * digest) ends equal to the leader's, and proposals broadcast afterwards reach both followers.
 */
@ExtendWith(LeakWatch.class)
class SnapshotSyncEnsembleTest {
    private static final int STATE_BYTES = 3 * 1024 * 1024 + 12_345;
    private static final int TXNS_BEFORE = 50;
    private static final int TXNS_AFTER = 10;

    @TempDir
    Path dir;

    @Test
    void anEmptyFollowerIsSyncedBySnapFromTheLeadersSnapshotFile() throws Exception {
        final Path template = dir.resolve("template");
        final byte[] state = writeHistory(template);
        copyTree(template, dir.resolve("node-2"));
        copyTree(template, dir.resolve("node-3"));
        final Map<Long, String> acknowledged = new LinkedHashMap<>();
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3)) {
            ensemble.start(3);
            ensemble.start(2);
            assertEquals(3, ensemble.awaitServing(15_000), "the largest sid with the same history leads");
            ensemble.start(1);
            assertEquals(3, ensemble.awaitServing(30_000));
            final String synced = Http.get(ensemble.admin(1) + "/state").body();
            assertEquals("SNAP", Http.field(synced, "syncMode"), synced);
            assertEquals("1:" + (TXNS_BEFORE + TXNS_AFTER), Http.field(synced, "lastZxid"), synced);
            final PromText metrics = PromText.parse(Http.get(ensemble.admin(3) + "/metrics").body());
            final long fileChunks = (long)metrics.value("electionbench_snapshot_file_chunks_sent_total");
            assertTrue(fileChunks >= STATE_BYTES / (128 * 1024),
                "the snapshot went as file regions: " + fileChunks + " chunks");

            for (int i = 1; i <= 5; i++) {
                final String payload = "after-snap-" + i;
                final HttpResponse<String> r =
                    Http.post(ensemble.admin(3) + "/write", payload.getBytes(StandardCharsets.US_ASCII), null);
                assertEquals(200, r.statusCode(), r.body());
                acknowledged.put(Zxid.parse(Http.field(r.body(), "zxid")), payload);
            }
            final long last = Zxid.make(2, 5);
            assertTrue(acknowledged.containsKey(last), acknowledged.toString());
            TestEnsemble.await(5_000, "both followers hold the broadcast proposals", () ->
                ensemble.nodes[1].status().zxid() == last && ensemble.nodes[2].status().zxid() == last,
                ensemble::describe);
        }

        final List<Long> digests = new ArrayList<>();
        for (long sid = 1; sid <= 3; sid++) {
            final Path logDir =
                dir.resolve("node-" + sid).resolve(NodeStorage.VERSION_DIR).resolve(NodeStorage.LOG_DIR);
            final List<String> warnings = new ArrayList<>();
            try (FileTxnLog log = FileTxnLog.open(logDir,
                new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.NEVER).warnings(warnings::add))) {
                assertTrue(warnings.isEmpty(), "node " + sid + " has nothing to repair: " + warnings);
                assertEquals(Zxid.make(1, TXNS_BEFORE), log.snapshotZxid(), "node " + sid);
                final byte[] held = new byte[log.snapshotState().capacity()];
                log.snapshotState().getBytes(0, held);
                assertArrayEquals(state, held, "node " + sid + "'s snapshot state");
                final Map<Long, String> txns = new LinkedHashMap<>();
                log.read(0, (zxid, buffer, offset, length) -> {
                    txns.put(zxid, buffer.getStringWithoutLengthAscii(offset, length));
                    return true;
                });
                final Map<Long, String> expected = new LinkedHashMap<>();
                for (int i = TXNS_BEFORE + 1; i <= TXNS_BEFORE + TXNS_AFTER; i++) {
                    expected.put(Zxid.make(1, i), "txn-" + i);
                }
                expected.putAll(acknowledged);
                assertEquals(expected, txns, "node " + sid + "'s txns after the snapshot");
                digests.add(log.digest());
            }
        }
        assertEquals(1, digests.stream().distinct().count(), "equal history digests: " + digests);
    }

    /** Epochs 1, txns 1:1..1:50 compacted into a snapshot of pseudo-random state, then 1:51..1:60. */
    private static byte[] writeHistory(final Path dataDir) throws Exception {
        final byte[] state = new byte[STATE_BYTES];
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte)random.nextInt();
        }
        try (NodeStorage storage = NodeStorage.open(dataDir, FsyncPolicy.NEVER)) {
            storage.acceptedEpoch(1);
            storage.currentEpoch(1);
            final FileTxnLog log = storage.log();
            for (int i = 1; i <= TXNS_BEFORE + TXNS_AFTER; i++) {
                final byte[] payload = ("txn-" + i).getBytes(StandardCharsets.US_ASCII);
                log.append(Zxid.make(1, i), new UnsafeBuffer(payload), 0, payload.length);
                if (i == TXNS_BEFORE) {
                    log.snapshot(Zxid.make(1, i), new UnsafeBuffer(state), 0, state.length);
                }
            }
        }
        return state;
    }

    private static void copyTree(final Path from, final Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (final Path source : (Iterable<Path>)files::iterator) {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

}
