package io.electionbench.transport.node;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.net.TlsConfig;
import io.electionbench.transport.net.TransportConfig;

/**
 * A parsed, validated zoo.cfg-shaped ensemble config (see {@link NodeConfigParser} for the keys).
 * Immutable; one file describes the whole ensemble and {@code --id} picks the member.
 */
public final class NodeConfig {
    private final String source;
    private final Map<Long, PeerAddress> servers;
    private final Map<Long, AdminAddress> admins;
    private final Map<Long, long[]> groups;
    private final Map<Long, Long> weights;
    private final Ensemble ensemble;
    private final NodeTiming timing;
    private final ElectionPolicy policy;
    private final FsyncPolicy fsync;
    private final String dataDirTemplate;
    private final byte[] peerAuthSecret;
    private final String adminToken;
    private final int connectTimeoutMs;
    private final int handshakeTimeoutMs;
    private final int reconnectMinMs;
    private final int reconnectMaxMs;
    private final int maxClientCnxns;
    private final int maxCnxns;
    private final boolean isNativeTransport;
    private final TlsConfig tls;
    private final String ignoredKeysWarning;

    NodeConfig(final NodeConfigParser.Builder b, final Ensemble ensemble, final NodeTiming timing) {
        this.source = b.source;
        this.servers = Collections.unmodifiableMap(new TreeMap<>(b.servers));
        this.admins = Collections.unmodifiableMap(new TreeMap<>(b.admins));
        this.groups = Collections.unmodifiableMap(new TreeMap<>(b.groups));
        this.weights = Collections.unmodifiableMap(new TreeMap<>(b.weights));
        this.ensemble = ensemble;
        this.timing = timing;
        this.policy = b.policy;
        this.fsync = b.fsync;
        this.dataDirTemplate = b.dataDir;
        this.peerAuthSecret = b.peerAuthSecret;
        this.adminToken = b.adminToken;
        this.connectTimeoutMs = b.connectTimeoutMs;
        this.handshakeTimeoutMs = b.handshakeTimeoutMs > 0
            ? b.handshakeTimeoutMs : timing.tickTimeMs() * timing.syncLimit();
        this.reconnectMinMs = b.reconnectMinMs;
        this.reconnectMaxMs = b.reconnectMaxMs;
        this.maxClientCnxns = b.maxClientCnxns;
        this.maxCnxns = b.maxCnxns;
        this.isNativeTransport = b.isNativeTransport;
        this.tls = b.tls;
        this.ignoredKeysWarning = ignoredKeysWarning(b);
    }

    private static String ignoredKeysWarning(final NodeConfigParser.Builder b) {
        final java.util.List<String> parts = new ArrayList<>();
        if (!b.ignored.isEmpty()) {
            parts.add("ZooKeeper keys that do not apply to an electionbench node: " + String.join(", ", b.ignored));
        }
        if (!b.clientAddresses.isEmpty()) {
            final java.util.List<String> clients = new ArrayList<>();
            b.clientAddresses.forEach((sid, address) -> clients.add("server." + sid + " ;" + address));
            parts.add("client addresses (ZooKeeper's ;clientPort; our nodes take writes on the quorum port, and the"
                + " admin endpoint is admin.N=host:port): " + String.join(", ", clients));
        }
        if (!b.unknown.isEmpty()) {
            parts.add("keys unknown to electionbench and to ZooKeeper's QuorumPeerConfig, which would set them as"
                + " system properties zookeeper.KEY: " + String.join(", ", b.unknown));
        }
        return parts.isEmpty() ? null : b.source + ": ignoring " + String.join("; ", parts);
    }

    /**
     * The one warning line naming every key and server-line part this config holds that an electionbench
     * node does not use (ZooKeeper's own keys, the client addresses, keys nobody knows), with their lines;
     * null when there are none. The node logs it once at start.
     */
    public String ignoredKeysWarning() {
        return ignoredKeysWarning;
    }

    /** The file (or label) this config came from. */
    public String source() {
        return source;
    }

    public Map<Long, PeerAddress> servers() {
        return servers;
    }

    public PeerAddress server(final long sid) {
        return servers.get(sid);
    }

    /** The admin address of {@code sid}: its {@code admin.N=host:port}, or loopback with an ephemeral port. */
    public AdminAddress admin(final long sid) {
        final AdminAddress admin = admins.get(sid);
        return admin != null ? admin : new AdminAddress("127.0.0.1", 0);
    }

    public Ensemble ensemble() {
        return ensemble;
    }

    public NodeTiming timing() {
        return timing;
    }

    public ElectionPolicy policy() {
        return policy;
    }

    /** zoo.cfg {@code fsync=}: how the txn log forces appends ({@code always} by default). */
    public FsyncPolicy fsync() {
        return fsync;
    }

    /** {@code dataDir} with {@code %d} replaced by {@code sid}; null if no dataDir is configured. */
    public Path dataDir(final long sid) {
        return dataDirTemplate == null ? null : Paths.get(dataDirTemplate.replace("%d", Long.toString(sid)));
    }

    public boolean hasPeerAuth() {
        return peerAuthSecret != null;
    }

    /** True with {@code sslQuorum=true}: both peer ports run mutual TLS. */
    public boolean hasTls() {
        return tls != null;
    }

    /** The admin token, or null when none is configured. */
    public String adminToken() {
        return adminToken;
    }

    public int handshakeTimeoutMs() {
        return handshakeTimeoutMs;
    }

    /** The transport configuration of member {@code sid}, concluded. */
    public TransportConfig transportConfig(final long sid) {
        return new TransportConfig()
            .mySid(sid)
            .ensemble(ensemble)
            .servers(new ArrayList<>(servers.values()))
            .groupsAndWeights(groups, weights)
            .connectTimeoutMs(connectTimeoutMs)
            .handshakeTimeoutMs(handshakeTimeoutMs)
            .reconnectBackoffMs(reconnectMinMs, reconnectMaxMs)
            .maxClientCnxns(maxClientCnxns)
            .maxCnxns(maxCnxns)
            .authSecret(peerAuthSecret)
            .epollAllowed(isNativeTransport)
            .tls(tls)
            .conclude();
    }
}
