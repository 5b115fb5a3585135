package io.electionbench.loadgen.run;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.proxy.PeerProxies;
import io.electionbench.loadgen.write.WriteDriver;
import io.electionbench.loadgen.write.ZooKeeperWriteDriver;
import io.electionbench.loadgen.zookeeper.ZooKeeperClient;
import io.electionbench.loadgen.zookeeper.ZooKeeperDistribution;
import io.electionbench.loadgen.zookeeper.ZooKeeperPreload;
import io.electionbench.loadgen.zookeeper.ZooKeeperVariant;

/**
 * Real Apache ZooKeeper servers ({@code QuorumPeerMain}, one JVM each) of one release, resolved at run
 * time or read from an install ({@link ZooKeeperDistribution}). ZooKeeper reports no state-change timestamps, so a
 * watcher thread asks every live server {@code srvr} in turn (about one server per millisecond) and turns
 * what it sees into events on the load generator's clock: a server answering "Mode: leader" or
 * "Mode: follower" is serving in that role (ZooKeeper answers only after its sync completes); one
 * that stops answering that way is counted LOOKING. Time-to-leader and time-to-ready are therefore
 * the same instant here: the new leader's first "Mode: leader". Kill is SIGKILL, pause SIGSTOP.
 * Partitions cut {@link PeerProxies}: every peer link runs through a fault proxy, because each
 * server's config names the others by their proxies' ports (docs/loadgen.md, "Partitions of real
 * ZooKeeper"). Client ports, which the watcher uses, are not proxied.
 */
final class ZooKeeperTarget extends WatchedTarget {
    private static final String MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
    /** {@code LearnerHandler.syncFollower}'s INFO line: the leader's and the learner's last zxids. */
    private static final java.util.regex.Pattern SYNCHRONIZING = java.util.regex.Pattern.compile(
        "Synchronizing with Learner sid: \\d+ maxCommittedLog=0x\\p{XDigit}+ minCommittedLog=0x\\p{XDigit}+"
            + " lastProcessedZxid=0x(\\p{XDigit}+) peerLastZxid=0x(\\p{XDigit}+)");
    private static final java.util.regex.Pattern ELECTION_TOOK =
        java.util.regex.Pattern.compile("LEADING - LEADER ELECTION TOOK - (\\d+) MS");

    private final Path dir;
    private final int size;
    private final Ensemble ensemble;
    private final String heap;
    private final int[] clientPorts;
    private final ChildJvms jvms;
    private final ZooKeeperDistribution zk;
    private final ZooKeeperVariant variant;
    private final PeerProxies proxies;
    private final Thread watcher;
    private final NodeTiming timing;
    private ZooKeeperWriteDriver writes;
    /** Per server, how far its log has been read for {@link #drainReportedElectionsMs}. */
    private final long[] logRead;
    private volatile boolean isClosed;

    ZooKeeperTarget(final Path dir, final int size, final NodeTiming timing, final String heap,
        final ZooKeeperDistribution zk, final ZooKeeperVariant variant) throws IOException {
        this.dir = dir;
        this.size = size;
        this.ensemble = Ensemble.majority(size);
        this.heap = heap;
        this.clientPorts = new int[size + 1];
        this.logRead = new long[size + 1];
        this.jvms = new ChildJvms(size);
        this.zk = zk;
        this.variant = variant;
        this.timing = timing;
        final int[] ports = AdminTarget.freePorts(3 * size);
        final Map<Long, PeerProxies.Ports> real = new HashMap<>();
        final Set<Integer> reserved = new HashSet<>();
        for (int sid = 1; sid <= size; sid++) {
            clientPorts[sid] = ports[3 * (sid - 1) + 2];
            reserved.add(clientPorts[sid]);
            real.put((long)sid, new PeerProxies.Ports(ports[3 * (sid - 1)], ports[3 * (sid - 1) + 1]));
        }
        this.proxies = new PeerProxies(real, reserved);
        try {
            for (int sid = 1; sid <= size; sid++) {
                final Path data = Files.createDirectories(dir.resolve("zk-" + sid));
                Files.writeString(data.resolve("myid"), sid + "\n");
                final List<String> cfg = zooCfg(timing, variant, data.toString(), clientPorts[sid]);
                // Itself with the ports it binds, every other server behind this server's own proxy to it.
                for (int peer = 1; peer <= size; peer++) {
                    final PeerProxies.Ports p = real.get((long)peer);
                    final int quorumPort = peer == sid ? p.quorum() : proxies.quorumPort(sid, peer);
                    final int electionPort = peer == sid ? p.election() : proxies.electionPort(sid, peer);
                    cfg.add("server." + peer + "=127.0.0.1:" + quorumPort + ":" + electionPort);
                }
                Files.write(dir.resolve("zoo-" + sid + ".cfg"), cfg);
                views.put((long)sid, new NodeView(sid, false, "DOWN", -1, false));
            }
        } catch (final IOException | RuntimeException ex) {
            proxies.close();
            throw ex;
        }
        watcher = new Thread(this::watch, "zookeeper-watcher");
        watcher.setDaemon(true);
        watcher.start();
    }

