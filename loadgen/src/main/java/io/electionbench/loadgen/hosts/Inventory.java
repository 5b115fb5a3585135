package io.electionbench.loadgen.hosts;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * The servers of {@code run --target hosts --hosts FILE}: a zoo.cfg-shaped properties file (read with the JDK's
 * {@link Properties}, as ZooKeeper reads zoo.cfg) naming, per server, the address the ensemble uses, how to reach
 * the host over SSH, what runs there and in which directory. Keys without {@code server.N.} are defaults for every
 * server. docs/loadgen.md, "Running on your own machines", shows a whole file.
 *
 * <pre>
 * runs = zookeeper 3.9.5          # or: electionbench
 * dir = /var/tmp/electionbench    # working directory on each host
 * heap = 128m                     # optional; java = /usr/bin/java is optional too
 * ports = 2888:3888:2181          # quorum:election:client (ZooKeeper) or quorum:election:admin (ours)
 * ssh.config = ~/.ssh/config      # optional, passed to ssh as -F
 * server.1 = 10.0.0.11            # the address the other servers and the load generator use
 * server.1.ssh = admin@db1:22     # user@host[:port] or an alias of the ssh config
 * firewall = auto                 # or iptables, nft: what makes partitions (auto: iptables if the host has it)
 * </pre>
 */
public record Inventory(Path file, List<Server> servers, Path sshConfig) {
    private static final Set<String> SERVER_KEYS = Set.of("ssh", "runs", "dir", "java", "heap", "ports", "firewall");
    private static final Set<String> GLOBAL_KEYS = Set.of("runs", "dir", "java", "heap", "ports", "firewall",
        "ssh.config");
    private static final java.util.regex.Pattern SERVER_KEY =
        java.util.regex.Pattern.compile("server\\.(\\d+)(?:\\.(.+))?");
    private static final java.util.regex.Pattern DESTINATION =
        java.util.regex.Pattern.compile("(?:([^@\\s:]+)@)?([^@\\s:]+)(?::(\\d{1,5}))?");

    /**
     * One server of the inventory.
     *
     * @param sid       its id in the ensemble
     * @param address   the address it binds and the others reach it at
     * @param ssh       how to reach its host
     * @param runs      what runs there
     * @param dir       its working directory on the host (the tool creates a directory per run tag inside)
     * @param java      the host's java command
     * @param heap      its heap, as {@code -Xmx}
     * @param ports     quorum, election, and client (ZooKeeper) or admin (ours) port
     * @param firewall  what makes its firewall faults: {@code auto}, {@code iptables} or {@code nft}
     */
    public record Server(long sid, String address, SshDestination ssh, Runs runs, String dir, String java, String heap,
        int[] ports, String firewall) {
        public int quorumPort() {
            return ports[0];
        }

        public int electionPort() {
            return ports[1];
        }

        /** ZooKeeper's client port, or our admin port. */
        public int servicePort() {
            return ports[2];
        }
    }

    /** What a server runs: our node, or one ZooKeeper release. */
    public record Runs(String kind, String version) {
        public boolean isZooKeeper() {
            return "zookeeper".equals(kind);
        }

        @Override
        public String toString() {
            return version == null ? kind : kind + " " + version;
        }
    }

    /**
     * An SSH destination as ssh takes it: {@code [user@]host} and a port, or an alias its config resolves.
     *
     * @param port the port, or 0 to leave it to ssh (its config or 22)
     */
    public record SshDestination(String user, String host, int port) {
        /** The arguments that name the destination on an ssh command line. */
        public List<String> sshArguments() {
            final List<String> out = new ArrayList<>();
            if (port > 0) {
                out.add("-p");
                out.add(Integer.toString(port));
            }
            out.add(user == null ? host : user + "@" + host);
            return out;
        }

        @Override
        public String toString() {
            return (user == null ? "" : user + "@") + host + (port > 0 ? ":" + port : "");
        }
    }

    public Inventory {
        servers = List.copyOf(servers);
    }

    public int size() {
        return servers.size();
    }

    public Server server(final long sid) {
        for (final Server s : servers) {
            if (s.sid == sid) {
                return s;
            }
        }
        throw new IllegalArgumentException(file + ": no server." + sid);
    }

    /** What every server runs (an inventory runs one kind, checked by {@link #parse}). */
    public Runs runs() {
        return servers.get(0).runs;
    }

