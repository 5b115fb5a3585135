package io.electionbench.loadgen.zookeeper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.maven.settings.Mirror;
import org.apache.maven.settings.Settings;
import org.apache.maven.settings.building.DefaultSettingsBuilderFactory;
import org.apache.maven.settings.building.DefaultSettingsBuildingRequest;
import org.apache.maven.settings.building.SettingsBuildingException;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession.CloseableSession;
import org.eclipse.aether.artifact.Artifact;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactDescriptorException;
import org.eclipse.aether.resolution.ArtifactDescriptorRequest;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.supplier.SessionBuilderSupplier;
import org.eclipse.aether.transfer.ArtifactNotFoundException;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;
import org.eclipse.aether.util.repository.DefaultMirrorSelector;

/**
 * Resolves Apache ZooKeeper server releases at run time with Maven Resolver, the library Maven itself
 * uses: {@code org.apache.zookeeper:zookeeper:VERSION} and its runtime dependencies, from Maven Central
 * (or the mirror the user's {@code ~/.m2/settings.xml} names for it) into the local repository that
 * file names (default {@code ~/.m2/repository}), so a release fetched once is there offline. The servers
 * log through slf4j-simple of the slf4j version the release uses, whichever binding it ships with.
 *
 * <p>Only releases from 3.8.0 on are accepted: the election wire and the four-letter words the load
 * generator reads are those of 3.8 and 3.9 (docs/loadgen.md, "ZooKeeper versions").
 */
public final class ZooKeeperReleases implements AutoCloseable {
    public static final String DEFAULT_VERSION = "3.9.5";
    static final String GROUP = "org.apache.zookeeper";
    static final String ARTIFACT = "zookeeper";
    private static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");
    /**
     * Dependencies ZooKeeper's pom declares {@code provided} but its binary distribution ships in
     * {@code lib/}, because the server needs them: metrics-core for its default metrics provider (it will
     * not start without), snappy-java for compressed snapshots.
     */
    private static final java.util.Set<String> SHIPPED_PROVIDED = java.util.Set.of("metrics-core", "snappy-java");

    private final RepositorySystem system;
    private final CloseableSession session;
    private final List<RemoteRepository> repositories;
    private final Path localRepository;

