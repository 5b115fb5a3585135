package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.hosts.Fleet;
import io.electionbench.loadgen.hosts.Inventory;
import io.electionbench.loadgen.write.WriteDriver;
import io.electionbench.loadgen.write.ZooKeeperWriteDriver;
import io.electionbench.loadgen.zookeeper.ZooKeeperClient;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;
import io.electionbench.results.HostClock;

/**
 * Real ZooKeeper servers of one release on the hosts of an inventory ({@code run --target hosts} with
 * {@code runs = zookeeper VERSION}): the resolved release's jars ({@link ZooKeeperDistribution}) and each server's
 * zoo.cfg and myid are installed over SSH; servers start detached and are killed, paused and resumed through the
 * host's shell. Servers name each other by their inventory addresses, with no fault proxy between them: partitions
 * are the hosts' own firewall rules ({@link HostFaults}). As on the local zookeeper target, a watcher asks every live
 * server {@code srvr} in turn and stamps what changed on the load generator's clock. Server logs stay on the hosts,
 * so ZooKeeper's own reports ({@code zk_reported_election_ms}, sync kinds) are not read here.
 */
final class HostsZooKeeperTarget extends WatchedTarget {
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";

    private final Inventory inventory;
    private final Ensemble ensemble;
    private final Fleet fleet;
    private final HostFaults faults;
    private final String classpath;
    private final ZooKeeperDistribution zk;
    private final ZooKeeperVariant variant;
    private final NodeTiming timing;
    private final Thread watcher;
    private ZooKeeperWriteDriver writes;
    private volatile boolean isClosed;

    private HostsZooKeeperTarget(final Inventory inventory, final Fleet fleet, final String classpath,
        final ZooKeeperDistribution zk,
        final ZooKeeperVariant variant, final NodeTiming timing) {
        this.inventory = inventory;
        this.ensemble = Ensemble.majority(inventory.size());
        this.fleet = fleet;
        this.faults = new HostFaults(fleet);
        this.classpath = classpath;
        this.zk = zk;
        this.variant = variant;
        this.timing = timing;
        for (final Inventory.Server s : inventory.servers()) {
            views.put(s.sid(), new NodeView(s.sid(), false, "DOWN", -1, false));
        }
        watcher = new Thread(this::watch, "hosts-zookeeper-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Connects to every host and installs the release, each server's zoo.cfg and myid; starts nothing. */
    static HostsZooKeeperTarget open(final Inventory inventory, final ZooKeeperDistribution zk,
        final ZooKeeperVariant variant,
        final NodeTiming timing) throws Exception {
        final Fleet fleet = Fleet.open(inventory, Fleet.newTag());
        try {
            final String classpath = fleet.install(zk.jars());
            for (final Inventory.Server s : inventory.servers()) {
                final String data = fleet.runDir(s) + "/zk-" + s.sid();
                final List<String> cfg = new ArrayList<>(ZooKeeperTarget.zooCfg(timing, variant, data,
                    s.servicePort()));
                cfg.add("clientPortAddress=" + s.address());
                for (final Inventory.Server peer : inventory.servers()) {
                    cfg.add("server." + peer.sid() + "=" + peer.address() + ":" + peer.quorumPort() + ":"
                        + peer.electionPort());
                }
                fleet.writeFile(s.sid(), "zoo-" + s.sid() + ".cfg", String.join("\n", cfg) + "\n");
                fleet.writeFile(s.sid(), "zk-" + s.sid() + "/myid", s.sid() + "\n");
            }
            return new HostsZooKeeperTarget(inventory, fleet, classpath, zk, variant, timing);
        } catch (final Exception ex) {
            fleet.close();
            throw ex;
        }
    }

    @Override
    public String name() {
        return "hosts";
    }

    @Override
    public Ensemble ensemble() {
        return ensemble;
    }

    @Override
    public void start(final long sid) throws Exception {
        final List<String> flags = new ArrayList<>(HostsNodeTarget.childFlags());
        flags.add("-Dzookeeper.admin.enableServer=false");
        flags.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        flags.addAll(variant.jvmArguments());
        final long sentNs = System.nanoTime();
        fleet.start(sid, "zk-" + sid, flags, List.of("-cp", classpath, MAIN, "zoo-" + sid + ".cfg"));
        faults.record(new Fleet.Bracket(sentNs, System.nanoTime()));
        views.put(sid, new NodeView(sid, true, "LOOKING", -1, false));
    }

    @Override
    public void crash(final long sid) throws Exception {
        views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
        faults.record(fleet.kill(sid, "zk-" + sid));
    }

    /** The kills at once, one per host ({@link HostFaults#killAll}). */
    @Override
    public void crashAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
        }
        faults.killAll(sids, sid -> "zk-" + sid);
    }

    @Override
    public boolean pause(final long sid) throws Exception {
        return faults.record(fleet.signal(sid, "zk-" + sid, "STOP")) != null;
    }

    @Override
    public void resume(final long sid) throws Exception {
        faults.record(fleet.signal(sid, "zk-" + sid, "CONT"));
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
    public long notificationsSent() {
        return -1;
    }

    @Override
    public WriteDriver writes(final double ratePerS, final long answerTimeoutNs) throws Exception {
        if (writes == null) {
            writes = new ZooKeeperWriteDriver(zk.jars(), clientAddresses(), 20 * timing.tickTimeMs(), ratePerS);
        }
        return writes;
    }

    @Override
    public ClientTransport clients(final ClientLoad load) throws IOException {
        return new ZooKeeperClients(ZooKeeperClient.of(zk.jars()), clientAddresses(), load.sessionTimeoutMs(),
            load.sessions());
    }

    private List<InetSocketAddress> clientAddresses() {
        final List<InetSocketAddress> out = new ArrayList<>();
        for (final Inventory.Server s : inventory.servers()) {
            out.add(new InetSocketAddress(s.address(), s.servicePort()));
        }
        return out;
    }

    @Override
    protected boolean isStable() {
        int leaders = 0;
        for (final NodeView v : views.values()) {
            if (!v.isUp()) {
                continue;
            }
            if ("LEADING".equals(v.state())) {
                leaders++;
            } else if (!"FOLLOWING".equals(v.state())) {
                return false;
            }
        }
        return leaders == 1;
    }

    /**
     * Round-robin srvr probes of the live servers, as the local zookeeper target's watcher; a changed answer is an
     * event.
     */
    private void watch() {
        final List<Inventory.Server> servers = inventory.servers();
        int next = 0;
        while (!isClosed) {
            final Inventory.Server s = servers.get(next);
            next = (next + 1) % servers.size();
            final NodeView v = views.get(s.sid());
            if (v.isUp()) {
                final String mode = ZooKeeperTarget.srvrField(new InetSocketAddress(s.address(), s.servicePort()),
                    "Mode: ");
                final long ts = System.nanoTime();
                final String state = "leader".equals(mode) ? "LEADING" : "follower".equals(mode) ? "FOLLOWING"
                    : "LOOKING";
                final long leader = "LEADING".equals(state) ? s.sid() : -1;
                if (!state.equals(v.state()) && views.replace(s.sid(), v, new NodeView(s.sid(), true, state, leader,
                    !"LOOKING".equals(state)))) {
                    emit(new TrialEvent(s.sid(), ts, state, leader));
                    if (!"LOOKING".equals(state)) {
                        emit(new TrialEvent(s.sid(), ts, TrialEvent.SERVING, leader));
                    }
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1000 / Math.max(1, servers.size())));
        }
    }

    @Override
    public void close() {
        isClosed = true;
        if (writes != null) {
            writes.close();
        }
        fleet.close();
    }
}
