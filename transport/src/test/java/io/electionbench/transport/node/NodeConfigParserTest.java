package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.log.FsyncPolicy;

class NodeConfigParserTest {
    private static NodeConfig parse(final String... lines) throws ConfigException {
        return NodeConfigParser.parse("test.cfg", Path.of("/etc/eb"), Arrays.asList(lines));
    }

    private static String error(final String... lines) {
        return assertThrows(ConfigException.class, () -> parse(lines)).getMessage();
    }

    @Test
    void parsesEveryKey() throws Exception {
        final NodeConfig config = parse(
            "# comment", "", "tickTime=500", "initLimit=4", "syncLimit=2", "dataDir=/var/eb/node-%d",
            "electionPolicy=zookeeper", "fsync=batch", "peerAuthSecret=s", "adminToken=tok", "clientPort=2181",
            "server.1=10.0.0.1:2888:3888:participant", "admin.1=127.0.0.1:8081",
            "server.2=10.0.0.2:2888:3888",
            "server.3=10.0.0.3:2888:3888",
            "server.4=10.0.0.4:2888:3888:observer",
            "group.1=1:2:3", "weight.3=0");
        assertEquals(500, config.timing().tickTimeMs());
        assertEquals(4, config.timing().initLimit());
        assertEquals(2, config.timing().syncLimit());
        assertEquals(Path.of("/var/eb/node-3"), config.dataDir(3));
        assertEquals(ElectionPolicy.ZOOKEEPER, config.policy());
        assertEquals(FsyncPolicy.BATCH, config.fsync());
        assertTrue(config.hasPeerAuth());
        assertEquals("tok", config.adminToken());
        assertEquals(8081, config.admin(1).port());
        assertEquals(0, config.admin(2).port());
        assertEquals(4, config.ensemble().size());
        assertTrue(config.ensemble().isObserver(3));
        assertEquals("hierarchical", config.ensemble().quorum().kind());
        assertEquals(0, config.ensemble().quorum().weight(2));
        assertEquals(1000, config.handshakeTimeoutMs(), "tickTime*syncLimit by default");
        final String text = config.transportConfig(1).configText();
        assertTrue(text.startsWith("server.1=10.0.0.1:2888:3888:participant\n"), text);
        assertTrue(text.contains("server.4=10.0.0.4:2888:3888:observer\ngroup.1=1:2:3\nweight.3=0\nversion=0"), text);
    }

    @Test
    void errorsNameFileLineAndProblem() {
        assertTrue(error("server.1=h:1").startsWith("test.cfg:1: server.1=h:1 is not host:quorumPort"));
        assertTrue(error("server.1=h:1:2:leader").contains("role 'leader' is not participant or observer"));
        assertTrue(error("server.1=h:1:99999").contains("test.cfg:1: server.1 election port 99999 is not in 0..65535"));
        assertTrue(error("server.x=h:1:2").contains("test.cfg:1: server.x"));
        assertTrue(error("server.1=h:1:2", "tickTime=-1")
            .startsWith("test.cfg:2: tickTime must be a positive integer"));
        assertTrue(error("server.1=h:1:2", "electionPolicy=slow")
            .contains("test.cfg:2: unknown election policy 'slow'"));
        assertTrue(error("server.1=h:1:2", "fsync=sometimes").contains("test.cfg:2: fsync 'sometimes'"));
        assertTrue(error("server.1=h:1:2", "server.1=h:3:4")
            .contains("test.cfg:2: 'server.1' is already set on line 1"));
        assertTrue(error("just text").contains("test.cfg:1: expected key=value"));
        assertTrue(error("tickTime=5").contains("test.cfg: no server.N lines"));
        assertTrue(error("server.1=h:1:2", "group.1=1:7").contains("group 1 names server 7"));
        assertTrue(error("server.1=h:1:2", "peerAuthSecretFile=missing")
            .contains("test.cfg:2: cannot read peerAuthSecretFile"));
        assertTrue(error("server.1=h:1:1").contains("uses port 1 for both"));
    }

