package io.electionbench.loadgen.run;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.election.WriteListener;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.write.LeaderLog;
import io.electionbench.loadgen.write.SocketWriteDriver;
import io.electionbench.loadgen.write.WriteDriver;
import io.electionbench.transport.client.WriteClient;
import io.electionbench.transport.net.FreePorts;
import io.electionbench.transport.net.TlsConfig;

/**
 * A target made of real electionbench nodes on loopback, watched and hurt through their admin
 * endpoints: each node's {@code GET /events} stream (node-side monotonic timestamps) keeps a local
 * view of its state, so nothing is polled; partitions are {@code POST /fault/isolate}. Subclasses
 * decide how a node is started, killed and paused. Writes go to the nodes' quorum ports
 * ({@link SocketWriteDriver}) and are checked against the serving leader's {@code GET /log}.
 */
abstract class AdminTarget extends WatchedTarget {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** A {@code GET /log} of 100,000 entries is a few megabytes of JSON. */
    private static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);

    protected final Path dir;
    protected final Path configFile;
    protected final int size;
    private final Ensemble ensemble;
    private final Map<Long, String> adminUrls = new HashMap<>();
    private final Map<Long, InetSocketAddress> quorumAddresses = new HashMap<>();
    private final String adminToken;
    private final byte[] authSecret;
    private final TlsConfig tls;
    private SocketWriteDriver writes;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<Long, Thread> streams = new ConcurrentHashMap<>();
    /** Nodes frozen by {@link #pause}: they cannot answer, so counters are not asked of them. */
    protected final java.util.Set<Long> paused = ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> counted = new HashMap<>();
    private long notificationsTotal;
    private volatile boolean isClosed;

    /**
     * Nodes on loopback that this target starts itself, from a config it writes into {@code dir}.
     *
     * @param fsync the txn log's fsync policy, written into the config explicitly
     */
    AdminTarget(final Path dir, final int size, final ElectionPolicy policy, final NodeTiming timing,
        final FsyncPolicy fsync) throws IOException {
        this.dir = dir;
        this.size = size;
        this.ensemble = Ensemble.majority(size);
        this.adminToken = null;
        this.authSecret = null;
        this.tls = null;
        final List<String> lines = new ArrayList<>(List.of(
            "# written by electionbench run", "tickTime=" + timing.tickTimeMs(), "initLimit=" + timing.initLimit(),
            "syncLimit=" + timing.syncLimit(), "electionPolicy=" + policy.name(),
            "fsync=" + fsync.name().toLowerCase(Locale.ROOT), "dataDir=" + dir.resolve("node-%d")));
        final int[] ports = freePorts(3 * size);
        for (int sid = 1; sid <= size; sid++) {
            final int adminPort = ports[3 * (sid - 1) + 2];
            adminUrls.put((long)sid, "http://127.0.0.1:" + adminPort);
            quorumAddresses.put((long)sid, InetSocketAddress.createUnresolved("127.0.0.1", ports[3 * (sid - 1)]));
            lines.add("server." + sid + "=127.0.0.1:" + ports[3 * (sid - 1)] + ":" + ports[3 * (sid - 1) + 1]
                + ":participant");
            lines.add("admin." + sid + "=127.0.0.1:" + adminPort);
        }
        Files.createDirectories(dir);
        this.configFile = dir.resolve("ensemble.cfg");
        Files.write(configFile, lines);
        markAllDown();
    }

    /**
     * Nodes that already run somewhere, reached through the admin endpoints their config names.
     *
     * @param quorumAddresses every node's quorum port, where writes go
     * @param authSecret      the ensemble's peerAuthSecret, or null
     * @param tls             the ensemble's quorum TLS, or null
     */
    AdminTarget(final Path configFile, final Ensemble ensemble, final Map<Long, String> adminUrls,
        final String adminToken, final Map<Long, InetSocketAddress> quorumAddresses, final byte[] authSecret,
        final TlsConfig tls) {
        this.dir = configFile.toAbsolutePath().getParent();
        this.configFile = configFile;
        this.size = ensemble.size();
        this.ensemble = ensemble;
        this.adminUrls.putAll(adminUrls);
        this.quorumAddresses.putAll(quorumAddresses);
        this.adminToken = adminToken;
        this.authSecret = authSecret;
        this.tls = tls;
        markAllDown();
    }

    private void markAllDown() {
        for (final long sid : sids()) {
            views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
        }
    }

    /** Every member's sid. */
    protected final long[] sids() {
        return ensemble.sidsOf(ensemble.allMask());
    }

    @Override
    public Ensemble ensemble() {
        return ensemble;
    }

    /**
     * Starts the node itself and waits until its admin endpoint answers; the event stream is attached by
     * {@link #start(long)}.
     */
    protected abstract void launch(long sid) throws Exception;

    /** Starts the node without waiting for it (default: {@link #launch(long)}). */
    protected void spawn(final long sid) throws Exception {
        launch(sid);
    }

    /** Waits for a spawned node to answer (default: nothing to wait for). */
    protected void awaitUp(final long sid) throws Exception {
    }

    /** Kills the node itself. */
    protected abstract void kill(long sid) throws Exception;

    /**
     * Kills several nodes as one fault (default: one after the other); targets whose kills take time override
     * it to send them all before waiting for any, so that no victim wins an election before its own kill.
     */
    protected void killAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            kill(sid);
        }
    }

    @Override
    public final void start(final long sid) throws Exception {
        launch(sid);
        views.put(sid, new NodeView(sid, true, "STARTING", -1, false));
        watch(sid);
    }

    /** Spawns every node first, then waits for each: a cold start is simultaneous, not one JVM boot after another. */
    @Override
    public final void startAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            spawn(sid);
        }
        for (final long sid : sids) {
            awaitUp(sid);
            views.put(sid, new NodeView(sid, true, "STARTING", -1, false));
            watch(sid);
        }
    }

    /** Fetches {@code GET /state} (for targets that attach to nodes they did not start). */
    protected final String state(final long sid) throws IOException, InterruptedException {
        return get(sid, "/state");
    }

    @Override
    public final void crash(final long sid) throws Exception {
        crashAll(new long[] {sid});
    }

    @Override
    public final void crashAll(final long[] sids) throws Exception {
        for (final long sid : sids) {
            views.put(sid, new NodeView(sid, false, "DOWN", -1, false));
            paused.remove(sid);
        }
        killAll(sids);
    }

    @Override
    public void partition(final long[][] sides) throws Exception {
        for (final long[] side : sides) {
            final StringJoiner others = new StringJoiner(",");
            for (final long[] other : sides) {
                if (other != side) {
                    for (final long sid : other) {
                        others.add(Long.toString(sid));
                    }
                }
            }
            for (final long sid : side) {
                if (views.get(sid).isUp()) {
                    post(sid, "/fault/isolate?peers=" + others);
                }
            }
        }
    }

    /** The receiver drops what the senders send it and still sends them its own ({@code POST /fault/deafen}). */
    @Override
    public boolean cutOneWay(final long receiver, final long[] senders) throws Exception {
        final StringJoiner peers = new StringJoiner(",");
        for (final long sid : senders) {
            peers.add(Long.toString(sid));
        }
        if (views.get(receiver).isUp()) {
            post(receiver, "/fault/deafen?peers=" + peers);
        }
        return true;
    }

    @Override
    public void heal() throws Exception {
        for (final long sid : sids()) {
            if (views.get(sid).isUp()) {
                post(sid, "/fault/heal");
            }
        }
    }

    /**
     * Sums {@code electionbench_notifications_sent_total} over live nodes, carrying counts across
     * restarts; a paused node keeps its last count until it is resumed.
     */
    @Override
    public long notificationsSent() throws Exception {
        for (final long sid : sids()) {
            if (!views.get(sid).isUp()) {
                counted.remove(sid);
                continue;
            }
            if (paused.contains(sid)) {
                continue;
            }
            final long now = metric(sid, "electionbench_notifications_sent_total");
            final long last = counted.getOrDefault(sid, 0L);
            notificationsTotal += now >= last ? now - last : now;
            counted.put(sid, now);
        }
        return notificationsTotal;
    }

    @Override
    protected boolean isStable() {
        long leader = -1;
        for (final NodeView v : views.values()) {
            if (v.isUp() && "LEADING".equals(v.state())) {
                if (leader > 0 || !v.isServing()) {
                    return false;
                }
                leader = v.sid();
            }
        }
        if (leader < 0) {
            return false;
        }
        for (final NodeView v : views.values()) {
            if (v.isUp() && v.sid() != leader && !("FOLLOWING".equals(v.state()) && v.leader() == leader
                && v.isServing())) {
                return false;
            }
        }
        return true;
    }

    /** Writes to the nodes' quorum ports; checked against the serving leader's {@code GET /log}. */
    @Override
    public WriteDriver writes(final double ratePerS, final long answerTimeoutNs) {
        if (writes == null) {
            writes = new SocketWriteDriver(quorumAddresses, authSecret, tls, ratePerS, answerTimeoutNs,
                this::leaderLog);
        }
        return writes;
    }

    /** Sessions of our write client and admin endpoint, spread over the nodes in sid order ({@link NodeClients}). */
    @Override
    public ClientTransport clients(final ClientLoad load) {
        final long[] all = sids();
        final List<InetSocketAddress> quorum = new ArrayList<>();
        final List<String> admin = new ArrayList<>();
        for (final long sid : all) {
            quorum.add(quorumAddresses.get(sid));
            admin.add(adminUrls.get(sid));
        }
        return new NodeClients(all, quorum, admin, authSecret, tls, load);
    }

    /**
     * Entries {@code fromZxid..toZxid} of the serving leader's log, page by page
     * ({@code GET /log}, at most 100,000 entries a call).
     */
    LeaderLog leaderLog(final long fromZxid, final long toZxid) throws IOException, InterruptedException {
        long leader = -1;
        for (final NodeView v : views.values()) {
            if (v.isUp() && "LEADING".equals(v.state()) && v.isServing()) {
                leader = v.sid();
            }
        }
        if (leader < 0) {
            throw new IOException("no serving leader (" + describe() + ")");
        }
        return nodeLog(leader, fromZxid, toZxid);
    }

    /** Entries {@code fromZxid..toZxid} of node {@code sid}'s log, whatever its role, page by page. */
    LeaderLog nodeLog(final long sid, final long fromZxid, final long toZxid) throws IOException, InterruptedException {
        final org.agrona.collections.Long2LongHashMap entries = LeaderLog.newEntries();
        long snapshotZxid = -1;
        long lastZxid = 0;
        String from = Zxid.toString(fromZxid);
        while (from != null) {
            final String path = "/log?from=" + from + "&to=" + Zxid.toString(toZxid);
            final JsonNode page = JSON.readTree(get(sid, path, LOG_TIMEOUT));
            snapshotZxid = zxid(page.get("snapshotZxid").asText());
            lastZxid = zxid(page.get("lastZxid").asText());
            for (final JsonNode e : page.get("entries")) {
                entries.put(Zxid.parse(e.get(0).asText()),
                    e.get(1).isNull() ? LeaderLog.NO_FIRST_LONG : e.get(1).asLong());
            }
            from = page.get("next").isNull() ? null : page.get("next").asText();
        }
        return new LeaderLog(sid, snapshotZxid, lastZxid, entries);
    }

    private static long zxid(final String text) {
        return "-1".equals(text) ? -1 : Zxid.parse(text);
    }

    /** Describes every node's view, for error messages. */
    String describe() {
        final StringJoiner sj = new StringJoiner(", ");
        for (final long sid : sids()) {
            final NodeView v = views.get(sid);
            sj.add(sid + "=" + v.state() + (v.leader() > 0 ? ">" + v.leader() : "") + (v.isServing() ? "+" : ""));
        }
        return sj.toString();
    }

    /**
     * Pipelines the values through the binary write client to the serving leader, at most
     * {@link #PRELOAD_WINDOW} unanswered (BUSY is retried), then waits until every running node's last zxid
     * is the leader's.
     */
    @Override
    public void preload(final long count, final int valueBytes, final long timeoutNs) throws Exception {
        final long deadline = System.nanoTime() + timeoutNs;
        final long leader = servingLeader(deadline);
        final AtomicLong committed = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final ConcurrentLinkedQueue<Long> retry = new ConcurrentLinkedQueue<>();
        final AtomicReference<String> failure = new AtomicReference<>();
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[valueBytes]);
        try (WriteClient client = new WriteClient(
            new WriteClient.Listener() {
                @Override
                public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
                    if (status == WriteListener.COMMITTED) {
                        committed.incrementAndGet();
                    } else if (status == WriteListener.BUSY) {
                        retry.add(sequence);
                    } else {
                        failure.compareAndSet(null, "write " + sequence + " answered status " + status);
                    }
                    answered.incrementAndGet();
                }

                @Override
                public void onDisconnected(final Throwable cause) {
                    failure.compareAndSet(null, "the leader closed the connection: " + cause);
                }
            }).authSecret(authSecret).tls(tls)) {
            final InetSocketAddress address = quorumAddresses.get(leader);
            client.connect(address.getHostString(), address.getPort(), 5_000);
            long next = 0;
            long sent = 0;
            while (committed.get() < count) {
                checkPreload(failure, deadline, committed.get(), count);
                final Long again = retry.poll();
                final long sequence = again != null ? again : next < count ? next : -1;
                if (sequence < 0 || sent - answered.get() >= PRELOAD_WINDOW
                    || !client.write(sequence, payload, 0, valueBytes)) {
                    if (again != null) {
                        retry.add(again);
                    }
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
                    continue;
                }
                sent++;
                if (again == null) {
                    next++;
                }
            }
        }
        final long target = zxid(JSON.readTree(get(leader, "/state")).get("zxid").asText());
        for (final long sid : sids()) {
            while (views.get(sid).isUp() && zxid(JSON.readTree(get(sid, "/state")).get("zxid").asText()) < target) {
                checkPreload(failure, deadline, count, count);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
        }
    }

    /** Unanswered preload writes at once: enough to keep a pipelined leader busy, far below its BUSY bound. */
    static final int PRELOAD_WINDOW = 1024;

    private long servingLeader(final long deadline) throws Exception {
        while (true) {
            for (final NodeView v : snapshot().values()) {
                if (v.isUp() && "LEADING".equals(v.state()) && v.isServing()) {
                    return v.sid();
                }
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("preload: no serving leader (" + describe() + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void checkPreload(final AtomicReference<String> failure, final long deadline,
        final long done, final long count) throws IOException {
        if (failure.get() != null) {
            throw new IOException("preload: " + failure.get() + " after " + done + " of " + count + " values");
        }
        if (System.nanoTime() - deadline > 0) {
            throw new IOException("preload: " + done + " of " + count
                + " values committed and held everywhere within the timeout");
        }
    }

    protected String adminUrl(final long sid) {
        return adminUrls.get(sid);
    }

    /** Waits for the node's admin endpoint to answer, so faults can be sent to it. */
    protected void awaitAdmin(final long sid, final long timeoutMs) throws IOException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                get(sid, "/state");
                return;
            } catch (final IOException ex) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("node " + sid + " did not answer on " + adminUrl(sid) + " within "
                        + timeoutMs + " ms", ex);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            } catch (final InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", ex);
            }
        }
    }

    private String get(final long sid, final String path) throws IOException, InterruptedException {
        return get(sid, path, Duration.ofSeconds(2));
    }

    private String get(final long sid, final String path, final Duration timeout) throws IOException,
        InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl(sid) + path)).timeout(timeout)
            .GET();
        if (adminToken != null) {
            request.header("X-Admin-Token", adminToken);
        }
        final HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("node " + sid + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    protected void post(final long sid, final String path) throws IOException, InterruptedException {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl(sid) + path))
            .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.noBody());
        if (adminToken != null) {
            request.header("X-Admin-Token", adminToken);
        }
        final HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("node " + sid + " " + path + ": HTTP " + r.statusCode() + " " + r.body());
        }
    }

    private long metric(final long sid, final String name) throws IOException, InterruptedException {
        long sum = 0;
        for (final String line : get(sid, "/metrics").split("\n")) {
            if (line.startsWith(name)) {
                sum += (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    /**
     * Observe the nodes the way the zookeeper target observes ZooKeeper ({@code run --observe poll}): no event
     * stream, but one thread that asks each live node {@code GET /state} in turn over a new connection, about
     * once per millisecond per ensemble, and turns a changed answer into an event stamped on the load
     * generator's clock. Sync summaries are not observed this way. Call before the first start.
     */
    public final void observeByPolling() {
        isPolling = true;
    }

    private volatile boolean isPolling;
    private Thread poller;

    /** Follows the node's event stream on a daemon thread until it goes down or the target closes. */
    private void watch(final long sid) {
        if (isPolling) {
            synchronized (this) {
                if (poller == null) {
                    poller = new Thread(this::poll, "state-poller");
                    poller.setDaemon(true);
                    poller.start();
                }
            }
            return;
        }
        final Thread previous = streams.get(sid);
        if (previous != null) {
            previous.interrupt();
        }
        final Thread t = new Thread(() -> follow(sid), "events-" + sid);
        t.setDaemon(true);
        streams.put(sid, t);
        t.start();
    }

    private void follow(final long sid) {
        long sinceNs = 0;
        while (!isClosed && views.get(sid).isUp() && streams.get(sid) == Thread.currentThread()) {
            try {
                final HttpResponse<Stream<String>> r = http.send(
                    // The timeout bounds the wait for the response's headers only (the stream itself is
                    // endless): a connection that a node accepted while it was closing is never answered,
                    // and without it this watcher would wait on it forever instead of reconnecting.
                    HttpRequest.newBuilder(URI.create(adminUrl(sid) + "/events?since=" + sinceNs
                        + "&kinds=state,synced")).timeout(Duration.ofSeconds(2)).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
                try (Stream<String> lines = r.body()) {
                    for (final String line : (Iterable<String>)lines::iterator) {
                        sinceNs = Math.max(sinceNs, onEvent(sid, line) + 1);
                    }
                }
            } catch (final IOException | RuntimeException ex) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            } catch (final InterruptedException ex) {
                return;
            }
        }
    }

    /**
     * Round-robin {@code GET /state} probes of the live nodes, as {@code ZooKeeperTarget.watch} sends srvr: a new
     * TCP connection per probe (200 ms to connect, 500 ms to answer), 1000/n microseconds apart; a changed
     * state, leader or serving flag becomes an event at the probe's answer.
     */
    private void poll() {
        final long[] sids = sids();
        int next = 0;
        while (!isClosed) {
            final long sid = sids[next];
            next = (next + 1) % sids.length;
            final NodeView v = views.get(sid);
            if (v != null && v.isUp()) {
                final JsonNode state = probe(sid);
                final long ts = System.nanoTime();
                if (state != null) {
                    final String to = state.get("state").asText();
                    final long leader = state.get("leader").asLong();
                    final boolean isServing = state.get("serving").asBoolean();
                    final NodeView next2 = new NodeView(sid, true, to, leader, isServing);
                    final boolean isChanged = !to.equals(v.state()) || leader != v.leader();
                    if ((isChanged || isServing != v.isServing()) && views.replace(sid, v, next2)) {
                        if (isChanged) {
                            emit(new TrialEvent(sid, ts, to, leader));
                        }
                        if (isServing && (isChanged || !v.isServing())) {
                            emit(new TrialEvent(sid, ts, TrialEvent.SERVING, leader));
                        }
                    }
                }
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(1000 / Math.max(1, sids.length)));
        }
    }

    /** One {@code GET /state} over a new connection, or null when the node does not answer in time. */
    private JsonNode probe(final long sid) {
        final URI uri = URI.create(adminUrl(sid));
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 200);
            socket.setSoTimeout(500);
            socket.getOutputStream().write(("GET /state HTTP/1.1\r\nHost: " + uri.getHost()
                + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            final String text = new String(socket.getInputStream().readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
            final int body = text.indexOf("\r\n\r\n");
            return text.startsWith("HTTP/1.1 200") && body > 0 ? JSON.readTree(text.substring(body + 4)) : null;
        } catch (final IOException | RuntimeException ex) {
            return null;
        }
    }

    private long onEvent(final long sid, final String line) throws IOException {
        if (line.isBlank()) {
            return 0;
        }
        final JsonNode n = JSON.readTree(line);
        final long ts = n.get("ts").asLong();
        if (n.has("kind")) {
            if ("synced".equals(n.get("kind").asText()) && views.get(sid).isUp()) {
                emitSync(new SyncEvent(sid, ts, n.get("mode").asText(), n.get("txns").asLong(), n.get("bytes").asLong(),
                    n.get("durationNs").asLong()));
            }
            return ts; // a kind this reader does not know
        }
        final String from = n.get("from").asText();
        final String to = n.get("to").asText();
        final long leader = n.get("leader").asLong();
        final NodeView v = views.get(sid);
        if (!v.isUp()) {
            return ts;
        }
        if ("serving".equals(n.get("reason").asText()) && from.equals(to)) {
            emit(new TrialEvent(sid, ts, TrialEvent.SERVING, leader));
            views.put(sid, new NodeView(sid, true, to, v.leader(), true));
        } else {
            emit(new TrialEvent(sid, ts, to, leader));
            views.put(sid, new NodeView(sid, true, to, leader, false));
        }
        return ts;
    }

    @Override
    public void close() {
        isClosed = true;
        if (writes != null) {
            writes.close();
        }
        streams.values().forEach(Thread::interrupt);
        if (poller != null) {
            poller.interrupt();
        }
    }

    static int[] freePorts(final int count) throws IOException {
        return FreePorts.pick(count);
    }
}
