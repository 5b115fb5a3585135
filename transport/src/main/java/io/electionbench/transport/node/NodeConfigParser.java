package io.electionbench.transport.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.transport.net.PeerAddress;
import io.electionbench.transport.net.TlsConfig;
import io.electionbench.transport.net.TransportConfig;

/**
 * Parses a zoo.cfg-shaped file. One {@code key=value} a line; blank lines and lines starting with
 * {@code #} or {@code !} are ignored. Keys:
 *
 * <pre>
 * server.N=host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]
 * admin.N=host:port        (member N's admin endpoint; default loopback, an ephemeral port)
 * group.G=a:b:c            weight.N=W         (hierarchical quorum)
 * dataDir=/var/eb/node-%d  (%d = the sid)
 * tickTime=2000  initLimit=10  syncLimit=5
 * electionPolicy=fast|zookeeper              fsync=always|batch|never
 * peerAuthSecret=TEXT | peerAuthSecretFile=PATH (relative to the config's directory)
 * adminToken=TEXT
 * cnxTimeout=5000  handshakeTimeoutMs=(tickTime*syncLimit)  reconnectMinMs=10  reconnectMaxMs=1000
 * maxClientCnxns=60  (write clients per source address, 0: no limit)  maxCnxns=1024  (write clients in all)
 * nativeTransport=true     (false forces NIO even where epoll is available)
 * sslQuorum=true           (mutual TLS on both peer ports; ZooKeeper's quorum TLS keys:)
 * ssl.quorum.keyStore.location=PATH   ssl.quorum.keyStore.password=TEXT | ssl.quorum.keyStore.passwordPath=PATH
 * ssl.quorum.trustStore.location=PATH ssl.quorum.trustStore.password=TEXT | ssl.quorum.trustStore.passwordPath=PATH
 * ssl.quorum.keyStore.type=JKS|PKCS12 ssl.quorum.trustStore.type=JKS|PKCS12   (default: by extension)
 * ssl.quorum.protocol=TLSv1.3  ssl.quorum.enabledProtocols=TLSv1.3,TLSv1.2  ssl.quorum.ciphersuites=A,B
 * ssl.quorum.hostnameVerification=true   ssl.quorum.clientAuth=need (the only value: peers always use mutual TLS)
 * </pre>
 *
 * Relative paths resolve against the config file's directory. With {@code sslQuorum=true} both stores
 * are loaded while parsing, so a missing file or a wrong password is a config error naming the key
 * and the file. A ZooKeeper zoo.cfg is read as ZooKeeper reads it: its keys that do not apply here
 * ({@code clientPort}, {@code forceSync}, {@code autopurge.*}, {@code metricsProvider.*}, the client-port TLS
 * keys, a server line's {@code ;clientPort}, ...) are ignored, and any other key is accepted too, as
 * ZooKeeper does (it sets them as system properties {@code zookeeper.KEY}); both are named in one warning
 * ({@link NodeConfig#ignoredKeysWarning}). Every error names the file, the line and what is wrong.
 */
