package io.electionbench.loadgen.run;

import java.util.Locale;

/**
 * The crash patterns. Each trial injects its fault at a recorded instant and measures, from node
 * events, how long the ensemble took to detect it, agree on a leader and be ready (see
 * {@link TrialAnalysis}); then it restores the ensemble (restarts, heals) and waits until stable.
 */
public enum Pattern {
    COLD_START("cold-start", 1, "stop every server, start them all at once; measured from the start"),
    STAGGERED_START("staggered-start", 1,
        "stop every server, start them one by one 100 ms apart (the seed's case); measured from the start of the"
        + " server that completes a quorum"),
    LEADER_CRASH("leader-crash", 3, "kill -9 the leader; measured from the kill"),
    FOLLOWER_CRASH("follower-crash", 3,
        "kill -9 one follower, then restart it; the leader must stay; measures the follower's rejoin from its restart"),
    MINORITY_CRASH("minority-crash", 3, "kill -9 the leader and followers, a minority (n-1)/2 in all, at once"),
    LEADER_FOLLOWER_CRASH("leader-follower-crash", 5, "kill -9 the leader and one follower at once"),
    ROLLING_RESTART("rolling-restart", 3,
    "restart every follower one at a time, then the leader; measured from the leader's kill"),
    REPEATED_LEADER_KILLS("repeated-leader-kills", 3,
        "kill -9 the leader, wait for the next, kill it too, (n-1)/2 times; each election is one sample"),
    PARTITION_LEADER("partition-leader", 3,
        "cut the leader off from every other server (silently); measured from the cut; detection takes syncLimit"
        + " ticks"),
    SPLIT_HALVES("split-halves", 3,
        "split into halves, the leader in the smaller one; an odd ensemble elects on the larger side, an even one"
        + " only after the heal"),
    LEADER_PAUSE("leader-pause", 3,
    "SIGSTOP the leader, measured from the pause; resume it afterwards (process and sim targets)"),
    ONE_WAY_LEADER("one-way-leader", 3,
        "the leader hears nothing from the others while what it sends still reaches them; measured from the cut"
        + " (hosts: a firewall rule on the leader's host; zookeeper: its proxies; process, inproc, remote: the"
        + " node drops what arrives; sim: the links into it)");

    private final String flag;
    private final int minSize;
    private final String description;

    Pattern(final String flag, final int minSize, final String description) {
        this.flag = flag;
        this.minSize = minSize;
        this.description = description;
    }

    public String flag() {
        return flag;
    }

    /**
     * The smallest ensemble this pattern makes sense for: a quorum must survive the fault (below 3 servers
     * no crash leaves one), except for the starts, which need no survivor.
     */
    public int minSize() {
        return minSize;
    }

    public String description() {
        return description;
    }

    /** Parses a pattern's flag (or its enum name), case-insensitive. */
    public static Pattern parse(final String text) {
        final String key = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (final Pattern p : values()) {
            if (p.flag.equals(key)) {
                return p;
            }
        }
        final StringBuilder known = new StringBuilder();
        for (final Pattern p : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(p.flag);
        }
        throw new IllegalArgumentException("unknown pattern '" + text + "' (expected one of: " + known + ")");
    }

    /** Each pattern with its description for --help, wrapped to 79 columns under a hanging indent. */
    public static String help() {
        final int indent = 25;
        final int width = 79;
        final StringBuilder sb = new StringBuilder();
        for (final Pattern p : values()) {
            final StringBuilder line = new StringBuilder(String.format("  %-22s", p.flag));
            for (final String word : p.description.split(" ")) {
                if (line.length() + 1 + word.length() > width && line.length() > indent) {
                    sb.append(line).append('\n');
                    line.setLength(0);
                    line.append(" ".repeat(indent - 1));
                }
                line.append(' ').append(word);
            }
            sb.append(line).append('\n');
        }
        return sb.toString();
    }
}