    private ZooKeeperReleases(final Path localRepository, final DefaultMirrorSelector mirrors,
        final boolean isOffline) {
        this.localRepository = localRepository;
        this.system = new RepositorySystemSupplier().get();
        this.session = new SessionBuilderSupplier(system).get()
            .withLocalRepositoryBaseDirectories(localRepository)
            .setMirrorSelector(mirrors)
            .setOffline(isOffline)
            .setSystemProperties(System.getProperties())
            .build();
        final RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL).build();
        final RemoteRepository mirror = mirrors.getMirror(central);
        this.repositories = List.of(mirror != null ? mirror : central);
    }

    /**
     * Reads the user's and the installation's {@code settings.xml} as Maven does (local repository,
     * mirrors, offline), then opens a resolver session on them.
     *
     * @throws ZooKeeperVersionException when a settings file cannot be read, naming it
     */
    public static ZooKeeperReleases fromSettings() throws ZooKeeperVersionException {
        return fromSettings(Path.of(System.getProperty("user.home"), ".m2", "settings.xml"));
    }

    /** As {@link #fromSettings()}, with the user settings file given (it need not exist). */
    public static ZooKeeperReleases fromSettings(final Path userSettings) throws ZooKeeperVersionException {
        final DefaultSettingsBuildingRequest request = new DefaultSettingsBuildingRequest()
            .setUserSettingsFile(userSettings.toFile()).setSystemProperties(System.getProperties());
        final String mavenHome = System.getenv("MAVEN_HOME");
        if (mavenHome != null) {
            request.setGlobalSettingsFile(Path.of(mavenHome, "conf", "settings.xml").toFile());
        }
        final Settings settings;
        try {
            settings = new DefaultSettingsBuilderFactory().newInstance().build(request).getEffectiveSettings();
        } catch (final SettingsBuildingException ex) {
            throw new ZooKeeperVersionException("cannot read Maven settings (" + userSettings + "): "
                + ex.getProblems().get(0).getMessage(), ex);
        }
        final DefaultMirrorSelector mirrors = new DefaultMirrorSelector();
        for (final Mirror m : settings.getMirrors()) {
            mirrors.add(m.getId(), m.getUrl(), m.getLayout(), false, m.isBlocked(), m.getMirrorOf(),
                m.getMirrorOfLayouts());
        }
        final Path local = settings.getLocalRepository() != null && !settings.getLocalRepository().isBlank()
            ? Path.of(settings.getLocalRepository()) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        return new ZooKeeperReleases(local, mirrors, settings.isOffline());
    }

    /**
     * The release {@code version} with every jar its server and client need at run time.
     *
     * @throws ZooKeeperVersionException one line: not a version, older than 3.8.0, no such release in the
     *                                   repository, or the repository cannot be reached and nothing is cached
     */
    public ZooKeeperDistribution resolve(final String version) throws ZooKeeperVersionException {
        checkSupported("--zookeeper " + version, version);
        final List<Path> jars = new ArrayList<>();
        String slf4jVersion = null;
        try {
            final DefaultArtifact server = new DefaultArtifact(GROUP, ARTIFACT, "jar", version);
            final CollectRequest collect = new CollectRequest(new Dependency(server, JavaScopes.RUNTIME), repositories);
            for (final Dependency d : system.readArtifactDescriptor(session,
                new ArtifactDescriptorRequest(server, repositories, null)).getDependencies()) {
                if (JavaScopes.PROVIDED.equals(d.getScope())
                    && SHIPPED_PROVIDED.contains(d.getArtifact().getArtifactId())) {
                    collect.addDependency(new Dependency(d.getArtifact(), JavaScopes.RUNTIME));
                }
            }
            final DependencyRequest request = new DependencyRequest(collect,
                DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            for (final ArtifactResult result : system.resolveDependencies(session, request).getArtifactResults()) {
                final Artifact a = result.getArtifact();
                if (a.getGroupId().equals("ch.qos.logback") || a.getGroupId().equals("org.slf4j") && !a.getArtifactId()
                    .equals("slf4j-api")) {
                    continue; // one binding for every version: slf4j-simple, added below
                }
                if (a.getGroupId().equals("org.slf4j")) {
                    slf4jVersion = a.getVersion();
                }
                jars.add(a.getPath());
            }
            if (slf4jVersion != null) {
                jars.add(artifact("org.slf4j", "slf4j-simple", slf4jVersion));
            }
        } catch (final DependencyResolutionException | ArtifactResolutionException | ArtifactDescriptorException ex) {
            throw failure(version, ex);
        }
        return new ZooKeeperDistribution(version, jars, GROUP + ":" + ARTIFACT + ":" + version + " from "
            + repositories.get(0).getUrl() + " via " + localRepository);
    }

    private Path artifact(final String group, final String id,
        final String version) throws ArtifactResolutionException {
        final ArtifactRequest request = new ArtifactRequest(new DefaultArtifact(group, id, "jar", version),
            repositories, null);
        return system.resolveArtifact(session, request).getArtifact().getPath();
    }

    /** From 3.8.0 on, three numbers; anything else is refused before any resolution starts. */
    static void checkSupported(final String what, final String version) throws ZooKeeperVersionException {
        final Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            throw new ZooKeeperVersionException(what + ": not a ZooKeeper release version (expected"
                + " major.minor.patch, such as " + DEFAULT_VERSION + ")");
        }
        final int major = Integer.parseInt(m.group(1));
        final int minor = Integer.parseInt(m.group(2));
        if (major < 3 || major == 3 && minor < 8) {
            throw new ZooKeeperVersionException(what + ": only ZooKeeper 3.8.0 and later are supported");
        }
    }

    private ZooKeeperVersionException failure(final String version, final Exception ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof ArtifactNotFoundException notFound
                && notFound.getArtifact() != null && notFound.getArtifact().getArtifactId().equals(ARTIFACT)) {
                return new ZooKeeperVersionException("--zookeeper " + version + ": no such ZooKeeper release in "
                    + repositories.get(0).getUrl() + " (nor in " + localRepository + ")", ex);
            }
        }
        Throwable root = ex;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return new ZooKeeperVersionException("--zookeeper " + version + ": cannot resolve it from "
            + repositories.get(0).getUrl() + " and it is not complete in " + localRepository + ": " + oneLine(root),
            ex);
    }

    private static String oneLine(final Throwable t) {
        final String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        final int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The local repository releases are resolved into. */
    public Path localRepository() {
        return localRepository;
    }

    @Override
    public void close() {
        session.close();
        system.shutdown();
    }
}
