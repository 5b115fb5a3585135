package io.electionbench.loadgen.run;

import java.util.Locale;

/**
 * The kinds of ensemble {@code electionbench run --target} accepts, each with the rules that follow from
 * what it is: which fault patterns it can make, how its servers are timed, where its size and policy come
 * from, and which child JVMs it starts. The run command and {@link CellRunner} ask the kind instead of
 * comparing target names. docs/loadgen.md describes the targets; docs/architecture.md where this sits.
 */
public enum TargetKind {
    /** The deterministic simulator, on virtual time. */
    SIM("sim", Observation.VIRTUAL, Sizing.OPTION),
    /** Our nodes in this JVM over loopback. */
    INPROC("inproc", Observation.EVENTS, Sizing.OPTION),
    /** One JVM per node: real kill -9 and SIGSTOP. */
    PROCESS("process", Observation.EVENTS, Sizing.OPTION),
    /** Apache ZooKeeper servers, one JVM each, watched through {@code srvr}. */
    ZOOKEEPER("zookeeper", Observation.POLL, Sizing.OPTION),
    /** Running electionbench nodes named by {@code --remote-config}, driven through their admin endpoints. */
    REMOTE("remote", Observation.EVENTS, Sizing.REMOTE_CONFIG),
    /** Our nodes or a ZooKeeper release on the servers of a {@code --hosts} inventory, over SSH. */
    HOSTS("hosts", Observation.POLL, Sizing.INVENTORY);

    /** How a target's servers are timed by default ({@code --observe} chooses where {@link #canChooseObservation}). */
    public enum Observation {
        /** Virtual time of the simulator. */
        VIRTUAL,
        /** The nodes' own event streams, stamped by the node. */
        EVENTS,
        /** Polling each server's state, stamped by the load generator. */
        POLL
    }

    /** Where a target's ensemble size comes from. */
    public enum Sizing {
        /** {@code --sizes}: the load generator builds an ensemble of each. */
        OPTION,
        /** The ensemble {@code --remote-config} lists. */
        REMOTE_CONFIG,
        /** The servers of the {@code --hosts} inventory. */
        INVENTORY
    }

    private final String cliName;
    private final Observation observation;
    private final Sizing sizing;

    TargetKind(final String cliName, final Observation observation, final Sizing sizing) {
        this.cliName = cliName;
        this.observation = observation;
        this.sizing = sizing;
    }

    /** The name {@code --target} accepts, and the cell's target in tables and run files. */
    public String cliName() {
        return cliName;
    }

    /** Parses a {@code --target} name, case-insensitive and trimmed. */
    public static TargetKind parse(final String text) {
        final String key = text.trim().toLowerCase(Locale.ROOT);
        for (final TargetKind k : values()) {
            if (k.cliName.equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown target '" + text.trim() + "' (expected " + names() + ")");
    }

    /** Every kind's name, as a sentence lists them: {@code sim, inproc, ... or hosts}. */
    private static String names() {
        final StringBuilder sb = new StringBuilder();
        final TargetKind[] all = values();
        for (int i = 0; i < all.length; i++) {
            sb.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(all[i].cliName);
        }
        return sb.toString();
    }

    /**
     * Why this target cannot make {@code pattern}'s fault, or null if it can: inproc nodes share this JVM
     * and remote ones are reached only through their admin endpoints, so neither can be frozen. A cell whose
     * pattern is refused is skipped with this reason.
     */
    public String refusal(final Pattern pattern) {
        if (pattern == Pattern.LEADER_PAUSE && (this == INPROC || this == REMOTE)) {
            return "the " + cliName + " target cannot pause a server (use process, zookeeper or sim)";
        }
        return null;
    }

    /** Whether this target can make {@code pattern}'s fault ({@link #refusal} is null). */
    public boolean canMake(final Pattern pattern) {
        return refusal(pattern) == null;
    }

    /**
     * How this target's servers are timed unless {@code --observe} says otherwise: the hosts target polls,
     * since its nodes' event streams are stamped on each host's own clock.
     */
    public Observation observation() {
        return observation;
    }

    /** Whether {@code --observe events,poll} applies: our nodes reachable on this machine's clock. */
    public boolean canChooseObservation() {
        return observation == Observation.EVENTS;
    }

    public Sizing sizing() {
        return sizing;
    }

    /** The simulator: virtual time, {@code --sim-trials}, an in-memory log and no client sessions. */
    public boolean isSimulated() {
        return this == SIM;
    }

    /**
     * ZooKeeper's servers run their own election, whatever {@code --policy} says: one cell per size and
     * release, with {@code --zookeeper}, {@code --zookeeper-home}, {@code --zk-config} and {@code --zk-variants}.
     */
    public boolean runsZooKeeperReleases() {
        return this == ZOOKEEPER;
    }

    /** Starts node JVMs on this machine with {@code --heap} and {@code --jvm-flags}. */
    public boolean startsNodeJvms() {
        return this == PROCESS;
    }

    /** Starts ZooKeeper JVMs on this machine with {@code --zk-heap} and {@code --jvm-flags}. */
    public boolean startsZooKeeperJvms() {
        return this == ZOOKEEPER;
    }

    /** Its client sessions are ZooKeeper sessions, which expire and move (sessions_expired, session_moved_errors). */
    public boolean hasZooKeeperSessions() {
        return this == ZOOKEEPER;
    }
}
