package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.LeakWatch;
import io.electionbench.transport.net.RefuseReason;
import io.electionbench.transport.net.TransportCounters;

/**
 * Mutual TLS on both peer ports over real loopback sockets. Keys are made per run with the JDK's
 * keytool (no private key is checked in): one key pair shared by the ensemble, an intruder's own
 * key pair, and a trust store holding only the ensemble's certificate.
 */
@ExtendWith(LeakWatch.class)
class TlsTest {
    private static final String PASSWORD = "changeit-" + System.nanoTime();

    @TempDir
    static Path keys;

    static Path ensembleKeys;
    static Path intruderKeys;
    static Path noSanKeys;
    static Path trust;

    @BeforeAll
    static void makeKeys() throws Exception {
        ensembleKeys = keys.resolve("ensemble.p12");
        intruderKeys = keys.resolve("intruder.p12");
        noSanKeys = keys.resolve("nosan.p12");
        final Process ensemble =
            keytool(ensembleKeys, "CN=electionbench ensemble", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        final Process intruder =
            keytool(intruderKeys, "CN=electionbench intruder", "-ext", "SAN=ip:127.0.0.1,dns:localhost");
        final Process noSan = keytool(noSanKeys, "CN=electionbench elsewhere", "-ext", "SAN=dns:elsewhere.example");
        awaitExit(ensemble);
        awaitExit(intruder);
        awaitExit(noSan);
        trust = keys.resolve("trust.p12");
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ensemble", certificate(ensembleKeys));
        trusted.setCertificateEntry("elsewhere", certificate(noSanKeys));
        try (OutputStream out = Files.newOutputStream(trust)) {
            trusted.store(out, PASSWORD.toCharArray());
        }
    }

    private static Certificate certificate(final Path store) throws Exception {
        final KeyStore source = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            source.load(in, PASSWORD.toCharArray());
        }
        return source.getCertificate("peer");
    }