    /**
     * A server's zoo.cfg without its server lines: the timing, {@code dataDir}, {@code clientPort}, srvr allowed,
     * AdminServer off, no client limit, then the variant's knobs, which replace the defaults of the same key
     * (ZooKeeper would take the last one).
     */
    static List<String> zooCfg(final NodeTiming timing, final ZooKeeperVariant variant, final String dataDir,
        final int clientPort) {
        final List<String> cfg = new ArrayList<>(List.of("tickTime=" + timing.tickTimeMs(), "initLimit="
            + timing.initLimit(), "syncLimit=" + timing.syncLimit(), "dataDir=" + dataDir, "clientPort=" + clientPort,
            "4lw.commands.whitelist=srvr", "admin.enableServer=false", "maxClientCnxns=0"));
        cfg.removeIf(line -> variant.knobs().containsKey(line.substring(0, line.indexOf('='))));
        cfg.addAll(variant.zooCfgLines());
        return cfg;
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public Ensemble ensemble() {
        return ensemble;
    }

    @Override
    public void start(final long sid) throws Exception {
        final List<String> args = new ArrayList<>(List.of("-Dzookeeper.admin.enableServer=false",
            "-Dorg.slf4j.simpleLogger.showDateTime=true"));
        args.addAll(variant.jvmArguments());
        args.addAll(List.of("-cp", zk.classpath(), MAIN, dir.resolve("zoo-" + sid + ".cfg").toString()));
        jvms.start(sid, ChildJvms.command(heap, args), dir.resolve("zk-" + sid + ".log"));
        views.put(sid, new NodeView(sid, true, "LOOKING", -1, false));
    }

    @Override
    public void crash(final long sid) throws Exception {
        jvms.kill(sid);
        views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
    }

    /** Every kill signalled before any is waited for ({@link ChildJvms#kill(long[])}). */
    @Override
    public void crashAll(final long[] sids) throws Exception {
        jvms.kill(sids);
        for (final long sid : sids) {
            views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
        }
    }

    @Override
    public boolean pause(final long sid) throws Exception {
        return jvms.signal(sid, "-STOP");
    }

    @Override
    public void resume(final long sid) throws Exception {
        jvms.signal(sid, "-CONT");
    }

    @Override
    public void partition(final long[][] sides) {
        proxies.partition(sides);
    }

    /** The receiver's proxies drop what the senders send it, both ports; its own bytes still pass. */
    @Override
    public boolean cutOneWay(final long receiver, final long[] senders) {
        proxies.cutOneWay(receiver, senders);
        return true;
    }

    @Override
    public void heal() {
        proxies.heal();
    }

    /**
     * What the servers logged since the last call: {@code Leader.lead}'s "LEADING - LEADER ELECTION TOOK -
     * N MS" (the time its {@code lookForLeader} ran), and {@code LearnerHandler.syncFollower}'s choice for
     * each learner ("Sending DIFF", "Sending TRUNC", "Sending snapshot", logged at INFO in 3.8 and 3.9; the
     * TRUNC of a learner above {@code maxCommittedLog} only at DEBUG). Only whole lines are read, so a line
     * being written is taken next time.
     */
    @Override
    public ServerReports drainReports() throws IOException {
        final List<Long> out = new ArrayList<>();
        int diffs = 0;
        final List<Long> gaps = new ArrayList<>();
        int truncs = 0;
        int snaps = 0;
        for (int sid = 1; sid <= size; sid++) {
            final Path log = dir.resolve("zk-" + sid + ".log");
            if (!Files.exists(log)) {
                continue;
            }
            final byte[] bytes;
            try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(log)) {
                if (channel.size() < logRead[sid]) {
                    logRead[sid] = 0; // a new log: the server was restarted into it
                }
                final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate((int)Math.min(Integer.MAX_VALUE - 8,
                    channel.size() - logRead[sid]));
                channel.read(buffer, logRead[sid]);
                bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
            }
            final String text = new String(bytes, StandardCharsets.UTF_8);
            final int end = text.lastIndexOf('\n') + 1;
            logRead[sid] += text.substring(0, end).getBytes(StandardCharsets.UTF_8).length;
            final String lines = text.substring(0, end);
            final java.util.regex.Matcher m = ELECTION_TOOK.matcher(lines);
            while (m.find()) {
                out.add(Long.parseLong(m.group(1)));
            }
            final java.util.regex.Matcher sync = SYNCHRONIZING.matcher(lines);
            while (sync.find()) {
                final long leaderLast = Long.parseUnsignedLong(sync.group(1), 16);
                final long peerLast = Long.parseUnsignedLong(sync.group(2), 16);
                if (leaderLast >>> 32 == peerLast >>> 32) {
                    gaps.add(Math.max(0, leaderLast - peerLast));
                }
            }
            diffs += occurrences(lines, "Sending DIFF zxid=");
            truncs += occurrences(lines, "Sending TRUNC ");
            snaps += occurrences(lines, "Sending snapshot last zxid of peer");
        }
        return new ServerReports(out, diffs, truncs, snaps, gaps);
    }

