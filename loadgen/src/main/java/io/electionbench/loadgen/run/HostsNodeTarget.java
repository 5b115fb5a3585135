package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.hosts.Fleet;
import io.electionbench.loadgen.hosts.Inventory;
import io.electionbench.results.HostClock;

/**
 * Our nodes on the hosts of an inventory ({@code run --target hosts}, docs/loadgen.md "Running on your own
 * machines"): the load generator installs this JVM's class path and a generated config on every host over SSH,
 * starts {@code electionbench node} there detached, and kills (-9), pauses (SIGSTOP) and resumes it through the
 * host's own shell. Partitions are firewall rules in the hosts' own kernels ({@link HostFaults}). The nodes are
 * observed by polling {@code GET /state} from the load generator ({@link #observeByPolling}), so every instant is
 * on the load generator's clock; their event streams would stamp times on each host's clock.
 */
final class HostsNodeTarget extends AdminTarget {
    private static final String MAIN = "io.electionbench.loadgen.Main";
    private final Fleet fleet;
    private final HostFaults faults;
    private final String classpath;

    private HostsNodeTarget(final Path configFile, final Inventory inventory, final Map<Long, String> urls,
        final Map<Long, InetSocketAddress> quorum, final Fleet fleet, final String classpath) {
        super(configFile, Ensemble.majority(inventory.size()), urls, null, quorum, null, null);
        this.fleet = fleet;
        this.faults = new HostFaults(fleet);
        this.classpath = classpath;
        observeByPolling();
    }

    /** Connects to every host, installs the class path and each node's config; starts nothing. */
    static HostsNodeTarget open(final Inventory inventory, final Path workDir, final ElectionPolicy policy,
        final NodeTiming timing,
        final FsyncPolicy fsync) throws Exception {
        final Map<Long, String> urls = new HashMap<>();
        final Map<Long, InetSocketAddress> quorum = new HashMap<>();
        final List<String> servers = new ArrayList<>();
        for (final Inventory.Server s : inventory.servers()) {
            urls.put(s.sid(), "http://" + s.address() + ":" + s.servicePort());
            quorum.put(s.sid(), InetSocketAddress.createUnresolved(s.address(), s.quorumPort()));
            servers.add("server." + s.sid() + "=" + s.address() + ":" + s.quorumPort() + ":" + s.electionPort()
                + ":participant");
            servers.add("admin." + s.sid() + "=" + s.address() + ":" + s.servicePort());
        }
        final Fleet fleet = Fleet.open(inventory, Fleet.newTag());
        try {
            final String classpath = fleet.install(localClasspath());
            String last = null;
            for (final Inventory.Server s : inventory.servers()) {
                final List<String> lines = new ArrayList<>(List.of("# written by electionbench run --target hosts, run "
                    + fleet.tag(), "tickTime=" + timing.tickTimeMs(), "initLimit=" + timing.initLimit(), "syncLimit="
                        + timing.syncLimit(),
                    "electionPolicy=" + policy.name(), "fsync=" + fsync.name().toLowerCase(Locale.ROOT),
                    "dataDir=" + fleet.runDir(s) + "/node-%d"));
                lines.addAll(servers);
                last = String.join("\n", lines) + "\n";
                fleet.writeFile(s.sid(), "ensemble.cfg", last);
            }
            Files.createDirectories(workDir);
            final Path local = workDir.resolve("hosts-ensemble.cfg");
            Files.writeString(local, last);
            return new HostsNodeTarget(local, inventory, urls, quorum, fleet, classpath);
        } catch (final Exception ex) {
            fleet.close();
            throw ex;
        }
    }

    /**
     * This JVM's class path entries that exist: what {@code electionbench node} needs on every host. A jar whose
     * manifest has a {@code Class-Path} (a launcher's manifest-only jar, as Maven Surefire's) stands for those
     * entries, since its absolute URLs would name files of this machine on every host.
     */
    static List<Path> localClasspath() throws IOException {
        final List<Path> out = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.isEmpty() && Files.exists(Path.of(entry))) {
                out.addAll(expand(Path.of(entry).toAbsolutePath()));
            }
        }
        return out;
    }

    private static List<Path> expand(final Path entry) throws IOException {
        if (!Files.isRegularFile(entry) || !entry.toString().endsWith(".jar")) {
            return List.of(entry);
        }
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(entry.toFile())) {
            final java.util.jar.Manifest manifest = jar.getManifest();
            final String classPath = manifest == null ? null : manifest.getMainAttributes().getValue("Class-Path");
            if (classPath == null || jar.getEntry("META-INF/MANIFEST.MF") != null && jar.size() > 2) {
                return List.of(entry); // a jar with classes of its own (ours) keeps its Class-Path as its business
            }
            final List<Path> out = new ArrayList<>();
            for (final String url : classPath.trim().split("\\s+")) {
                final Path p = Path.of(entry.toUri().resolve(url));
                if (Files.exists(p)) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    @Override
    public String name() {
        return "hosts";
    }

    @Override
    protected void launch(final long sid) throws Exception {
        spawn(sid);
        awaitUp(sid);
    }

    @Override
    protected void spawn(final long sid) throws Exception {
        final List<String> args = new ArrayList<>(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", classpath,
            MAIN, "node", "--config", "ensemble.cfg", "--id", Long.toString(sid)));
        final long sentNs = System.nanoTime();
        fleet.start(sid, "node-" + sid, childFlags(), args);
        faults.record(new Fleet.Bracket(sentNs, System.nanoTime()));
    }

    /** The flags every child JVM gets ({@link ChildJvms}), without java and the heap, which the inventory names. */
    static List<String> childFlags() {
        final List<String> cmd = ChildJvms.command("1m", List.of());
        return cmd.subList(3, cmd.size());
    }

    @Override
    protected void awaitUp(final long sid) throws Exception {
        try {
            awaitAdmin(sid, 30_000);
        } catch (final IOException ex) {
            throw new IOException(ex.getMessage() + "; its log ends:\n" + fleet.tail(sid, "node-" + sid, 20), ex);
        }
    }

    @Override
    protected void kill(final long sid) throws Exception {
        faults.record(fleet.kill(sid, "node-" + sid));
    }

    /** The kills at once, one per host ({@link HostFaults#killAll}). */
    @Override
    protected void killAll(final long[] sids) throws Exception {
        faults.killAll(sids, sid -> "node-" + sid);
    }

    @Override
    public boolean pause(final long sid) throws Exception {
        paused.add(sid);
        return faults.record(fleet.signal(sid, "node-" + sid, "STOP")) != null;
    }

    @Override
    public void resume(final long sid) throws Exception {
        faults.record(fleet.signal(sid, "node-" + sid, "CONT"));
        paused.remove(sid);
    }

    @Override
    public void partition(final long[][] sides) throws Exception {
        faults.partition(sides);
    }

    @Override
    public boolean cutOneWay(final long receiver, final long[] senders) throws Exception {
        faults.cutOneWay(receiver, senders);
        return true;
    }

    @Override
    public void heal() throws Exception {
        faults.heal();
    }

    /** The fault commands' brackets on the load generator's clock. */
    HostFaults faults() {
        return faults;
    }

    Fleet fleet() {
        return fleet;
    }

    @Override
    public List<HostClock> hostClocks(final String when) throws Exception {
        return fleet.clocks(when);
    }

    @Override
    public Map<String, String> faultMechanisms() {
        return fleet.faultMechanisms();
    }

    @Override
    public long drainFaultUncertaintyNs() {
        return faults.widestNs();
    }

    @Override
    public void close() {
        super.close();
        fleet.close();
    }
}