    private static Process keytool(final Path store, final String dname, final String... extra) throws IOException {
        final Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        final List<String> command = new ArrayList<>(Arrays.asList(keytool.toString(), "-genkeypair", "-alias", "peer",
            "-keyalg", "EC", "-groupname", "secp256r1", "-dname", dname, "-validity", "2", "-storetype", "PKCS12",
            "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD));
        command.addAll(Arrays.asList(extra));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void awaitExit(final Process process) throws Exception {
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), "keytool: " + output);
    }

    private static String[] tlsLines(final Path keyStore, final String... extra) {
        final List<String> lines = new ArrayList<>(Arrays.asList(
            "sslQuorum=true",
            "ssl.quorum.keyStore.location=" + keyStore,
            "ssl.quorum.keyStore.password=" + PASSWORD,
            "ssl.quorum.trustStore.location=" + trust,
            "ssl.quorum.trustStore.password=" + PASSWORD,
            "ssl.quorum.hostnameVerification=true"));
        lines.addAll(Arrays.asList(extra));
        return lines.toArray(new String[0]);
    }

    /** The ensemble's config file with its TLS lines rewritten (or dropped when {@code keyStore} is null). */
    private static NodeConfig variant(final TestEnsemble ensemble, final String name, final Path keyStore)
        throws Exception {
        final List<String> lines = Files.readAllLines(ensemble.configFile).stream()
            .filter(line -> keyStore != null || !line.startsWith("ssl"))
            .map(line -> line.startsWith("ssl.quorum.keyStore.location=")
                ? "ssl.quorum.keyStore.location=" + keyStore : line)
            .collect(Collectors.toList());
        final Path file = ensemble.dir.resolve(name);
        Files.write(file, lines);
        return NodeConfigParser.parse(file);
    }

    private static long tlsFailures(final ElectionNode node) {
        return node.counters().refusedCount(RefuseReason.TLS_HANDSHAKE_FAILED);
    }

    @Test
    void tlsEnsembleWithPeerAuthElectsLosesLeaderAndReelects() throws Exception {
        final Path dir = Files.createDirectories(keys.resolve("elects"));
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, tlsLines(ensembleKeys, "peerAuthSecret=inside-tls"))) {
            assertTrue(ensemble.config.hasTls());
            ensemble.startAll();
            final long leader = ensemble.awaitLeader(15_000);
            for (int sid = 1; sid <= 3; sid++) {
                final ElectionNode node = ensemble.nodes[sid];
                // Each node has at least one connection per peer on each port, so >= 2 handshakes of each kind;
                // a leader can be agreed on before the last link's handshake is counted, so wait for it.
                TestEnsemble.await(5_000, "node " + sid + " TLS handshakes and HMAC inside TLS",
                    () -> node.counters().get(TransportCounters.TLS_HANDSHAKES) >= 2
                        && node.counters().get(TransportCounters.AUTH_SUCCEEDED) >= 2);
                assertEquals(0, tlsFailures(node), "node " + sid);
                assertEquals(0, PromText.parse(node.metricsText()).value("electionbench_connections_refused_total",
                    "reason", "tls_handshake_failed"), "node " + sid);
            }
            ensemble.stop(leader);
            final long next = ensemble.awaitServing(15_000);
            assertTrue(next != leader);
            for (int i = 1; i <= 5; i++) {
                final HttpResponse<String> r = Http.post(ensemble.admin(next) + "/write", new byte[] {(byte)i}, null);
                assertEquals(200, r.statusCode(), r.body());
            }
            // The old leader rejoins behind by five txns: a DIFF, whose record batches cannot go as file
            // regions through TLS, so they are read into their frames.
            ensemble.start(leader);
            assertEquals(next, ensemble.awaitServing(15_000));
            TestEnsemble.await(10_000, "the old leader caught up", () ->
                ensemble.nodes[(int)leader].status().zxid() == ensemble.nodes[(int)next].status().zxid(),
                ensemble::describe);
            assertEquals("DIFF", ensemble.nodes[(int)leader].status().syncMode());
            final ElectionNode nextLeader = ensemble.nodes[(int)next];
            assertTrue(nextLeader.counters().get(TransportCounters.RECORD_BATCHES_COPIED) >= 1,
                nextLeader.metricsText());
            assertEquals(0, nextLeader.counters().get(TransportCounters.RECORD_FILE_BATCHES));
        }
    }

    @Test
    void nodeWithAnUntrustedCertificateIsRefusedAndNeverJoins() throws Exception {
        final Path dir = Files.createDirectories(keys.resolve("untrusted"));
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, tlsLines(ensembleKeys))) {
            ensemble.start(1);
            ensemble.start(2);
            final long leader = ensemble.awaitLeader(15_000);
            // Node 3 trusts the ensemble but holds a key the ensemble does not trust.
            try (ElectionNode intruder = new ElectionNode(variant(ensemble, "intruder.cfg", intruderKeys), 3)) {
                intruder.crashAction(intruder::close);
                intruder.start();
                TestEnsemble.await(10_000, "TLS refusals of node 3 on nodes 1 and 2 (both ports)", () ->
                    tlsFailures(ensemble.nodes[1]) >= 2 && tlsFailures(ensemble.nodes[2]) >= 2);
                // Its first state is published after its first duty cycle; refused, it must be LOOKING.
                TestEnsemble.await(5_000, "intruder publishing LOOKING", () ->
                    "LOOKING".equals(intruder.status().state()));
                assertEquals("LOOKING", intruder.status().state());
                assertEquals(0, intruder.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED),
                    "nothing reached the intruder's agent");
                assertEquals(leader, ensemble.awaitLeader(1_000));
                assertTrue(!ensemble.nodes[1].transport().isElectionLinkUp(3)
                    && !ensemble.nodes[2].transport().isElectionLinkUp(3));
            }
            // The ensemble keeps electing: losing the leader of two leaves no quorum, so restart node 3 properly.
            ensemble.start(3);
            ensemble.awaitLeader(15_000);
        }
    }

    @Test
    void plainTextPeersAgainstATlsEnsembleAreRefused() throws Exception {
        final Path dir = Files.createDirectories(keys.resolve("plain"));
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, tlsLines(ensembleKeys))) {
            ensemble.start(1);
            ensemble.start(2);
            final long leader = ensemble.awaitLeader(15_000);
            // A ZooKeeper peer without TLS: its plain header is not a TLS record.
            final long before = tlsFailures(ensemble.nodes[1]);
            try (RawPeer peer = new RawPeer(ensemble.electionPorts[0])) {
                peer.headerV1(3, "127.0.0.1:" + ensemble.electionPorts[2]);
                peer.frame(RawPeer.notification(0, 3, 0, 0, 0));
                assertTrue(peer.isClosedByPeer());
            }
            TestEnsemble.await(5_000, "a TLS refusal on node 1", () -> tlsFailures(ensemble.nodes[1]) > before);
            assertEquals(tlsFailures(ensemble.nodes[1]), PromText.parse(ensemble.nodes[1].metricsText())
                .value("electionbench_connections_refused_total", "reason", "tls_handshake_failed"));
            // A whole electionbench node without TLS: refused both ways, never joins.
            try (ElectionNode plain = new ElectionNode(variant(ensemble, "plain.cfg", null), 3)) {
                plain.crashAction(plain::close);
                plain.start();
                final long failures = tlsFailures(ensemble.nodes[1]) + tlsFailures(ensemble.nodes[2]);
                TestEnsemble.await(10_000, "TLS refusals of the plain node", () ->
                    tlsFailures(ensemble.nodes[1]) + tlsFailures(ensemble.nodes[2]) >= failures + 2);
                // Its first state is published after its first duty cycle; refused, it must be LOOKING.
                TestEnsemble.await(5_000, "plain publishing LOOKING", () -> "LOOKING".equals(plain.status().state()));
                assertEquals("LOOKING", plain.status().state());
                assertEquals(0, plain.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED));
                assertEquals(leader, ensemble.awaitLeader(1_000));
            }
            assertEquals(leader, ensemble.awaitLeader(1_000));
        }
    }

    @Test
    void dialerRefusesACertificateThatDoesNotNameTheDialedHost() throws Exception {
        final Path dir = Files.createDirectories(keys.resolve("hostname"));
        try (TestEnsemble ensemble = new TestEnsemble(dir, 3, tlsLines(ensembleKeys))) {
            ensemble.start(2);
            ensemble.start(3);
            ensemble.awaitLeader(15_000);
            // Node 1's certificate is trusted but names elsewhere.example, not 127.0.0.1; nodes 2 and 3
            // dial node 1 (the larger sid dials), check the name and hang up.
            try (ElectionNode misnamed = new ElectionNode(variant(ensemble, "misnamed.cfg", noSanKeys), 1)) {
                misnamed.crashAction(misnamed::close);
                misnamed.start();
                TestEnsemble.await(10_000, "nodes 2 and 3 refuse node 1's certificate", () ->
                    tlsFailures(ensemble.nodes[2]) >= 1 && tlsFailures(ensemble.nodes[3]) >= 1);
                // Its first state is published after its first duty cycle; refused, it must be LOOKING.
                TestEnsemble.await(5_000, "misnamed publishing LOOKING", () ->
                    "LOOKING".equals(misnamed.status().state()));
                assertEquals("LOOKING", misnamed.status().state());
                assertEquals(0, misnamed.counters().get(TransportCounters.NOTIFICATIONS_RECEIVED));
            }
        }
    }

    @Test
    void badStoresFailWhileParsingNamingTheKeyAndTheFile() throws Exception {
        final Path missing = keys.resolve("missing.p12");
        assertTrue(error(tlsLines(missing)).contains("ssl.quorum.keyStore.location " + missing + ": no such file"));
        final String wrongPassword = error(withLine(tlsLines(ensembleKeys), "ssl.quorum.keyStore.password=", "nope"));
        assertTrue(wrongPassword.contains(
            "ssl.quorum.keyStore.password is wrong for ssl.quorum.keyStore.location " + ensembleKeys), wrongPassword);
        final String wrongTrustPassword =
            error(withLine(tlsLines(ensembleKeys), "ssl.quorum.trustStore.password=", "nope"));
        assertTrue(wrongTrustPassword.contains(
            "ssl.quorum.trustStore.password is wrong for ssl.quorum.trustStore.location " + trust),
            wrongTrustPassword);
        final Path garbage = Files.writeString(keys.resolve("garbage.p12"), "not a key store");
        final String unreadable = error(tlsLines(garbage));
        assertTrue(unreadable.contains("ssl.quorum.keyStore.location " + garbage + " is not a readable PKCS12 store"),
            unreadable);
        final Path pem = Files.writeString(keys.resolve("peer.pem"), "-----BEGIN CERTIFICATE-----");
        assertTrue(error(tlsLines(pem)).contains("ssl.quorum.keyStore.type 'PEM'"));
        assertTrue(error("sslQuorum=true").contains("sslQuorum=true needs ssl.quorum.keyStore.location"));
        assertTrue(error("sslQuorum=true", "ssl.quorum.keyStore.location=" + ensembleKeys,
            "ssl.quorum.keyStore.password=" + PASSWORD).contains("needs ssl.quorum.trustStore.location"));
        assertTrue(error(tlsLines(ensembleKeys, "ssl.quorum.clientAuth=want")).contains("peers always use mutual TLS"));
        assertTrue(error(tlsLines(ensembleKeys, "ssl.quorum.enabledProtocols=SSLv2"))
            .contains("ssl.quorum.enabledProtocols: 'SSLv2'"));
        assertTrue(error("portUnification=true").contains("portUnification=true is not supported"));
        assertTrue(error("ssl.quorum.keyStor.location=x").contains("unsupported key 'ssl.quorum.keyStor.location'"));
    }

    @Test
    void passwordFilesAndZooKeeperClientTlsKeysAreAccepted() throws Exception {
        final Path passwordFile = Files.writeString(keys.resolve("store.pass"), PASSWORD + "\n");
        final NodeConfig config = parse("sslQuorum=true", "ssl.quorum.keyStore.location=ensemble.p12",
            "ssl.quorum.keyStore.passwordPath=store.pass", "ssl.quorum.trustStore.location=trust.p12",
            "ssl.quorum.trustStore.passwordPath=store.pass", "ssl.quorum.clientAuth=need",
            "secureClientPort=2281", "ssl.keyStore.location=/elsewhere/client.jks", "ssl.clientAuth=want");
        assertTrue(config.hasTls());
        assertTrue(config.transportConfig(1).isTlsEnabled());
        assertTrue(passwordFile.toFile().isFile());
        // Client-port TLS keys alone do not turn on peer TLS (ZooKeeper's sslQuorum is the switch).
        assertTrue(!parse("ssl.keyStore.location=/elsewhere/client.jks").hasTls());
    }

    private static String[] withLine(final String[] lines, final String prefix, final String value) {
        return Arrays.stream(lines).map(line -> line.startsWith(prefix) ? prefix + value : line).toArray(String[]::new);
    }

    private static NodeConfig parse(final String... lines) throws ConfigException {
        final List<String> all = new ArrayList<>(Arrays.asList(lines));
        all.add("server.1=127.0.0.1:1:2");
        return NodeConfigParser.parse("tls.cfg", keys, all);
    }

    private static String error(final String... lines) {
        final String message = assertThrows(ConfigException.class, () -> parse(lines)).getMessage();
        assertTrue(message.startsWith("tls.cfg:"), message);
        return message;
    }
}