    private static int occurrences(final String text, final String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
            n++;
        }
        return n;
    }

    @Override
    public long notificationsSent() {
        return -1;
    }

    /**
     * Writes through ZooKeeper's own client to every server's client port, with the longest session
     * the servers grant (20 ticks), so a session outlives the faults.
     */
    @Override
    public WriteDriver writes(final double ratePerS, final long answerTimeoutNs) throws Exception {
        if (writes == null) {
            writes = new ZooKeeperWriteDriver(zk.jars(), clientAddresses(), 20 * timing.tickTimeMs(), ratePerS);
        }
        return writes;
    }

    /** Real sessions of this release's client ({@link ZooKeeperClients}), spread over the servers. */
    @Override
    public ClientTransport clients(final ClientLoad load) throws IOException {
        return new ZooKeeperClients(ZooKeeperClient.of(zk.jars()), clientAddresses(), load.sessionTimeoutMs(),
            load.sessions());
    }

    /** Every server's client port, in sid order. */
    private List<InetSocketAddress> clientAddresses() {
        final List<InetSocketAddress> out = new ArrayList<>();
        for (int sid = 1; sid <= size; sid++) {
            out.add(new InetSocketAddress("127.0.0.1", clientPorts[sid]));
        }
        return out;
    }

    @Override
    protected boolean isStable() {
        checkAlive();
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

    /** A server that should be up but whose JVM exited is a setup problem: say which and where its log is. */
    private void checkAlive() {
        for (int sid = 1; sid <= size; sid++) {
            final Process p = jvms.process(sid);
            if (p != null && !p.isAlive() && views.get((long)sid).isUp()) {
                throw new IllegalStateException("ZooKeeper server " + sid + " exited with status " + p.exitValue()
                    + "; see " + dir.resolve("zk-" + sid + ".log"));
            }
        }
    }

    /** Round-robin srvr probes of the live servers; a changed answer becomes an event. */
    private void watch() {
        long sid = 0;
        while (!isClosed) {
            sid = sid % size + 1;
            final NodeView v = views.get(sid);
            if (v.isUp()) {
                final String mode = probe(clientPorts[(int)sid]);
                final long ts = System.nanoTime();
                final String state = "leader".equals(mode) ? "LEADING" : "follower".equals(mode) ? "FOLLOWING"
                    : "LOOKING";
                final long leader = "LEADING".equals(state) ? sid : -1;
                final NodeView next = new NodeView(sid, true, state, leader, !"LOOKING".equals(state));
                // Only a view that is still the one probed may change: a crash or restart meanwhile wins.
                if (!state.equals(v.state()) && views.replace(sid, v, next)) {
                    emit(new TrialEvent(sid, ts, state, leader));
                    if (!"LOOKING".equals(state)) {
                        emit(new TrialEvent(sid, ts, TrialEvent.SERVING, leader));
                    }
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1000 / Math.max(1, size)));
        }
    }

    /** The "Mode:" of a srvr answer, or null when the server does not serve (or does not answer). */
    private static String probe(final int port) {
        return srvrField(port, "Mode: ");
    }

    /** One field of a srvr answer ("Mode: ", "Zxid: "), or null when the server does not answer it. */
    private static String srvrField(final int port, final String field) {
        return srvrField(new InetSocketAddress("127.0.0.1", port), field);
    }

    /** One field of the srvr answer of the server at {@code address}, or null when it does not answer it. */
    static String srvrField(final InetSocketAddress address, final String field) {
        try (Socket s = new Socket()) {
            s.connect(address, 200);
            s.setSoTimeout(500);
            final OutputStream out = s.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = s.getInputStream();
            final String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            final int at = text.indexOf(field);
            if (at < 0) {
                return null;
            }
            final int end = text.indexOf('\n', at);
            return text.substring(at + field.length(), end < 0 ? text.length() : end).trim();
        } catch (final IOException ex) {
            return null;
        }
    }

    /**
     * Creates {@code count} persistent znodes {@code /electionbench-preload/p-N} of {@code valueBytes} bytes
     * through ZooKeeper's own client of this release (asynchronous creates, at most
     * {@link AdminTarget#PRELOAD_WINDOW} unanswered), then waits until every running server's srvr
     * {@code Zxid} is the highest any of them reports, and checks that each holds the znodes (srvr's
     * {@code Node count}).
     */
    @Override
    public void preload(final long count, final int valueBytes, final long timeoutNs) throws Exception {
        final long deadline = System.nanoTime() + timeoutNs;
        ZooKeeperPreload.create(ZooKeeperClient.of(zk.jars()), clientAddresses(), 20 * timing.tickTimeMs(), count,
            valueBytes, AdminTarget.PRELOAD_WINDOW, deadline);
        while (true) {
            long highest = -1;
            long lowest = Long.MAX_VALUE;
            for (int sid = 1; sid <= size; sid++) {
                if (views.get((long)sid).isUp()) {
                    final String zxid = srvrField(clientPorts[sid], "Zxid: ");
                    final long z = zxid == null ? -1 : Long.decode(zxid);
                    highest = Math.max(highest, z);
                    lowest = Math.min(lowest, z);
                }
            }
            if (lowest >= 0 && lowest == highest) {
                checkNodeCounts(count);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("preload: the servers did not all reach zxid 0x" + Long.toHexString(highest)
                    + " within the timeout");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Every running server's srvr "Node count" covers the preloaded znodes and their parent. */
    private void checkNodeCounts(final long count) throws IOException {
        for (int sid = 1; sid <= size; sid++) {
            if (views.get((long)sid).isUp()) {
                final String nodes = srvrField(clientPorts[sid], "Node count: ");
                if (nodes == null || Long.parseLong(nodes) < count + 1) {
                    throw new IOException("preload: server " + sid + " holds " + nodes + " znodes after " + count
                        + " were created");
                }
            }
        }
    }

    @Override
    public void close() {
        isClosed = true;
        if (writes != null) {
            writes.close();
        }
        jvms.killAll();
        proxies.close();
    }
}
