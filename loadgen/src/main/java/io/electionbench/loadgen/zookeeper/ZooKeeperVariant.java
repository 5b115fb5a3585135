package io.electionbench.loadgen.zookeeper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A named set of ZooKeeper configuration knobs that one cell runs with ({@code --zk-config} for every
 * cell, {@code --zk-variants} for one cell each). Each knob goes where ZooKeeper reads it: most into every
 * server's zoo.cfg; the ones ZooKeeper reads as system properties ({@link #SYSTEM_PROPERTY_KEYS}, or any key
 * written {@code zookeeper.X}) as {@code -Dzookeeper.X=V} on the server's command line, before any class
 * that reads them is loaded (QuorumCnxManager's {@code zookeeper.cnxTimeout}, FastLeaderElection's
 * {@code zookeeper.fastleader.*}, FileTxnLog's {@code zookeeper.forceSync}). The load generator's own keys
 * (dataDir, clientPort, server.N, myid) cannot be set; tickTime, initLimit and syncLimit can, and then
 * also set the cell's timing.
 *
 * @param name  the variant's name, shown in the cell policy as {@code zk-3.9.5+NAME}; empty for none
 * @param knobs key to value, in the order given
 */
public record ZooKeeperVariant(String name, Map<String, String> knobs) {
    /** No knobs and no name: the release as the load generator configures it. */
    public static final ZooKeeperVariant NONE = new ZooKeeperVariant("", Map.of());
    /** Keys ZooKeeper reads only from system properties, without their {@code zookeeper.} prefix. */
    public static final Set<String> SYSTEM_PROPERTY_KEYS = Set.of("cnxTimeout", "fastleader.minNotificationInterval",
        "fastleader.maxNotificationInterval", "forceSync", "electionPortBindRetry", "tcpKeepAlive",
        "leader.maxTimeToWaitForEpoch", "learner.asyncSending", "leader.ackLoggingFrequency");
    private static final Set<String> MANAGED = Set.of("dataDir", "dataLogDir", "clientPort", "clientPortAddress",
        "myid", "4lw.commands.whitelist", "admin.enableServer");
    private static final Set<String> TIMING = Set.of("tickTime", "initLimit", "syncLimit");

    public ZooKeeperVariant {
        knobs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(knobs));
    }

    /**
     * Parses {@code --zk-config} values, each {@code KEY=VALUE}.
     *
     * @throws IllegalArgumentException one line naming the value and the flag
     */
    public static Map<String, String> parseConfig(final List<String> values, final String flag) {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final String value : values) {
            final int eq = value.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(flag + " '" + value + "' is not KEY=VALUE");
            }
            final String key = value.substring(0, eq).trim();
            checkKey(key, flag);
            out.put(key, value.substring(eq + 1).trim());
        }
        return out;
    }

    /**
     * Parses {@code --zk-variants NAME:KEY=VALUE[;KEY=VALUE],NAME2:...}; {@code base:} is a variant with no
     * knobs of its own. Every variant also gets {@code common} (its own knobs win).
     *
     * @throws IllegalArgumentException one line naming the part that is wrong
     */
    public static List<ZooKeeperVariant> parseVariants(final String text, final Map<String, String> common) {
        final List<ZooKeeperVariant> out = new ArrayList<>();
        for (final String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            final int colon = part.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("--zk-variants '" + part.trim()
                    + "' is not NAME:KEY=VALUE[;KEY=VALUE] (NAME: for none)");
            }
            final String name = part.substring(0, colon).trim();
            if (!name.matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("--zk-variants name '" + name
                    + "' may hold only letters, digits, '.', '_' and '-'");
            }
            if (out.stream().anyMatch(v -> v.name().equals(name))) {
                throw new IllegalArgumentException("--zk-variants names '" + name + "' twice");
            }
            final List<String> pairs = new ArrayList<>();
            for (final String pair : part.substring(colon + 1).split(";")) {
                if (!pair.isBlank()) {
                    pairs.add(pair.trim());
                }
            }
            final Map<String, String> knobs = new LinkedHashMap<>(common);
            knobs.putAll(parseConfig(pairs, "--zk-variants " + name));
            out.add(new ZooKeeperVariant(name, knobs));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--zk-variants names no variant");
        }
        return out;
    }

    private static void checkKey(final String key, final String flag) {
        if (MANAGED.contains(key) || key.startsWith("server.") || key.startsWith("group.")
            || key.startsWith("weight.")) {
            throw new IllegalArgumentException(flag + ": " + key + " is set by the load generator for every server and"
                + " cannot be changed");
        }
        if (!key.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException(flag + ": '" + key + "' is not a ZooKeeper configuration key");
        }
    }

    /** The cell policy of {@code release} with this variant: {@code zk-3.9.5} or {@code zk-3.9.5+cnx500}. */
    public String policyName(final ZooKeeperDistribution release) {
        return name.isEmpty() ? release.policyName() : release.policyName() + "+" + name;
    }

    /** The knobs that go into zoo.cfg, as lines. */
    public List<String> zooCfgLines() {
        final List<String> lines = new ArrayList<>();
        knobs.forEach((k, v) -> {
            if (!isSystemProperty(k)) {
                lines.add(k + "=" + v);
            }
        });
        return lines;
    }

    /** The knobs ZooKeeper reads as system properties, as {@code -Dzookeeper.X=V} arguments. */
    public List<String> jvmArguments() {
        final List<String> args = new ArrayList<>();
        knobs.forEach((k, v) -> {
            if (isSystemProperty(k)) {
                args.add("-D" + (k.startsWith("zookeeper.") ? k : "zookeeper." + k) + "=" + v);
            }
        });
        return args;
    }

    /** The value of tickTime, initLimit or syncLimit when this variant sets it, else {@code fallback}. */
    public int timing(final String key, final int fallback) {
        if (!TIMING.contains(key)) {
            throw new IllegalArgumentException(key);
        }
        final String v = knobs.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            final int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (final NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("zookeeper variant " + (name.isEmpty() ? "(--zk-config)" : name) + ": " + key
            + "=" + v + " is not a positive integer");
    }

    private static boolean isSystemProperty(final String key) {
        return key.startsWith("zookeeper.") || SYSTEM_PROPERTY_KEYS.contains(key)
            || key.toLowerCase(Locale.ROOT).startsWith("fastleader.");
    }
}