    @Test
    void clientConnectionLimitsAreParsed() throws Exception {
        final NodeConfig defaults = parse("server.1=h:1:2");
        assertEquals(60, defaults.transportConfig(1).maxClientCnxns(), "ZooKeeper's default");
        assertEquals(1024, defaults.transportConfig(1).maxCnxns());
        final NodeConfig set = parse("server.1=h:1:2", "maxClientCnxns=0", "maxCnxns=7");
        assertEquals(0, set.transportConfig(1).maxClientCnxns(), "0: no limit");
        assertEquals(7, set.transportConfig(1).maxCnxns());
        assertTrue(error("server.1=h:1:2", "maxClientCnxns=-1").startsWith("test.cfg:2: maxClientCnxns must be"));
        assertTrue(error("server.1=h:1:2", "maxCnxns=x").startsWith("test.cfg:2: maxCnxns 'x' is not an integer"));
    }

    /**
     * A zoo.cfg as ZooKeeper users write it is read as ZooKeeper reads it: {@code ;clientPort} is the client
     * address, ZooKeeper's own keys are ignored, and even a key ZooKeeper does not know is taken (ZooKeeper sets
     * it as a system property); all of it named, with lines, in one warning.
     */
    @Test
    void aZooKeeperZooCfgIsReadAsZooKeeperReadsIt() throws Exception {
        final NodeConfig config = parse("tickTime=2000", "initLimit=10", "syncLimit=5", "dataDir=/var/lib/zookeeper",
            "clientPort=2181", "forceSync=yes", "electionPortBindRetry=3",
            "metricsProvider.className=org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider",
            "metricsProvider.httpPort=7000", "4lw.commands.whitelist=*", "admin.serverPort=8080",
            "autopurge.purgeInterval=1", "server.1=zk1:2888:3888;2181",
            "server.2=zk2:2888:3888:participant;0.0.0.0:2181", "server.3=zk3:2888:3888", "tickTim=5");
        assertEquals(3, config.servers().size());
        assertEquals(2000, config.timing().tickTimeMs());
        assertEquals(0, config.admin(1).port(), "';2181' is the client port, not an admin address");
        assertEquals("zk1", config.server(1).host());
        assertEquals(2888, config.server(2).quorumPort());
        assertEquals("test.cfg: ignoring ZooKeeper keys that do not apply to an electionbench node:"
            + " clientPort (line 5), forceSync (line 6), electionPortBindRetry (line 7),"
            + " metricsProvider.className (line 8), metricsProvider.httpPort (line 9),"
            + " 4lw.commands.whitelist (line 10), admin.serverPort (line 11), autopurge.purgeInterval (line 12);"
            + " client addresses (ZooKeeper's ;clientPort; our nodes take writes on the quorum port, and the admin"
            + " endpoint is admin.N=host:port): server.1 ;2181, server.2 ;0.0.0.0:2181;"
            + " keys unknown to electionbench and to ZooKeeper's QuorumPeerConfig, which would set them as system"
            + " properties zookeeper.KEY: tickTim (line 16)", config.ignoredKeysWarning());
        assertEquals(null, parse("server.1=h:1:2", "admin.1=127.0.0.1:8081").ignoredKeysWarning(), "nothing to say");
    }

    @Test
    void badClientAndAdminAddressesAreNamed() {
        assertEquals("test.cfg:1: server.1 client port 99999 is not in 0..65535", error("server.1=h:1:2;99999"));
        assertEquals("test.cfg:1: server.1=h:1:2;3;4 has more than one ';'", error("server.1=h:1:2;3;4"));
        assertEquals("test.cfg:2: admin.1=8081 is not host:port", error("server.1=h:1:2", "admin.1=8081"));
        assertEquals("test.cfg:2: admin.2 names no server (no server.2 line)",
            error("server.1=h:1:2", "admin.2=127.0.0.1:8081"));
    }

