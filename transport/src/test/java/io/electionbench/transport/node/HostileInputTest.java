package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.FailReason;
import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.RefuseReason;
import io.electionbench.transport.net.TransportCounters;
import io.electionbench.transport.wire.WireError;

/**
 * Hostile bytes over real sockets against a running 3-node ensemble: each case closes its connection
 * (or drops its frame, where ZooKeeper does) with a counter, and the ensemble still re-elects after.
 */
@ExtendWith(LeakWatch.class)
class HostileInputTest {
    /**
     * The election water mark's high mark (64 KiB) plus one drain's batch (a 16 KiB outbound ring of answers),
     * with room.
     */
    private static final long MAX_ELECTION_PENDING_BYTES = 256 << 10;
    @TempDir
    Path dir;
    private TestEnsemble ensemble;
    private ElectionNode target;
    private int port;
    private String fakeAddress;

    @BeforeEach
    void start() throws Exception {
        ensemble = new TestEnsemble(dir, 3);
        ensemble.startAll();
        ensemble.awaitLeader(10_000);
        target = ensemble.nodes[1];
        port = ensemble.electionPorts[0];
        fakeAddress = "127.0.0.1:" + ensemble.electionPorts[2];
    }

    @AfterEach
    void stop() {
        ensemble.close();
    }

