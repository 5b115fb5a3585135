package io.electionbench.transport.net;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.electionbench.core.quorum.Ensemble;

/**
 * Everything a {@link PeerTransport} needs, set once and checked by {@link #conclude()} (Aeron's
 * Context pattern). Defaults follow ZooKeeper where it has one ({@code cnxTimeout} 5 s,
 * {@code maxClientCnxns} 60) and favour fast recovery otherwise.
 */
public final class TransportConfig {
    /** ZooKeeper's default {@code maxClientCnxns} ({@code ServerCnxnFactory} implementations, 3.9). */
    public static final int DEFAULT_MAX_CLIENT_CNXNS = 60;
    /**
     * Write-client connections a node holds at most by default. ZooKeeper's {@code zookeeper.maxCnxns}
     * defaults to unlimited; ours does not, so a node's heap and file descriptors have a bound.
     */
    public static final int DEFAULT_MAX_CNXNS = 1024;
    private long mySid;
    private Ensemble ensemble;
    private List<PeerAddress> servers = new ArrayList<>();
    private Map<Long, long[]> groups = new TreeMap<>();
    private Map<Long, Long> weights = new TreeMap<>();
    private int connectTimeoutMs = 5000;
    private int handshakeTimeoutMs = 10_000;
    private int reconnectMinMs = 10;
    private int reconnectMaxMs = 1000;
    private int outboundRingBytes = 16 * 1024;
    private int maxClientCnxns = DEFAULT_MAX_CLIENT_CNXNS;
    private int maxCnxns = DEFAULT_MAX_CNXNS;
    private byte[] authSecret;
    private boolean isEpollAllowed = true;
    private TlsConfig tls;
    private String configText;

    public TransportConfig mySid(final long sid) {
        this.mySid = sid;
        return this;
    }

    public TransportConfig ensemble(final Ensemble ensemble) {
        this.ensemble = ensemble;
        return this;
    }

    /** Every member's addresses, in any order. */
    public TransportConfig servers(final List<PeerAddress> servers) {
        this.servers = new ArrayList<>(servers);
        return this;
    }

    /** Hierarchical quorum groups and weights, only to render the config text peers receive. */
    public TransportConfig groupsAndWeights(final Map<Long, long[]> groups, final Map<Long, Long> weights) {
        this.groups = new TreeMap<>(groups);
        this.weights = new TreeMap<>(weights);
        return this;
    }

    /** TCP connect timeout (ZooKeeper's {@code zookeeper.cnxTimeout}). */
    public TransportConfig connectTimeoutMs(final int ms) {
        this.connectTimeoutMs = ms;
        return this;
    }

    /** A connection that has not completed its header (and authentication) within this time is closed. */
    public TransportConfig handshakeTimeoutMs(final int ms) {
        this.handshakeTimeoutMs = ms;
        return this;
    }

    /** Reconnect backoff bounds; each delay is jittered within [delay/2, delay]. */
    public TransportConfig reconnectBackoffMs(final int minMs, final int maxMs) {
        this.reconnectMinMs = minMs;
        this.reconnectMaxMs = maxMs;
        return this;
    }

    /** Shared secret for HMAC peer authentication; null or empty for plain ZooKeeper-compatible links. */
    public TransportConfig authSecret(final byte[] secret) {
        this.authSecret = secret == null || secret.length == 0 ? null : secret.clone();
        return this;
    }

    /** Mutual TLS on both peer ports (concluded by {@link #conclude()} if not yet); null for plain TCP. */
    public TransportConfig tls(final TlsConfig tls) {
        this.tls = tls;
        return this;
    }

    /** Bytes of each per-peer outbound ring (a power of two). */
    public TransportConfig outboundRingBytes(final int bytes) {
        this.outboundRingBytes = bytes;
        return this;
    }