public final class NodeConfigParser {
    /**
     * Keys ZooKeeper 3.9's {@code QuorumPeerConfig.parseProperties} reads itself, and the ones its servers
     * read as system properties that operators put in zoo.cfg ({@code forceSync}, {@code snapCount}, ...):
     * they do not apply to an electionbench node and are ignored, named in {@link NodeConfig#ignoredKeysWarning}.
     */
    private static final Set<String> ZOOKEEPER_KEYS = new HashSet<>(Arrays.asList(
        "dataLogDir", "clientPort", "localSessionsEnabled", "localSessionsUpgradingEnabled", "clientPortAddress",
        "secureClientPort", "secureClientPortAddress", "observerMasterPort", "clientPortListenBacklog",
        "minSessionTimeout", "maxSessionTimeout", "connectToLearnerMasterLimit", "electionAlg", "quorumListenOnAllIPs",
        "peerType", "syncEnabled", "dynamicConfigFile", "autopurge.snapRetainCount", "autopurge.purgeInterval",
        "standaloneEnabled", "reconfigEnabled", "quorum.cnxn.threads.size", "multiAddress.enabled",
        "multiAddress.reachabilityCheckTimeoutMs", "multiAddress.reachabilityCheckEnabled", "oraclePath", "version",
        "4lw.commands.whitelist", "forceSync", "electionPortBindRetry", "snapCount", "snapSizeLimitInKb",
        "preAllocSize", "globalOutstandingLimit", "serverCnxnFactory", "jute.maxbuffer", "fsync.warningthresholdms",
        "maxBatchSize", "flushDelay", "maxWriteQueuePollTime", "txnLogSizeLimitInKb", "syncLimitTimeout",
        "learner.asyncSending", "learner.closeSocketAsync", "leader.closeSocketAsync", "tcpKeepAlive",
        "clientTcpKeepAlive", "skipACL", "digest.enabled", "snapshot.compression.method", "snapshot.trust.empty",
        "audit.enable", "enforceQuota", "extendedTypesEnabled",
        "netty.server.outstandingHandshake.limit", "sessionRequireClientSASLAuth", "enforce.auth.enabled",
        "enforce.auth.schemes", "initialConfig", "client.secure"));
    /** Prefixes of ZooKeeper key families that do not apply here (besides numbered {@code admin.N}, ours). */
    private static final List<String> ZOOKEEPER_PREFIXES = List.of("admin.", "authProvider.", "metricsProvider.",
        "quorum.auth.", "kerberos.", "zookeeper.", "ssl.", "znode.container.", "serverCnxnFactory.", "jvm.pause.",
        "follower.", "observer.", "leader.", "learner.", "netty.", "jute.", "fips-mode");
    private static final String QUORUM_TLS_PREFIX = "ssl.quorum.";

    private NodeConfigParser() {
    }