    @Test
    void bareIntThenClose() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.raw(ByteBuffer.allocate(4).putInt(1 << 30).array());
        }
        awaitRefused(RefuseReason.TRUNCATED_HANDSHAKE, 1);
        assertReelects();
    }

    @Test
    void badFrameLengthsCloseTheLink() throws Exception {
        // Node 3 is running: each raw connection claiming its sid replaces node 3's link at node 1 until
        // node 1 closes it, which must not cost anybody their role.
        ensemble.awaitServing(10_000);
        final long[][] roles = roles();
        for (final int length : new int[] {-20, 0, 512 * 1024 + 1, Integer.MAX_VALUE}) {
            try (RawPeer peer = new RawPeer(port)) {
                peer.headerV1(3, fakeAddress);
                peer.raw(ByteBuffer.allocate(4).putInt(length).array());
                assertTrue(peer.isClosedByPeer(), "length " + length);
            }
        }
        awaitBadFrames(WireError.BAD_FRAME_LENGTH, 4);
        assertNobodyLeft(roles);
        assertReelects();
    }

    /**
     * Without a peer secret anyone may claim the leader's sid on a follower's election port: the larger
     * sid's new connection replaces the real one (closing it, so the leader sees its end drop too), and
     * then hangs up. As in ZooKeeper, a follower notices its leader's loss only on its quorum link or by
     * the leader's silence, and a leader its learner's only on theirs: nobody leaves.
     */
    @Test
    void anImpostorClaimingTheLeadersSidMakesNobodyLeave() throws Exception {
        long leader = ensemble.awaitServing(10_000);
        if (leader == 1) {
            // No follower has a smaller sid, so none would take the impostor for its leader: move the lead.
            ensemble.stop(1);
            ensemble.awaitLeader(10_000);
            ensemble.start(1);
            leader = ensemble.awaitServing(10_000);
        }
        final long[][] roles = roles();
        for (int round = 0; round < 5; round++) {
            for (int follower = 1; follower < leader; follower++) {
                final ElectionNode node = ensemble.nodes[follower];
                final long received = node.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED);
                try (RawPeer impostor = new RawPeer(ensemble.electionPorts[follower - 1])) {
                    // Header and a vote in one write, so they arrive together and the vote proves the link opened.
                    final byte[] address =
                        ("127.0.0.1:" + ensemble.electionPorts[(int)leader - 1]).getBytes(StandardCharsets.UTF_8);
                    impostor.raw(ByteBuffer.allocate(20 + address.length + 48).putLong(-65536L).putLong(leader)
                        .putInt(address.length).put(address)
                        .putInt(44).put(RawPeer.notification(0, leader, 0, 0, 0)).array());
                    TestEnsemble.await(5_000, "the impostor's vote at " + follower, () ->
                        node.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED) > received);
                }
            }
        }
        assertNobodyLeft(roles);
        assertReelects();
    }

    /** Per node: the time of its last state change, its decisions and election rounds. */
    private long[][] roles() {
        final long[][] roles = new long[ensemble.nodes.length][];
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            final NodeStatus status = ensemble.nodes[sid].status();
            roles[sid] = new long[] {status.sinceNs(), status.decisions(), status.electionRounds()};
        }
        return roles;
    }

    /**
     * After more than syncLimit of the leader's pings (each node's quorum link busy for 15 more
     * messages, 750 ms at tickTime 100, where syncLimit is 500 ms), every node still holds the role
     * {@link #roles()} saw: a leader that had dropped a learner would have gone silent on it by then.
     */
    private void assertNobodyLeft(final long[][] roles) {
        final long[] quorumReceived = new long[ensemble.nodes.length];
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            quorumReceived[sid] = ensemble.nodes[sid].counters().get(TransportCounters.QUORUM_RECEIVED);
        }
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            final ElectionNode node = ensemble.nodes[sid];
            final long before = quorumReceived[sid];
            TestEnsemble.await(10_000, "syncLimit of pings at " + sid, () ->
                node.counters().get(TransportCounters.QUORUM_RECEIVED) >= before + 15);
        }
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            final NodeStatus status = ensemble.nodes[sid].status();
            assertArrayEquals(roles[sid], new long[] {status.sinceNs(), status.decisions(), status.electionRounds()},
                "node " + sid + " changed state: " + ensemble.describe());
        }
    }

    @Test
    void badHeadersAreRefused() throws Exception {
        try (RawPeer peer = new RawPeer(port)) {
            peer.raw(ByteBuffer.allocate(20).putLong(-7).putLong(3).putInt(5).array());
            assertTrue(peer.isClosedByPeer());
        }
        try (RawPeer peer = new RawPeer(port)) {
            peer.raw(ByteBuffer.allocate(20).putLong(-65536L).putLong(3).putInt(1_000_000).array());
            assertTrue(peer.isClosedByPeer());
        }
        try (RawPeer peer = new RawPeer(port)) {
            peer.headerV1(99, "127.0.0.1:1");
            assertTrue(peer.isClosedByPeer());
        }
        awaitBadFrames(WireError.UNKNOWN_PROTOCOL_VERSION, 1);
        awaitBadFrames(WireError.BAD_ADDRESS_LENGTH, 1);
        awaitRefused(RefuseReason.UNKNOWN_SID, 1);
        assertReelects();
    }

    @Test
    void malformedNotificationsAreDroppedAndTheLinkSurvives() throws Exception {
        // The impersonated member is down: a running node 3 would redial node 1 within milliseconds and
        // replace the raw connection (a new connection from the larger sid wins), closing it mid-test.
        ensemble.stop(3);
        ensemble.awaitLeader(10_000);
        try (RawPeer peer = new RawPeer(port)) {
            peer.headerV1(3, fakeAddress);
            peer.frame(new byte[20]);
            peer.frame(new byte[30]);
            peer.frame(ByteBuffer.allocate(44).putInt(36, 2).putInt(40, -1).array());
            peer.frame(ByteBuffer.allocate(50).putInt(36, 2).putInt(40, 7).array());
            peer.frame(ByteBuffer.allocate(44).putInt(0, 9).putInt(36, 2).array());
            awaitBadFrames(WireError.NOTIFICATION_TOO_SHORT, 2);
            awaitBadFrames(WireError.BAD_CONFIG_LENGTH, 2);
            awaitBadFrames(WireError.UNKNOWN_STATE, 1);
            // Still open and still answered: a LOOKING vote from an old round gets the current vote back.
            peer.frame(RawPeer.notification(0, 3, 0, 0, 0));
            final ByteBuffer reply = peer.readNotification(n -> n.getInt(0) != 0);
            assertNotEquals(0, reply.getInt(0), "a decided node answers with its real state");
        }
        ensemble.start(3);
        assertReelects();
    }

    /**
     * A peer posing as a member that is down floods LOOKING votes and never reads. Every vote gets an
     * answer, but an election link keeps only the newest one while its channel is not writable, so the
     * node's outbound buffer for that peer stays bounded (unbounded, it held 246k answers and ran out
     * of direct memory), and the node goes on electing while the flood runs.
     */
    @Test
    void aPeerThatFloodsAndNeverReadsCannotGrowTheOutboundBuffer() throws Exception {
        ensemble.stop(3);
        ensemble.awaitLeader(10_000);
        final ElectionNode flooded = ensemble.nodes[1];
        final AtomicBoolean isFlooding = new AtomicBoolean(true);
        final AtomicLong maxPending = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        try (RawPeer peer = new RawPeer(port, 4096)) {
            peer.headerV1(3, fakeAddress);
            final Thread flood = new Thread(() -> flood(peer, isFlooding, sent), "flood");
            final Thread sampler = new Thread(() -> {
                while (isFlooding.get()) {
                    maxPending.accumulateAndGet(flooded.transport().electionPendingBytes(3), Math::max);
                    LockSupport.parkNanos(200_000);
                }
            }, "sampler");
            flood.start();
            sampler.start();
            try {
                TestEnsemble.await(20_000, "the flooded link to keep only the newest answer", () ->
                    flooded.counters().get(TransportCounters.NOTIFICATIONS_SUPERSEDED) > 1_000
                        || maxPending.get() > MAX_ELECTION_PENDING_BYTES);
                assertTrue(maxPending.get() <= MAX_ELECTION_PENDING_BYTES,
                    "outbound bytes pending to the flooder: " + maxPending.get());
                // Still electing under the flood: without node 2 it looks, with it back they elect.
                ensemble.stop(2);
                TestEnsemble.await(5_000, "node 1 looking", () -> "LOOKING".equals(flooded.status().state()));
                ensemble.start(2);
                ensemble.awaitLeader(20_000);
            } finally {
                isFlooding.set(false);
                flood.join(10_000);
                sampler.join(10_000);
            }
            assertTrue(sent.get() > 100_000, "the flood sent " + sent.get() + " votes");
            assertTrue(maxPending.get() <= MAX_ELECTION_PENDING_BYTES,
                "outbound bytes pending to the flooder: " + maxPending.get());
            assertTrue(flooded.counters().get(TransportCounters.NOTIFICATIONS_SUPERSEDED) > 1_000);
        }
        ensemble.start(3);
        assertReelects();
    }

    /** Sends LOOKING votes from round 0 (each one answered) in batches, until told to stop or the node closes. */
    private static void flood(final RawPeer peer, final AtomicBoolean isFlooding, final AtomicLong sent) {
        final int perBatch = 1_000;
        final ByteBuffer batch = ByteBuffer.allocate(perBatch * 48);
        for (int i = 0; i < perBatch; i++) {
            batch.putInt(44).put(RawPeer.notification(0, 3, 0, 0, 0));
        }
        try {
            while (isFlooding.get()) {
                peer.raw(batch.array());
                sent.addAndGet(perBatch);
                LockSupport.parkNanos(2_000_000);
            }
        } catch (final IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A peer that resets its open link is counted and reported, not closed silently. */
    @Test
    void aLinkResetByThePeerIsCountedAsFailed() throws Exception {
        ensemble.stop(3);
        ensemble.awaitLeader(10_000);
        final ElectionNode node = ensemble.nodes[1];
        // Stopping node 3 may itself reset a link or two: count from here.
        final long before = node.counters().failedCount(FailReason.IO_ERROR);
        try (RawPeer peer = new RawPeer(port)) {
            peer.headerV1(3, fakeAddress);
            TestEnsemble.await(5_000, "the link open", () -> node.transport().isElectionLinkUp(3));
            peer.socket.setSoLinger(true, 0);
        }
        TestEnsemble.await(5_000, "the reset counted", () -> node.counters().failedCount(FailReason.IO_ERROR) > before);
        final double ioErrors = PromText.parse(node.metricsText()).value("electionbench_connections_failed_total",
            "reason", "io_error");
        assertTrue(ioErrors > before, "io_error " + ioErrors + " after " + before);
        assertEquals(0, node.counters().failedCount(FailReason.HANDLER_ERROR));
        ensemble.start(3);
        assertReelects();
    }

    @Test
    void noiseAndSilentConnectionsAreClosed() throws Exception {
        final Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            try (RawPeer peer = new RawPeer(port)) {
                final byte[] noise = new byte[64 + random.nextInt(512)];
                random.nextBytes(noise);
                noise[0] = (byte)0x80;
                peer.raw(noise);
                assertTrue(peer.isClosedByPeer(), "noise " + i);
            }
        }
        final List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                silent.add(new Socket("127.0.0.1", port));
            }
            awaitRefused(RefuseReason.HANDSHAKE_TIMEOUT, 200);
            for (final Socket socket : silent) {
                socket.setSoTimeout(2000);
                assertEquals(-1, socket.getInputStream().read(), "silent connection closed by the node");
            }
        } finally {
            for (final Socket socket : silent) {
                socket.close();
            }
        }
        assertReelects();
    }

    @Test
    void quorumPortRefusesBadHeadersWrongDirectionAndBadMessages() throws Exception {
        final int quorumPort = ensemble.quorumPorts[0];
        try (RawPeer peer = new RawPeer(quorumPort)) {
            peer.raw(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
            assertTrue(peer.isClosedByPeer());
        }
        try (RawPeer peer = new RawPeer(ensemble.quorumPorts[2])) {
            peer.raw(ByteBuffer.allocate(16).putInt(0x45425150).putShort((short)1).putShort((short)0)
                .putLong(1).array());
            assertTrue(peer.isClosedByPeer(), "only the larger sid dials the quorum port");
        }
        try (RawPeer peer = new RawPeer(quorumPort)) {
            peer.raw(ByteBuffer.allocate(16).putInt(0x45425150).putShort((short)1).putShort((short)0)
                .putLong(3).array());
            peer.frame(new byte[] {(byte)0xEB, 1, 0, 99});
            assertTrue(peer.isClosedByPeer());
        }
        awaitBadFrames(WireError.BAD_MAGIC, 1);
        awaitBadFrames(WireError.UNKNOWN_TYPE, 1);
        TestEnsemble.await(5_000, "wrong direction refused", () ->
            ensemble.nodes[3].counters().refusedCount(RefuseReason.WRONG_DIRECTION) >= 1);
        assertReelects();
    }

    /**
     * The forged epoch of issue 18 over real sockets: with follower 3 down, an impostor connects to the
     * leader's quorum port as 3 and announces accepted epoch 2^32-1 (refused at the wire, the connection
     * closed and counted) and then 2^31-2 (in range: it may cost an election, but moves the epoch by two at
     * most). After the leader is killed and 3 restarts, the ensemble elects, serves and commits writes, and
     * no member's epoch is anywhere near the end of the epoch space.
     */
    @Test
    void aForgedAcceptedEpochCannotDisableTheEnsemble() throws Exception {
        long leader = ensemble.awaitServing(10_000);
        if (leader == 3) {
            ensemble.stop(3);
            leader = ensemble.awaitLeader(10_000);
            ensemble.start(3);
            ensemble.awaitServing(10_000);
        }
        final ElectionNode attacked = ensemble.nodes[(int)leader];
        final long epochBefore = attacked.status().epoch();
        assertEquals("200",
            String.valueOf(Http.post(ensemble.admin(leader) + "/write", new byte[] {1}, null).statusCode()));
        ensemble.stop(3);
        final int quorumPort = ensemble.quorumPorts[(int)leader - 1];
        for (int i = 0; i < 20; i++) {
            try (RawPeer peer = new RawPeer(quorumPort)) {
                peer.raw(quorumHeader(3));
                peer.frame(learnerInfo((1L << 32) - 1));
                assertTrue(peer.isClosedByPeer(), "an epoch beyond the epoch space closes the connection");
            }
        }
        TestEnsemble.await(5_000, "bad_epoch >= 20", () -> attacked.counters().badFrames(WireError.BAD_EPOCH) >= 20);
        for (int i = 0; i < 5; i++) {
            try (RawPeer peer = new RawPeer(quorumPort)) {
                peer.raw(quorumHeader(3));
                peer.frame(learnerInfo(io.electionbench.core.Zxid.MAX_EPOCH - 1));
                peer.isClosedByPeer();
            }
            ensemble.awaitServing(10_000);
        }
        ensemble.stop(ensemble.awaitServing(10_000));
        ensemble.start(3);
        final long next = ensemble.awaitServing(10_000);
        final HttpResponse<String> write = Http.post(ensemble.admin(next) + "/write", new byte[] {2}, null);
        assertEquals(200, write.statusCode(), write.body());
        assertEquals("committed", Http.field(write.body(), "status"));
        for (final ElectionNode node : ensemble.nodes) {
            if (node != null) {
                assertTrue(node.status().acceptedEpoch() <= epochBefore + 2 * 7 + 2,
                    "node " + node.sid() + " accepted " + node.status().acceptedEpoch() + ", from " + epochBefore);
            }
        }
    }

    /**
     * The edited file of issue 18: a follower's acceptedEpoch set to 9000000000000000004 stops that node at
     * start with one message naming the file and the value; the others keep serving and writing, and
     * with the file restored the node rejoins.
     */
    @Test
    void aDamagedEpochFileStopsOnlyThatNodeAndNamesIt() throws Exception {
        final long leader = ensemble.awaitServing(10_000);
        final long follower = leader == 1 ? 2 : 1;
        ensemble.stop(follower);
        final Path file = dir.resolve("node-" + follower).resolve("version-2").resolve("acceptedEpoch");
        final String original = java.nio.file.Files.readString(file);
        java.nio.file.Files.writeString(file, "9000000000000000004\n");
        final IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
            () -> ensemble.start(follower));
        ensemble.nodes[(int)follower].close();
        ensemble.nodes[(int)follower] = null;
        assertTrue(refused.getMessage().contains(file + " holds epoch 9000000000000000004"), refused.getMessage());
        assertEquals("9000000000000000004\n", java.nio.file.Files.readString(file), "nothing rewritten");
        final HttpResponse<String> write = Http.post(ensemble.admin(ensemble.awaitServing(10_000)) + "/write",
            new byte[] {3}, null);
        assertEquals("committed", Http.field(write.body(), "status"), write.body());
        java.nio.file.Files.writeString(file, original);
        ensemble.start(follower);
        ensemble.awaitServing(10_000);
    }

    /** The quorum port's connection header as member {@code sid} without a secret (docs/transport.md). */
    private static byte[] quorumHeader(final long sid) {
        return ByteBuffer.allocate(16).putInt(0x45425150).putShort((short)1).putShort((short)0).putLong(sid).array();
    }

    /** A LEARNER_INFO payload: frame header, accepted epoch, last zxid 0, flags 0. */
    private static byte[] learnerInfo(final long acceptedEpoch) {
        return ByteBuffer.allocate(24).put((byte)0xEB).put((byte)1).putShort((short)1).putLong(acceptedEpoch).putLong(0)
            .putInt(0).array();
    }

    /**
     * Both followers' admin ports flooded with pipelined {@code GET /metrics} that nobody reads (two
     * connections each, 20,000 requests per connection), held unread while the leader is closed: the new
     * leader serves about as soon as without the flood. Unbounded, the flooded nodes' event loop, shared with
     * the peer links, spent the failover writing answers and the ensemble was left without a leader.
     * After one warm-up failover, the median of five flooded ones is within 2x of the median of five
     * undisturbed ones plus 250 ms: a failover here takes 5-50 ms, and this 2-core machine, shared with
     * other builds, moves single ones by a hundred ms or more.
     */
    @Test
    void pipelinedAdminRequestsDuringAFailoverDoNotSlowIt() throws Exception {
        final int rounds = 5;
        failoverMs(false);
        final long[] undisturbedMs = new long[rounds];
        final long[] floodedMs = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            undisturbedMs[i] = failoverMs(false);
        }
        for (int i = 0; i < rounds; i++) {
            floodedMs[i] = failoverMs(true);
        }
        final long undisturbed = median(undisturbedMs);
        final long flooded = median(floodedMs);
        final String figures = "failover with flooded admin ports " + Arrays.toString(floodedMs) + " ms (median "
            + flooded + "), undisturbed " + Arrays.toString(undisturbedMs) + " ms (median " + undisturbed + ")";
        System.out.println("HostileInputTest: " + figures);
        assertTrue(flooded <= 2 * undisturbed + 250, figures);
    }

    /** Closes the serving leader (flooding both followers' admin ports first if asked); ms until all serve again. */
    private long failoverMs(final boolean isFlooded) throws Exception {
        final long leader = ensemble.awaitServing(10_000);
        final List<RawHttp> clients = new ArrayList<>();
        final List<Thread> writers = new ArrayList<>();
        final long elapsedMs;
        try {
            if (isFlooded) {
                flood(leader, clients, writers);
            }
            final long startNs = System.nanoTime();
            ensemble.stop(leader);
            ensemble.awaitServing(20_000);
            elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        } finally {
            for (final RawHttp client : clients) {
                client.close();
            }
            for (final Thread writer : writers) {
                writer.join(10_000);
            }
        }
        ensemble.start(leader);
        ensemble.awaitServing(10_000);
        return elapsedMs;
    }

    /**
     * Two connections per follower pipelining 20,000 requests each; returns once each follower answered some
     * and then stopped answering (its answers no longer leave, so it stopped reading).
     */
    private void flood(final long leader, final List<RawHttp> clients, final List<Thread> writers) throws IOException {
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            if (sid == leader) {
                continue;
            }
            final AdminServer admin = ensemble.nodes[sid].admin();
            final long answered = admin.answered();
            for (int c = 0; c < 2; c++) {
                final RawHttp client = new RawHttp(ensemble.adminPorts[sid - 1], 4096);
                clients.add(client);
                final Thread writer = new Thread(() -> client.pipeline(AdminHostileInputTest.GET_METRICS, 20_000),
                    "pipeline");
                writers.add(writer);
                writer.start();
            }
            TestEnsemble.await(10_000, "node " + sid + " answering the flood", () -> admin.answered() >= answered + 20);
        }
        for (int sid = 1; sid < ensemble.nodes.length; sid++) {
            if (sid != leader) {
                AdminHostileInputTest.awaitAnswersSettle(ensemble.nodes[sid].admin(), Long.MAX_VALUE, 300);
            }
        }
    }

    private static long median(final long[] values) {
        final long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private void awaitRefused(final RefuseReason reason, final long atLeast) {
        TestEnsemble.await(5_000, reason + " >= " + atLeast, () -> target.counters().refusedCount(reason) >= atLeast);
    }

    private void awaitBadFrames(final WireError error, final long atLeast) {
        TestEnsemble.await(5_000, error + " >= " + atLeast, () -> target.counters().badFrames(error) >= atLeast);
    }

    /** The ensemble has a leader; stopping it yields another one. */
    private void assertReelects() {
        final long leader = ensemble.awaitLeader(10_000);
        ensemble.stop(leader);
        final long next = ensemble.awaitLeader(10_000);
        assertNotEquals(leader, next);
        assertTrue(target.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED) > 0);
    }
}