    /**
     * Reads and checks an inventory.
     *
     * @throws IllegalArgumentException naming the file and the key of the first problem
     */
    public static Inventory parse(final Path file) throws IOException {
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        }
        final Map<Long, Map<String, String>> perServer = new TreeMap<>();
        final Map<String, String> defaults = new TreeMap<>();
        for (final String key : p.stringPropertyNames()) {
            final String value = stripComment(p.getProperty(key));
            final Matcher m = SERVER_KEY.matcher(key);
            if (m.matches()) {
                final long sid = Long.parseLong(m.group(1));
                final String sub = m.group(2) == null ? "address" : m.group(2);
                if (!sub.equals("address") && !SERVER_KEYS.contains(sub)) {
                    throw bad(file, key, "unknown key (a server takes ssh, runs, dir, java, heap, ports, firewall)");
                }
                perServer.computeIfAbsent(sid, k -> new TreeMap<>()).put(sub, value);
            } else if (GLOBAL_KEYS.contains(key)) {
                defaults.put(key, value);
            } else {
                throw bad(file, key,
                    "unknown key (expected server.N[.ssh|runs|dir|java|heap|ports|firewall], runs, dir, java, heap,"
                    + " ports, firewall or ssh.config)");
            }
        }
        if (perServer.isEmpty()) {
            throw new IllegalArgumentException(file + ": no server.N = address line");
        }
        final List<Server> servers = new ArrayList<>();
        for (final Map.Entry<Long, Map<String, String>> e : perServer.entrySet()) {
            servers.add(server(file, e.getKey(), e.getValue(), defaults));
        }
        for (final Server s : servers) {
            if (!s.runs.equals(servers.get(0).runs)) {
                throw bad(file, "server." + s.sid + ".runs", "runs " + s.runs + " but server." + servers.get(0).sid
                    + " runs "
                    + servers.get(0).runs + "; one ensemble runs one kind of server");
            }
        }
        final String config = defaults.get("ssh.config");
        return new Inventory(file, servers, config == null ? null : home(file, config));
    }

    private static Server server(final Path file, final long sid, final Map<String, String> own, final Map<String,
        String> defaults) {
        final String prefix = "server." + sid;
        if (sid < 1 || sid > 255) {
            throw bad(file, prefix, "the sid must be 1..255");
        }
        final String address = own.get("address");
        if (address == null || address.isBlank()) {
            throw bad(file, prefix, "missing: server." + sid + " = the address the ensemble uses");
        }
        if (!address.trim().matches("[A-Za-z0-9._:-]+")) {
            // It goes into firewall rules and the servers' configs as it stands.
            throw bad(file, prefix, "'" + address.trim() + "' is not a host name or an IPv4 or IPv6 address");
        }
        final String ssh = own.getOrDefault("ssh", address);
        final Matcher d = DESTINATION.matcher(ssh);
        if (!d.matches()) {
            throw bad(file, prefix + ".ssh", "'" + ssh + "' is not user@host[:port] or an ssh config alias");
        }
        final int port = d.group(3) == null ? 0 : Integer.parseInt(d.group(3));
        if (d.group(3) != null && (port < 1 || port > 65_535)) {
            throw bad(file, prefix + ".ssh", "port " + port + " is not 1..65535");
        }
        final String dir = value(own, defaults, "dir", null);
        if (dir == null || !dir.startsWith("/")) {
            throw bad(file, dir == null ? prefix + ".dir" : own.containsKey("dir") ? prefix + ".dir" : "dir",
                dir == null ? "missing: the working directory on the host (dir = /absolute/path)" : "'" + dir
                    + "' is not an absolute path");
        }
        final String runsText = value(own, defaults, "runs", null);
        if (runsText == null) {
            throw bad(file, prefix + ".runs", "missing: runs = electionbench or runs = zookeeper VERSION");
        }
        final Runs runs = runs(file, own.containsKey("runs") ? prefix + ".runs" : "runs", runsText);
        final String portsKey = own.containsKey("ports") ? prefix + ".ports" : "ports";
        final String defaultPorts = runs.isZooKeeper() ? "2888:3888:2181" : "2888:3888:8080";
        final int[] ports = ports(file, portsKey, value(own, defaults, "ports", defaultPorts));
        final String heap = value(own, defaults, "heap", "128m");
        if (!heap.matches("\\d+[kKmMgG]?")) {
            throw bad(file, own.containsKey("heap") ? prefix + ".heap" : "heap", "'" + heap
                + "' is not a heap size like 128m");
        }
        final String firewall = value(own, defaults, "firewall", "auto").toLowerCase(Locale.ROOT);
        if (!Set.of("auto", "iptables", "nft").contains(firewall)) {
            throw bad(file, own.containsKey("firewall") ? prefix + ".firewall" : "firewall", "'" + firewall
                + "' is not auto, iptables or nft");
        }
        return new Server(sid, address.trim(), new SshDestination(d.group(1), d.group(2), port), runs, dir,
            value(own, defaults, "java", "java"), heap, ports, firewall);
    }

    private static Runs runs(final Path file, final String key, final String text) {
        final String[] words = text.trim().split("\\s+");
        final String kind = words[0].toLowerCase(Locale.ROOT);
        if (kind.equals("electionbench") && words.length == 1) {
            return new Runs(kind, null);
        }
        if (kind.equals("zookeeper") && words.length == 2 && words[1].matches("\\d+\\.\\d+\\.\\d+")) {
            return new Runs(kind, words[1]);
        }
        throw bad(file, key, "'" + text + "' is not 'electionbench' or 'zookeeper VERSION' (as zookeeper 3.9.5)");
    }

    private static int[] ports(final Path file, final String key, final String text) {
        final String[] parts = text.trim().split(":");
        if (parts.length != 3) {
            throw bad(file, key, "'" + text + "' is not quorum:election:client-or-admin ports");
        }
        final int[] out = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                out[i] = Integer.parseInt(parts[i]);
            } catch (final NumberFormatException ex) {
                throw bad(file, key, "'" + parts[i] + "' is not a port");
            }
            if (out[i] < 1 || out[i] > 65_535) {
                throw bad(file, key, "port " + out[i] + " is not 1..65535");
            }
        }
        if (out[0] == out[1] || out[0] == out[2] || out[1] == out[2]) {
            throw bad(file, key, "'" + text + "' uses one port twice");
        }
        return out;
    }

    private static String value(final Map<String, String> own, final Map<String, String> defaults, final String key,
        final String fallback) {
        final String v = own.containsKey(key) ? own.get(key) : defaults.get(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** Properties keeps what follows the value on its line; a {@code #} after whitespace starts a comment here. */
    private static String stripComment(final String value) {
        final int at = value.indexOf(" #");
        return (at >= 0 ? value.substring(0, at) : value).trim();
    }

    private static Path home(final Path file, final String path) {
        final String expanded = path.startsWith("~/") ? System.getProperty("user.home") + path.substring(1) : path;
        final Path p = Path.of(expanded);
        return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p);
    }

    private static IllegalArgumentException bad(final Path file, final String key, final String what) {
        return new IllegalArgumentException(file + ": " + key + ": " + what);
    }
}