    /** A member that shares an address with another would dial itself or fail to bind: refused at parse. */
    @Test
    void twoServersOnOneAddressAreRefused() {
        assertEquals("test.cfg:2: server.2's election address 10.0.0.1:3888 is also server.1's election address"
            + " (line 1)", error("server.1=10.0.0.1:2888:3888", "server.2=10.0.0.1:2889:3888"));
        assertEquals("test.cfg:3: server.3's quorum address H:2888 is also server.1's quorum address (line 1)",
            error("server.1=h:2888:3888", "server.2=h2:2888:3888", "server.3=H:2888:3889"));
        assertEquals("test.cfg:2: server.2's quorum address h:3888 is also server.1's election address (line 1)",
            error("server.1=h:2888:3888", "server.2=h:3888:3889"));
        assertEquals("test.cfg:4: server.2's admin address 127.0.0.1:8081 is also server.1's admin address (line 3)",
            error("server.1=h:1:2", "server.2=h2:1:2", "admin.1=127.0.0.1:8081", "admin.2=127.0.0.1:8081"));
        assertEquals("test.cfg:2: server.1's admin address h:2888 is also server.1's quorum address (line 1)",
            error("server.1=h:2888:3888", "admin.1=h:2888"));
    }

    @Test
    void ephemeralPortsAndOtherHostsMayRepeat() throws Exception {
        assertEquals(2, parse("server.1=127.0.0.1:0:0", "server.2=127.0.0.1:0:0").servers().size());
        assertEquals(2, parse("server.1=10.0.0.1:2888:3888", "server.2=10.0.0.2:2888:3888", "admin.1=127.0.0.1:8080",
            "admin.2=127.0.0.2:8080").servers().size());
    }

    /** With every weight 0 no set of servers is a quorum (HierarchicalQuorum counts no group): never electable. */
    @Test
    void aHierarchicalQuorumWithoutWeightIsRefused() throws Exception {
        assertEquals("test.cfg:5: every participant's weight is 0 (group.1 line 1, group.2 line 2; weight.1 line 3,"
            + " weight.2 line 4, weight.3 line 5): no set of servers can be a quorum",
            error("group.1=1:2", "group.2=3", "weight.1=0", "weight.2=0", "weight.3=0",
                "server.1=h:1:2", "server.2=h2:1:2", "server.3=h3:1:2"));
        assertEquals(0, parse("group.1=1:2", "group.2=3", "weight.3=0", "server.1=h:1:2", "server.2=h2:1:2",
            "server.3=h3:1:2").ensemble().quorum().weight(2), "a zero-weight group is fine while another has weight");
    }

    /** tickTime times syncLimit or initLimit is a timeout in ms, an int (as ZooKeeper's socket timeouts). */
    @Test
    void timeoutsThatOverflowAnIntNameTheirKeys() {
        assertEquals("test.cfg: tickTime x syncLimit = 1000000 (line 2) x 5000 (line 3) = 5000000000 ms is more than"
            + " 2147483647 ms, the longest timeout", error("server.1=h:1:2", "tickTime=1000000", "syncLimit=5000"));
        assertEquals("test.cfg: tickTime x initLimit = 2000 (default) x 2000000 (line 2) = 4000000000 ms is more than"
            + " 2147483647 ms, the longest timeout", error("server.1=h:1:2", "initLimit=2000000"));
    }

    @Test
    void defaultsAreZooKeepersSampleConfig() throws Exception {
        final NodeConfig config = parse("server.1=h:1:2");
        assertEquals(2000, config.timing().tickTimeMs());
        assertEquals(ElectionPolicy.defaultPolicy(), config.policy());
        assertEquals(FsyncPolicy.ALWAYS, config.fsync());
        assertFalse(config.hasPeerAuth());
        assertEquals(null, config.dataDir(1));
        final List<String> empty = List.of();
        assertThrows(ConfigException.class, () -> NodeConfigParser.parse("x", null, empty));
    }
}
