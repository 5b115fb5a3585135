package io.electionbench.loadgen.zookeeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Releases resolved for real with Maven Resolver from the user's settings (Maven Central, or the cache the
 * build filled), and each bad input refused with one line before any server starts.
 */
class ZooKeeperReleasesTest {
    @TempDir
    Path dir;

    @Test
    void resolvesTheDefaultReleaseWithItsRuntimeDependenciesAndOneLoggingBinding() throws Exception {
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            final ZooKeeperDistribution zk = releases.resolve(ZooKeeperReleases.DEFAULT_VERSION);
            assertEquals("zk-3.9.5", zk.policyName());
            final List<String> names = zk.jars().stream().map(p -> p.getFileName().toString()).toList();
            assertTrue(names.contains("zookeeper-3.9.5.jar") && names.contains("zookeeper-jute-3.9.5.jar"),
                names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("netty-handler-")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("slf4j-simple-")), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.startsWith("logback-")), "one binding only: " + names);
            assertTrue(zk.jars().stream().allMatch(Files::isRegularFile), "every jar is on disk");
        }
    }

    @Test
    void refusesWhatIsNotASupportedRelease() throws Exception {
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            assertEquals("--zookeeper 3.7.2: only ZooKeeper 3.8.0 and later are supported",
                assertThrows(ZooKeeperVersionException.class, () -> releases.resolve("3.7.2")).getMessage());
            assertTrue(assertThrows(ZooKeeperVersionException.class, () -> releases.resolve("latest")).getMessage()
                .startsWith("--zookeeper latest: not a ZooKeeper release version"));
        }
    }

    @Test
    void aReleaseThatDoesNotExistIsNamed() throws Exception {
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings()) {
            final String message = assertThrows(ZooKeeperVersionException.class, () -> releases.resolve("3.9.99"))
                .getMessage();
            assertTrue(message.startsWith("--zookeeper 3.9.99: no such ZooKeeper release in "), message);
            assertEquals(-1, message.indexOf('\n'), "one line");
        }
    }

    /** No network (a mirror nobody listens on) and an empty local repository: one line saying both. */
    @Test
    void anUnreachableRepositoryWithNothingCachedIsOneLine() throws Exception {
        final Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, "<settings><localRepository>" + dir.resolve("empty-repo") + "</localRepository>"
            + "<mirrors><mirror><id>nowhere</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:9/maven2</url></mirror>"
            + "</mirrors></settings>");
        try (ZooKeeperReleases releases = ZooKeeperReleases.fromSettings(settings)) {
            assertEquals(dir.resolve("empty-repo"), releases.localRepository(), "settings.xml's local repository");
            final String message = assertThrows(ZooKeeperVersionException.class, () -> releases.resolve("3.9.5"))
                .getMessage();
            assertTrue(message.startsWith("--zookeeper 3.9.5: cannot resolve it from http://127.0.0.1:9/maven2 and"
                + " it is not complete in " + dir.resolve("empty-repo")), message);
            assertEquals(-1, message.indexOf('\n'), "one line");
        }
    }
}
