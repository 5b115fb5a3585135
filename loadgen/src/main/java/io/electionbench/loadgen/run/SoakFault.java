package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** The faults a soak cycles through (docs/loadgen.md, "Soak"); one at a time, on a live ensemble. */
public enum SoakFault {
    LEADER_KILL("leader-kill", "kill -9 the leader; restart it once another leader serves"),
    LEADER_PAUSE("leader-pause", "SIGSTOP the leader for 1-2 s, then SIGCONT"),
    FOLLOWER_KILL("follower-kill", "kill -9 a follower; restart it once the others serve without it"),
    FULL_DISK("full-disk", "fill a follower's tmpfs dataDir until ENOSPC, hold it full, then free it (root only)");

    private final String flag;
    private final String description;

    SoakFault(final String flag, final String description) {
        this.flag = flag;
        this.description = description;
    }

    public String flag() {
        return flag;
    }

    public String description() {
        return description;
    }

    /**
     * Parses {@code all} or a comma-separated list of flags; a fault named twice counts once.
     *
     * @throws IllegalArgumentException naming the unknown fault, or when none is named
     */
    public static List<SoakFault> parseList(final String text) {
        if (text.trim().equalsIgnoreCase("all")) {
            return List.of(values());
        }
        final List<SoakFault> out = new ArrayList<>();
        for (final String part : text.split(",")) {
            final String key = part.trim().toLowerCase(Locale.ROOT);
            if (key.isEmpty()) {
                continue;
            }
            final SoakFault f = parse(key);
            if (!out.contains(f)) {
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--faults names no fault (expected all or some of: " + known() + ")");
        }
        return List.copyOf(out);
    }

    private static SoakFault parse(final String key) {
        for (final SoakFault f : values()) {
            if (f.flag.equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--faults: unknown fault '" + key + "' (expected all or some of: " + known()
            + ")");
    }

    private static String known() {
        final StringJoiner sj = new StringJoiner(", ");
        for (final SoakFault f : values()) {
            sj.add(f.flag);
        }
        return sj.toString();
    }
}