    /**
     * Write-client connections one source address may hold open at once, 0 for no limit: ZooKeeper's
     * {@code maxClientCnxns} ({@code NIOServerCnxnFactory.AcceptThread.doAccept}). Peer connections
     * never count.
     */
    public TransportConfig maxClientCnxns(final int max) {
        this.maxClientCnxns = max;
        return this;
    }

    /**
     * Write-client connections the node holds open at once, 0 for no limit (ZooKeeper's
     * {@code zookeeper.maxCnxns}, {@code ServerCnxnFactory.limitTotalNumberOfCnxns}).
     */
    public TransportConfig maxCnxns(final int max) {
        this.maxCnxns = max;
        return this;
    }

    /** False forces NIO even where native epoll is available. */
    public TransportConfig epollAllowed(final boolean isAllowed) {
        this.isEpollAllowed = isAllowed;
        return this;
    }

    /**
     * Validates once, before start.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public TransportConfig conclude() {
        if (ensemble == null) {
            throw new IllegalArgumentException("no ensemble");
        }
        if (ensemble.indexOf(mySid) < 0) {
            throw new IllegalArgumentException("server " + mySid + " is not in the ensemble " + ensemble);
        }
        for (int i = 0; i < ensemble.size(); i++) {
            if (address(ensemble.sid(i)) == null) {
                throw new IllegalArgumentException("no address for server " + ensemble.sid(i));
            }
        }
        if (connectTimeoutMs <= 0 || handshakeTimeoutMs <= 0 || reconnectMinMs <= 0
            || reconnectMaxMs < reconnectMinMs) {
            throw new IllegalArgumentException("timeouts must be positive and reconnectMaxMs >= reconnectMinMs");
        }
        if (maxClientCnxns < 0 || maxCnxns < 0) {
            throw new IllegalArgumentException("maxClientCnxns and maxCnxns must not be negative (0: no limit), got "
                + maxClientCnxns + " and " + maxCnxns);
        }
        if (Integer.bitCount(outboundRingBytes) != 1 || outboundRingBytes < 1024) {
            throw new IllegalArgumentException("outboundRingBytes must be a power of two >= 1024, got "
                + outboundRingBytes);
        }
        if (tls != null && !tls.isConcluded()) {
            tls.conclude();
        }
        servers.sort((a, b) -> Long.compare(a.sid(), b.sid()));
        configText = QuorumConfigText.format(servers, groups, weights, 0);
        return this;
    }

    /** The address of {@code sid}, or null. */
    public PeerAddress address(final long sid) {
        for (final PeerAddress server : servers) {
            if (server.sid() == sid) {
                return server;
            }
        }
        return null;
    }

    public long mySid() {
        return mySid;
    }

    public Ensemble ensemble() {
        return ensemble;
    }

    public List<PeerAddress> servers() {
        return Collections.unmodifiableList(servers);
    }

    public int connectTimeoutMs() {
        return connectTimeoutMs;
    }

    public int handshakeTimeoutMs() {
        return handshakeTimeoutMs;
    }

    public int reconnectMinMs() {
        return reconnectMinMs;
    }

    public int reconnectMaxMs() {
        return reconnectMaxMs;
    }

    public int outboundRingBytes() {
        return outboundRingBytes;
    }

    public int maxClientCnxns() {
        return maxClientCnxns;
    }

    public int maxCnxns() {
        return maxCnxns;
    }

    /** The shared secret, or null when authentication is off. */
    public byte[] authSecret() {
        return authSecret == null ? null : authSecret.clone();
    }

    public boolean isAuthEnabled() {
        return authSecret != null;
    }

    /** The TLS settings, or null when the peer ports are plain TCP. */
    public TlsConfig tls() {
        return tls;
    }

    public boolean isTlsEnabled() {
        return tls != null;
    }

    public boolean isEpollAllowed() {
        return isEpollAllowed;
    }

    /** The {@code QuorumVerifier.toString()}-style text sent in every notification (after {@link #conclude()}). */
    public String configText() {
        return configText;
    }
}
