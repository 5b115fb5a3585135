package io.electionbench.loadgen.zookeeper;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One Apache ZooKeeper server release ready to run: its version (read from its own jar, never from a
 * directory name) and the class path that runs {@code QuorumPeerMain} and ZooKeeper's client, either
 * resolved from Maven repositories ({@link ZooKeeperReleases}) or an unpacked distribution
 * ({@link ZooKeeperHome}). Nothing here assumes the servers run on this machine: the class path is a
 * list of files a target may copy anywhere (docs/loadgen.md, "ZooKeeper versions").
 *
 * @param version the release, as {@code 3.9.5}
 * @param jars    every jar the server and its client need, in class path order
 * @param origin  where it came from, for messages and the stored run config
 */
public record ZooKeeperDistribution(String version, List<Path> jars, String origin) {
    public ZooKeeperDistribution {
        jars = List.copyOf(jars);
    }

    /** The cell policy a run stores for this release: {@code zk-3.9.5}. */
    public String policyName() {
        return "zk-" + version;
    }

    /** The jars as one {@code -cp} argument. */
    public String classpath() {
        return jars.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }
}
