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
            "server.1=10.0.0.1:2888:3888:participant;127.0.0.1:8081",
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
        assertEquals("test.cfg:2: unknown key 'tickTim'", error("server.1=h:1:2", "tickTim=5"));
        assertTrue(error("server.1=h:1").startsWith("test.cfg:1: server.1=h:1 is not host:quorumPort"));
        assertTrue(error("server.1=h:1:2:leader").contains("role 'leader' is not participant or observer"));
        assertTrue(error("server.1=h:1:99999").contains("test.cfg:1: server.1 election port 99999 is not in 0..65535"));
        assertTrue(error("server.x=h:1:2").contains("test.cfg:1: server.x"));
        assertTrue(error("server.1=h:1:2", "tickTime=-1").startsWith("test.cfg:2: tickTime must be a positive integer"));
        assertTrue(error("server.1=h:1:2", "electionPolicy=slow").contains("test.cfg:2: unknown election policy 'slow'"));
        assertTrue(error("server.1=h:1:2", "fsync=sometimes").contains("test.cfg:2: fsync 'sometimes'"));
        assertTrue(error("server.1=h:1:2", "server.1=h:3:4").contains("test.cfg:2: 'server.1' is already set on line 1"));
        assertTrue(error("just text").contains("test.cfg:1: expected key=value"));
        assertTrue(error("tickTime=5").contains("test.cfg: no server.N lines"));
        assertTrue(error("server.1=h:1:2", "group.1=1:7").contains("group 1 names server 7"));
        assertTrue(error("server.1=h:1:2", "peerAuthSecretFile=missing").contains("test.cfg:2: cannot read peerAuthSecretFile"));
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

    /** A member that shares an address with another would dial itself or fail to bind: refused at parse. */
    @Test
    void twoServersOnOneAddressAreRefused() {
        assertEquals("test.cfg:2: server.2's election address 10.0.0.1:3888 is also server.1's election address"
            + " (line 1)", error("server.1=10.0.0.1:2888:3888", "server.2=10.0.0.1:2889:3888"));
        assertEquals("test.cfg:3: server.3's quorum address H:2888 is also server.1's quorum address (line 1)",
            error("server.1=h:2888:3888", "server.2=h2:2888:3888", "server.3=H:2888:3889"));
        assertEquals("test.cfg:2: server.2's quorum address h:3888 is also server.1's election address (line 1)",
            error("server.1=h:2888:3888", "server.2=h:3888:3889"));
        assertEquals("test.cfg:2: server.2's admin address 127.0.0.1:8081 is also server.1's admin address (line 1)",
            error("server.1=h:1:2;127.0.0.1:8081", "server.2=h2:1:2;127.0.0.1:8081"));
        assertEquals("test.cfg:1: server.1's admin address h:2888 is also server.1's quorum address (line 1)",
            error("server.1=h:2888:3888;h:2888"));
    }

    @Test
    void ephemeralPortsAndOtherHostsMayRepeat() throws Exception {
        assertEquals(2, parse("server.1=127.0.0.1:0:0", "server.2=127.0.0.1:0:0").servers().size());
        assertEquals(2, parse("server.1=10.0.0.1:2888:3888;127.0.0.1:8080",
            "server.2=10.0.0.2:2888:3888;127.0.0.2:8080").servers().size());
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
