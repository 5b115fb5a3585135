package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.RefuseReason;
import io.electionbench.transport.net.TransportCounters;

@ExtendWith(LeakWatch.class)
class PeerAuthTest {
    @TempDir
    Path dir;

    @Test
    void membersWithTheSecretElect() throws Exception {
        Files.writeString(dir.resolve("secret"), "correct horse battery staple\n");
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, "peerAuthSecretFile=secret")) {
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(10_000);
            for (int sid = 1; sid <= 3; sid++) {
                assertTrue(ensemble.nodes[sid].counters().get(TransportCounters.AUTH_SUCCEEDED) >= 2, "node " + sid);
                assertEquals(0, ensemble.nodes[sid].counters().refusedCount(RefuseReason.AUTH_FAILED));
            }
            ensemble.stop(leader);
            ensemble.awaitLeader(10_000);
        }
    }

    @Test
    void wrongSecretAndPlainPeersAreRefused() throws Exception {
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, "peerAuthSecret=right")) {
            ensemble.start(1);
            ensemble.start(2);
            final long leader = ensemble.awaitLeader(10_000);
            // Node 3 runs with another secret: every link it tries is refused, and it never joins.
            final List<String> wrong = Files.readAllLines(ensemble.configFile).stream()
                .map(line -> line.startsWith("peerAuthSecret=") ? "peerAuthSecret=wrong" : line)
                .collect(Collectors.toList());
            final Path wrongConfig = dir.resolve("wrong.cfg");
            Files.write(wrongConfig, wrong);
            try (ElectionNode intruder = new ElectionNode(NodeConfigParser.parse(wrongConfig), 3)) {
                intruder.start();
                TestEnsemble.await(5_000, "auth failures counted", () ->
                    ensemble.nodes[1].counters().refusedCount(RefuseReason.AUTH_FAILED)
                        + ensemble.nodes[2].counters().refusedCount(RefuseReason.AUTH_FAILED)
                        + intruder.counters().refusedCount(RefuseReason.AUTH_FAILED) >= 2);
                // Its agent publishes its first state after its first duty cycle; it must be LOOKING
                // (never FOLLOWING: it was refused), and still LOOKING once the leader is confirmed.
                TestEnsemble.await(5_000, "the intruder publishing LOOKING", () ->
                    "LOOKING".equals(intruder.status().state()));
                assertEquals(leader, ensemble.awaitLeader(1_000));
                assertEquals("LOOKING", intruder.status().state());
            }
            // A plain ZooKeeper-style peer (header, no challenge) is dropped at the handshake deadline.
            try (RawPeer peer = new RawPeer(ensemble.electionPorts[0])) {
                peer.headerV1(3, "127.0.0.1:" + ensemble.electionPorts[2]);
                peer.frame(RawPeer.notification(0, 3, 0, 0, 0));
                assertTrue(peer.isClosedByPeer());
            }
            assertTrue(ensemble.nodes[1].counters().refusedCount(RefuseReason.HANDSHAKE_TIMEOUT)
                + ensemble.nodes[1].counters().refusedCount(RefuseReason.AUTH_FAILED) >= 1);
        }
    }
}
