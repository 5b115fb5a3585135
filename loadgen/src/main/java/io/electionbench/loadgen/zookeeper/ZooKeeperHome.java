package io.electionbench.loadgen.zookeeper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * An unpacked {@code apache-zookeeper-X-bin} distribution: the jars of its {@code lib/} directory (and
 * its {@code conf/} directory on the class path, as {@code zkServer.sh} puts it there, for its logging
 * configuration). The version is read from the server jar's own {@code pom.properties}, never from the
 * directory's name, so a renamed or patched install is named by what it holds.
 */
public final class ZooKeeperHome {
    private static final String POM_PROPERTIES = "META-INF/maven/org.apache.zookeeper/zookeeper/pom.properties";

    private ZooKeeperHome() {
    }

    /**
     * @throws ZooKeeperVersionException one line naming the directory when it is missing, has no
     *                                   {@code lib/} with ZooKeeper's server jar, or that jar names no version
     */
    public static ZooKeeperDistribution open(final Path home) throws ZooKeeperVersionException {
        final Path lib = home.resolve("lib");
        if (!Files.isDirectory(home)) {
            throw new ZooKeeperVersionException("--zookeeper-home " + home + ": no such directory");
        }
        if (!Files.isDirectory(lib)) {
            throw new ZooKeeperVersionException("--zookeeper-home " + home + ": not a ZooKeeper distribution (no lib/"
                + " directory; expected an unpacked apache-zookeeper-X-bin)");
        }
        final List<Path> jars = new ArrayList<>();
        String version = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(lib, "*.jar")) {
            for (final Path jar : entries) {
                jars.add(jar);
                final String found = serverVersion(jar);
                if (found != null) {
                    version = found;
                }
            }
        } catch (final IOException ex) {
            throw new ZooKeeperVersionException("--zookeeper-home " + home + ": cannot read " + lib + ": "
                + ex.getMessage(), ex);
        }
        if (version == null) {
            throw new ZooKeeperVersionException("--zookeeper-home " + home
                + ": not a ZooKeeper distribution (no jar in " + lib + " holds ZooKeeper's server, " + POM_PROPERTIES
                + ")");
        }
        ZooKeeperReleases.checkSupported("--zookeeper-home " + home + " holds ZooKeeper " + version, version);
        jars.sort(null);
        final Path conf = home.resolve("conf");
        if (Files.isDirectory(conf)) {
            jars.add(0, conf);
        }
        return new ZooKeeperDistribution(version, jars, home.toString());
    }

    /** The version in a jar's ZooKeeper server {@code pom.properties}, or null when it is another jar. */
    private static String serverVersion(final Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            final ZipEntry entry = file.getEntry(POM_PROPERTIES);
            if (entry == null) {
                return null;
            }
            final Properties p = new Properties();
            try (InputStream in = file.getInputStream(entry)) {
                p.load(in);
            }
            return p.getProperty("version");
        }
    }
}
