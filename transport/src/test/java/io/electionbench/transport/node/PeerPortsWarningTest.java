package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.net.LeakWatch;

/**
 * Without a peer secret or TLS whoever reaches the quorum port can pose as a member, so a node whose
 * peer ports listen beyond loopback says so in one WARN line at start.
 */
@ExtendWith(LeakWatch.class)
class PeerPortsWarningTest {
    private static final String MARK = "listen beyond loopback with neither peerAuthSecret nor sslQuorum";
    @TempDir
    Path dir;

    @Test
    void onlyUnprotectedPortsBeyondLoopbackWarn() {
        final InetSocketAddress election = new InetSocketAddress("10.0.0.1", 3888);
        final String line = ElectionNode.unprotectedPeerPortsWarning(2, false, false, "10.0.0.1",
            new InetSocketAddress("10.0.0.1", 2888), election);
        assertEquals("node 2: the peer ports 10.0.0.1:2888 and :3888 " + MARK + ": whoever can reach them can pose as a"
            + " member; set peerAuthSecretFile (docs/transport.md)", line);
        assertTrue(warning(false, false, "0.0.0.0").contains(MARK), "the wildcard address listens on every interface");
        assertNull(warning(true, false, "10.0.0.1"), "a peer secret");
        assertNull(warning(false, true, "10.0.0.1"), "TLS");
        for (final String loopback : new String[] {"127.0.0.1", "127.0.0.2", "::1"}) {
            assertNull(warning(false, false, loopback), loopback);
        }
    }

    private static String warning(final boolean hasPeerAuth, final boolean hasTls, final String bound) {
        return ElectionNode.unprotectedPeerPortsWarning(1, hasPeerAuth, hasTls, bound,
            new InetSocketAddress(bound, 2888), new InetSocketAddress(bound, 3888));
    }

    /** A one-member ensemble dials nobody, so binding the wildcard address sends no traffic anywhere. */
    @Test
    void aNodeOnTheWildcardAddressWithoutSecretWarnsOnceAtStart() throws Exception {
        assertEquals(1, warningsAtStart("0.0.0.0"), "one WARN line");
        assertEquals(0, warningsAtStart("0.0.0.0", "peerAuthSecret=s3cret"));
        assertEquals(0, warningsAtStart("127.0.0.1"));
    }

    private long warningsAtStart(final String host, final String... extraLines) throws Exception {
        final int[] ports = FreePorts.pick(2);
        final List<String> lines = new ArrayList<>(Arrays.asList("tickTime=100", "dataDir=" + dir.resolve(host + "-%d"),
            "server.1=" + host + ":" + ports[0] + ":" + ports[1]));
        lines.addAll(Arrays.asList(extraLines));
        final NodeConfig config = NodeConfigParser.parse("test.cfg", dir, lines);
        final PrintStream savedErr = System.err;
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try (ElectionNode node = new ElectionNode(config, 1)) {
            node.start();
        } finally {
            System.setErr(savedErr);
        }
        final String log = err.toString(StandardCharsets.UTF_8);
        savedErr.print(log);
        return log.lines().filter(l -> l.contains(MARK)).count();
    }
}
