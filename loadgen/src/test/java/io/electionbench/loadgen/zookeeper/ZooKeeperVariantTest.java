package io.electionbench.loadgen.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ZooKeeperVariantTest {
    private static final ZooKeeperDistribution ZK = new ZooKeeperDistribution("3.9.5", List.of(Path.of("zk.jar")),
        "test");

    @Test
    void variantsAreNamedCellsWithTheCommonKnobsUnderTheirOwn() {
        final List<ZooKeeperVariant> vs = ZooKeeperVariant.parseVariants("base:,cnx500:cnxTimeout=500;tickTime=500",
            ZooKeeperVariant.parseConfig(List.of("snapCount=5000", "tickTime=1000"), "--zk-config"));
        assertEquals(List.of("zk-3.9.5+base", "zk-3.9.5+cnx500"), vs.stream().map(v -> v.policyName(ZK)).toList());
        assertEquals(Map.of("snapCount", "5000", "tickTime", "1000"), vs.get(0).knobs());
        assertEquals("500", vs.get(1).knobs().get("tickTime"), "the variant's own knob wins");
        assertEquals(500, vs.get(1).timing("tickTime", 2000));
        assertEquals(10, vs.get(1).timing("initLimit", 10));
        assertEquals("zk-3.9.5", ZooKeeperVariant.NONE.policyName(ZK));
    }

    /** System-property knobs go on the command line, where ZooKeeper reads them; the rest into zoo.cfg. */
    @Test
    void eachKnobGoesWhereZooKeeperReadsIt() {
        final ZooKeeperVariant v = new ZooKeeperVariant("x", ZooKeeperVariant.parseConfig(List.of("cnxTimeout=500",
            "fastleader.minNotificationInterval=50", "forceSync=no", "zookeeper.snapshot.trust.empty=true",
            "snapCount=10",
            "globalOutstandingLimit=100"), "--zk-config"));
        assertEquals(List.of("snapCount=10", "globalOutstandingLimit=100"), v.zooCfgLines());
        assertEquals(List.of("-Dzookeeper.cnxTimeout=500", "-Dzookeeper.fastleader.minNotificationInterval=50",
            "-Dzookeeper.forceSync=no", "-Dzookeeper.snapshot.trust.empty=true"), v.jvmArguments());
    }

    @Test
    void badKnobsAndVariantsAreOneLineNamingThem() {
        assertEquals("--zk-config 'cnxTimeout' is not KEY=VALUE", assertThrows(IllegalArgumentException.class,
            () -> ZooKeeperVariant.parseConfig(List.of("cnxTimeout"), "--zk-config")).getMessage());
        assertEquals("--zk-config: dataDir is set by the load generator for every server and cannot be changed",
            assertThrows(IllegalArgumentException.class,
                () -> ZooKeeperVariant.parseConfig(List.of("dataDir=/x"), "--zk-config")).getMessage());
        assertEquals("--zk-variants cnx: server.1 is set by the load generator for every server and cannot be changed",
            assertThrows(IllegalArgumentException.class,
                () -> ZooKeeperVariant.parseVariants("cnx:server.1=h:1:2", Map.of())).getMessage());
        assertEquals("--zk-variants 'cnxTimeout=5' is not NAME:KEY=VALUE[;KEY=VALUE] (NAME: for none)",
            assertThrows(IllegalArgumentException.class, () -> ZooKeeperVariant.parseVariants("cnxTimeout=5", Map.of()))
                .getMessage());
        assertEquals("--zk-variants names 'a' twice",
            assertThrows(IllegalArgumentException.class, () -> ZooKeeperVariant.parseVariants("a:,a:x=1", Map.of()))
                .getMessage());
        assertEquals("--zk-variants name 'a b' may hold only letters, digits, '.', '_' and '-'",
            assertThrows(IllegalArgumentException.class, () -> ZooKeeperVariant.parseVariants("a b:", Map.of()))
            .getMessage());
        final ZooKeeperVariant badTick = ZooKeeperVariant.parseVariants("t:tickTime=fast", Map.of()).get(0);
        assertEquals("zookeeper variant t: tickTime=fast is not a positive integer",
            assertThrows(IllegalArgumentException.class, () -> badTick.timing("tickTime", 2000)).getMessage());
    }
}