    /** Parses and validates a file. */
    public static NodeConfig parse(final Path file) throws ConfigException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (final java.nio.file.NoSuchFileException ex) {
            throw new ConfigException(file + ": no such file", ex);
        } catch (final IOException ex) {
            throw new ConfigException(file + ": cannot read: " + ex, ex);
        }
        return parse(file.toString(), file.toAbsolutePath().getParent(), lines);
    }

    /** Parses text; {@code source} names it in errors, {@code baseDir} resolves relative file keys. */
    public static NodeConfig parse(final String source, final Path baseDir, final List<String> lines)
        throws ConfigException {
        final Builder b = new Builder(source, baseDir);
        for (int i = 0; i < lines.size(); i++) {
            final String line = lines.get(i).trim();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            final int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(source + ":" + (i + 1) + ": expected key=value, got '" + line + "'");
            }
            try {
                b.line = i + 1;
                b.apply(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            } catch (final IllegalArgumentException ex) {
                throw new ConfigException(source + ":" + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
        return b.build();
    }

    /** Accumulates keys; package-private so {@link NodeConfig} can read it. */
    static final class Builder {
        final String source;
        final Path baseDir;
        final Map<Long, PeerAddress> servers = new TreeMap<>();
        final Map<Long, AdminAddress> admins = new TreeMap<>();
        /** ZooKeeper's {@code ;[host:]clientPort} of each server line: read, checked, not used here. */
        final Map<Long, String> clientAddresses = new TreeMap<>();
        final List<String> ignored = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();
        final Map<Long, long[]> groups = new TreeMap<>();
        final Map<Long, Long> weights = new TreeMap<>();
        final Map<String, Integer> firstLine = new TreeMap<>();
        /** Every fixed {@code host:port} a server line names (host lower-cased), to what uses it. */
        final Map<String, String> endpoints = new TreeMap<>();
        int line;
        int tickTime = 2000;
        int initLimit = 10;
        int syncLimit = 5;
        ElectionPolicy policy = ElectionPolicy.defaultPolicy();
        FsyncPolicy fsync = FsyncPolicy.ALWAYS;
        String dataDir;
        byte[] peerAuthSecret;
        String adminToken;
        int connectTimeoutMs = 5000;
        int handshakeTimeoutMs;
        int reconnectMinMs = 10;
        int reconnectMaxMs = 1000;
        int maxClientCnxns = TransportConfig.DEFAULT_MAX_CLIENT_CNXNS;
        int maxCnxns = TransportConfig.DEFAULT_MAX_CNXNS;
        boolean isNativeTransport = true;
        boolean isSslQuorum;
        final Map<String, String> quorumTls = new TreeMap<>();
        TlsConfig tls;

        Builder(final String source, final Path baseDir) {
            this.source = source;
            this.baseDir = baseDir;
        }

        void apply(final String key, final String value) {
            final Integer previous = firstLine.putIfAbsent(key, line);
            if (previous != null) {
                throw new IllegalArgumentException("'" + key + "' is already set on line " + previous);
            }
            if (key.startsWith("server.")) {
                server(id(key, "server."), value);
            } else if (key.startsWith("group.")) {
                group(id(key, "group."), value);
            } else if (key.startsWith("weight.")) {
                weights.put(id(key, "weight."), nonNegativeLong(key, value));
            } else if (key.matches("admin\\.\\d+")) {
                admin(id(key, "admin."), value);
            } else {
                simple(key, value);
            }
        }

        private void simple(final String key, final String value) {
            switch (key) {
                case "tickTime": tickTime = positiveInt(key, value); break;
                case "initLimit": initLimit = positiveInt(key, value); break;
                case "syncLimit": syncLimit = positiveInt(key, value); break;
                case "dataDir": dataDir = nonEmpty(key, value); break;
                case "electionPolicy": policy = ElectionPolicy.byName(value); break;
                case "fsync": fsync = fsync(value); break;
                case "peerAuthSecret": peerAuthSecret = nonEmpty(key, value).getBytes(StandardCharsets.UTF_8); break;
                case "peerAuthSecretFile": peerAuthSecret = readSecret(value); break;
                case "adminToken": adminToken = nonEmpty(key, value); break;
                case "cnxTimeout": connectTimeoutMs = positiveInt(key, value); break;
                case "handshakeTimeoutMs": handshakeTimeoutMs = positiveInt(key, value); break;
                case "reconnectMinMs": reconnectMinMs = positiveInt(key, value); break;
                case "reconnectMaxMs": reconnectMaxMs = positiveInt(key, value); break;
                case "maxClientCnxns": maxClientCnxns = nonNegativeInt(key, value); break;
                case "maxCnxns": maxCnxns = nonNegativeInt(key, value); break;
                case "nativeTransport": isNativeTransport = bool(key, value); break;
                case "sslQuorum": isSslQuorum = bool(key, value); break;
                case "portUnification": unsupportedIfTrue(key, value, "a TLS port accepts only TLS"); break;
                case "sslQuorumReloadCertFiles":
                    unsupportedIfTrue(key, value, "restart the node to load new stores");
                    break;
                default:
                    if (key.startsWith(QUORUM_TLS_PREFIX)) {
                        quorumTls(key, value);
                    } else if (isZooKeeperKey(key)) {
                        ignored.add(key + " (line " + line + ")");
                    } else {
                        // ZooKeeper takes any other key too (as the system property zookeeper.KEY):
                        // so do we, saying so.
                        unknown.add(key + " (line " + line + ")");
                    }
            }
        }

        private void quorumTls(final String key, final String value) {
            switch (key) {
                case TlsConfig.KEY_STORE_LOCATION:
                case TlsConfig.KEY_STORE_PASSWORD:
                case TlsConfig.KEY_STORE_PASSWORD_PATH:
                case TlsConfig.KEY_STORE_TYPE:
                case TlsConfig.TRUST_STORE_LOCATION:
                case TlsConfig.TRUST_STORE_PASSWORD:
                case TlsConfig.TRUST_STORE_PASSWORD_PATH:
                case TlsConfig.TRUST_STORE_TYPE:
                case TlsConfig.PROTOCOL:
                case TlsConfig.ENABLED_PROTOCOLS:
                case TlsConfig.CIPHER_SUITES:
                    quorumTls.put(key, value);
                    break;
                case TlsConfig.HOSTNAME_VERIFICATION:
                    quorumTls.put(key, Boolean.toString(bool(key, value)));
                    break;
                case "ssl.quorum.clientAuth":
                    if (!"need".equalsIgnoreCase(value)) {
                        throw new IllegalArgumentException(key + "=" + value
                            + " is not supported: peers always use mutual TLS (need)");
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unsupported key '" + key + "'");
            }
        }

        private static void unsupportedIfTrue(final String key, final String value, final String why) {
            if (bool(key, value)) {
                throw new IllegalArgumentException(key + "=true is not supported: " + why);
            }
        }

        /** Builds and concludes the TLS settings: loads both stores now, so bad ones fail before any bind. */
        private TlsConfig tls() {
            final Path keyStore = path(TlsConfig.KEY_STORE_LOCATION);
            final Path trustStore = path(TlsConfig.TRUST_STORE_LOCATION);
            final TlsConfig config = new TlsConfig()
                .keyStore(keyStore, password(TlsConfig.KEY_STORE_PASSWORD, TlsConfig.KEY_STORE_PASSWORD_PATH),
                    quorumTls.get(TlsConfig.KEY_STORE_TYPE))
                .trustStore(trustStore, password(TlsConfig.TRUST_STORE_PASSWORD, TlsConfig.TRUST_STORE_PASSWORD_PATH),
                    quorumTls.get(TlsConfig.TRUST_STORE_TYPE))
                .enabledProtocols(list(TlsConfig.ENABLED_PROTOCOLS))
                .cipherSuites(list(TlsConfig.CIPHER_SUITES))
                .hostnameVerification(!"false".equals(quorumTls.get(TlsConfig.HOSTNAME_VERIFICATION)));
            if (quorumTls.containsKey(TlsConfig.PROTOCOL)) {
                config.protocol(quorumTls.get(TlsConfig.PROTOCOL));
            }
            return config.conclude();
        }

        private Path path(final String key) {
            final String value = quorumTls.get(key);
            return value == null || value.isEmpty() ? null : baseDir == null ? Path.of(value) : baseDir.resolve(value);
        }

        /** As ZooKeeper: a {@code passwordPath} file wins over an inline password. */
        private char[] password(final String key, final String pathKey) {
            final Path file = path(pathKey);
            if (file != null) {
                return TlsConfig.readPasswordFile(pathKey, file);
            }
            final String value = quorumTls.get(key);
            return value == null ? null : value.toCharArray();
        }

        private String[] list(final String key) {
            final String value = quorumTls.get(key);
            return value == null ? null : Arrays.stream(value.split(",")).map(String::trim).filter(v -> !v.isEmpty())
                .toArray(String[]::new);
        }

        /**
         * {@code host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]}, as
         * {@code QuorumPeer.QuorumServer.initializeWithAddressString} reads it; the client address is
         * ZooKeeper's and not used here (our nodes take client writes on the quorum port).
         */
        private void server(final long sid, final String value) {
            final String[] serverAndClient = value.split(";", -1);
            if (serverAndClient.length > 2) {
                throw new IllegalArgumentException("server." + sid + "=" + value + " has more than one ';'");
            }
            final String main = serverAndClient[0];
            final String[] parts = main.split(":");
            if (parts.length < 3 || parts.length > 4 || parts[0].isEmpty()) {
                throw new IllegalArgumentException("server." + sid + "=" + value
                    + " is not host:quorumPort:electionPort[:participant|:observer][;[clientHost:]clientPort]");
            }
            boolean isObserver = false;
            if (parts.length == 4) {
                if (!"participant".equals(parts[3]) && !"observer".equals(parts[3])) {
                    throw new IllegalArgumentException("server." + sid + " role '" + parts[3]
                        + "' is not participant or observer");
                }
                isObserver = "observer".equals(parts[3]);
            }
            final int quorumPort = port("server." + sid + " quorum port", parts[1]);
            final int electionPort = port("server." + sid + " election port", parts[2]);
            if (quorumPort == electionPort && quorumPort != 0) {
                throw new IllegalArgumentException("server." + sid + " uses port " + quorumPort
                    + " for both quorum and election");
            }
            servers.put(sid, new PeerAddress(sid, parts[0], quorumPort, electionPort, isObserver));
            claim(sid, "quorum", parts[0], quorumPort);
            claim(sid, "election", parts[0], electionPort);
            if (serverAndClient.length == 2) {
                final String client = serverAndClient[1].trim();
                final int colon = client.lastIndexOf(':');
                port("server." + sid + " client port", colon < 0 ? client : client.substring(colon + 1));
                clientAddresses.put(sid, client);
            }
        }

        /** {@code admin.N=host:port}: where member N's admin endpoint listens. */
        private void admin(final long sid, final String value) {
            final int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("admin." + sid + "=" + value + " is not host:port");
            }
            final String adminHost = value.substring(0, colon);
            final int adminPort = port("admin." + sid + " port", value.substring(colon + 1));
            admins.put(sid, new AdminAddress(adminHost, adminPort));
            claim(sid, "admin", adminHost, adminPort);
        }

        /**
         * Refuses an address another server line already uses: that member would dial itself, or two
         * members on one host could not both bind. Hosts compare as written (case aside), not resolved;
         * port 0 (ephemeral) may repeat.
         */
        private void claim(final long sid, final String what, final String host, final int port) {
            if (port == 0) {
                return;
            }
            final String address = host + ":" + port;
            final String user = "server." + sid + "'s " + what + " address";
            final String previous = endpoints.putIfAbsent(host.toLowerCase(Locale.ROOT) + ":" + port,
                user + " (line " + line + ")");
            if (previous != null) {
                throw new IllegalArgumentException(user + " " + address + " is also " + previous);
            }
        }

        private void group(final long gid, final String value) {
            final String[] parts = value.split(":");
            final long[] sids = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                sids[i] = positiveLong("group." + gid + " member", parts[i].trim());
            }
            groups.put(gid, sids);
        }

        private static boolean isZooKeeperKey(final String key) {
            if (ZOOKEEPER_KEYS.contains(key)) {
                return true;
            }
            for (final String prefix : ZOOKEEPER_PREFIXES) {
                if (key.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        }

        private byte[] readSecret(final String value) {
            final Path path = baseDir == null ? Path.of(value) : baseDir.resolve(value);
            try {
                final String secret = Files.readString(path, StandardCharsets.UTF_8).trim();
                if (secret.isEmpty()) {
                    throw new IllegalArgumentException("peerAuthSecretFile " + path + " is empty");
                }
                return secret.getBytes(StandardCharsets.UTF_8);
            } catch (final IOException ex) {
                throw new IllegalArgumentException("cannot read peerAuthSecretFile " + path + ": " + ex.getMessage(),
                    ex);
            }
        }

        NodeConfig build() throws ConfigException {
            if (servers.isEmpty()) {
                throw new ConfigException(source + ": no server.N lines");
            }
            for (final Long sid : admins.keySet()) {
                if (!servers.containsKey(sid)) {
                    throw new ConfigException(source + ":" + firstLine.get("admin." + sid) + ": admin." + sid
                        + " names no server (no server." + sid + " line)");
                }
            }
            final Ensemble ensemble = ensemble();
            checkTimeout("syncLimit", syncLimit);
            checkTimeout("initLimit", initLimit);
            if (reconnectMaxMs < reconnectMinMs) {
                throw new ConfigException(source + ":" + firstLine.get("reconnectMaxMs")
                    + ": reconnectMaxMs must be >= reconnectMinMs");
            }
            if (isSslQuorum) {
                try {
                    tls = tls();
                } catch (final IllegalArgumentException ex) {
                    throw new ConfigException(source + ":" + firstLine.get("sslQuorum") + ": " + ex.getMessage(), ex);
                }
            }
            return new NodeConfig(this, ensemble, new NodeTiming(tickTime, initLimit, syncLimit));
        }

        /**
         * {@code tickTime x limit} is a timeout in ms, an int as in ZooKeeper ({@code Learner.createSocket}
         * sets {@code tickTime * initLimit} as a socket timeout, {@code QuorumPeer.createCnxnManager}
         * {@code tickTime * syncLimit}); a product beyond one is refused naming both keys.
         */
        private void checkTimeout(final String limitKey, final int limit) throws ConfigException {
            final long ms = (long)tickTime * limit;
            if (ms > Integer.MAX_VALUE) {
                throw new ConfigException(source + ": tickTime x " + limitKey + " = " + tickTime + " ("
                    + where("tickTime") + ") x " + limit + " (" + where(limitKey) + ") = " + ms + " ms is more than "
                    + Integer.MAX_VALUE + " ms, the longest timeout");
            }
        }

        private String where(final String key) {
            final Integer at = firstLine.get(key);
            return at == null ? "default" : "line " + at;
        }

        /**
         * With every participant's weight 0, {@code HierarchicalQuorum} counts no group and no set of
         * servers is a quorum: the ensemble could never elect. Refused naming the lines that did it.
         */
        private void checkSomeWeight() throws ConfigException {
            if (groups.isEmpty()) {
                return;
            }
            final StringBuilder groupLines = new StringBuilder();
            for (final Map.Entry<Long, long[]> group : groups.entrySet()) {
                for (final long sid : group.getValue()) {
                    if (weights.getOrDefault(sid, 1L) != 0) {
                        return;
                    }
                }
                groupLines.append(groupLines.length() == 0 ? "" : ", ").append("group.").append(group.getKey())
                    .append(" line ").append(firstLine.get("group." + group.getKey()));
            }
            final StringBuilder weightLines = new StringBuilder();
            int last = 0;
            for (final Long sid : weights.keySet()) {
                final int at = firstLine.get("weight." + sid);
                weightLines.append(weightLines.length() == 0 ? "" : ", ").append("weight.").append(sid)
                    .append(" line ").append(at);
                last = Math.max(last, at);
            }
            throw new ConfigException(source + ":" + last + ": every participant's weight is 0 (" + groupLines + "; "
                + weightLines + "): no set of servers can be a quorum");
        }

        private Ensemble ensemble() throws ConfigException {
            checkSomeWeight();
            final Ensemble.Builder builder = Ensemble.builder();
            try {
                for (final PeerAddress server : servers.values()) {
                    builder.member(server.sid(), server.isObserver());
                }
                for (final Map.Entry<Long, long[]> group : groups.entrySet()) {
                    builder.group(group.getKey(), group.getValue());
                }
                for (final Map.Entry<Long, Long> weight : weights.entrySet()) {
                    builder.weight(weight.getKey(), weight.getValue());
                }
                return builder.build();
            } catch (final IllegalArgumentException ex) {
                throw new ConfigException(source + ": " + ex.getMessage(), ex);
            }
        }

        private static FsyncPolicy fsync(final String value) {
            for (final FsyncPolicy policy : FsyncPolicy.values()) {
                if (policy.name().equals(value.toUpperCase(Locale.ROOT))) {
                    return policy;
                }
            }
            throw new IllegalArgumentException("fsync '" + value + "' is not always, batch or never");
        }

        private static long id(final String key, final String prefix) {
            return positiveLong(key, key.substring(prefix.length()));
        }

        private static boolean bool(final String key, final String value) {
            if (!"true".equals(value) && !"false".equals(value)) {
                throw new IllegalArgumentException(key + " must be true or false, got '" + value + "'");
            }
            return Boolean.parseBoolean(value);
        }

        private static String nonEmpty(final String key, final String value) {
            if (value.isEmpty()) {
                throw new IllegalArgumentException(key + " is empty");
            }
            return value;
        }

        private static int port(final String what, final String text) {
            final long port = number(what, text);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(what + " " + text + " is not in 0..65535");
            }
            return (int)port;
        }

        private static int positiveInt(final String what, final String text) {
            final long value = number(what, text);
            if (value <= 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must be a positive integer, got '" + text + "'");
            }
            return (int)value;
        }

        private static int nonNegativeInt(final String what, final String text) {
            final long value = number(what, text);
            if (value < 0 || value > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(what + " must be an integer in 0.." + Integer.MAX_VALUE
                    + ", got '" + text + "'");
            }
            return (int)value;
        }

        private static long positiveLong(final String what, final String text) {
            final long value = number(what, text);
            if (value <= 0) {
                throw new IllegalArgumentException(what + " must be a positive integer, got '" + text + "'");
            }
            return value;
        }

        private static long nonNegativeLong(final String what, final String text) {
            final long value = number(what, text);
            if (value < 0) {
                throw new IllegalArgumentException(what + " must not be negative, got '" + text + "'");
            }
            return value;
        }

        private static long number(final String what, final String text) {
            try {
                return Long.parseLong(text.trim());
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException(what + " '" + text + "' is not an integer", ex);
            }
        }
    }
}
