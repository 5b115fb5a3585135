package io.electionbench.core.sim.fault;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The kinds of fault a randomized simulation may inject. */
public enum Fault {
    /** Kill servers (peers see resets) and restart them from their persisted state. */
    CRASH,
    /** Split the ensemble into sides silently, and heal. */
    PARTITION,
    /** Lose messages. */
    LOSS,
    /** Deliver some messages twice. */
    DUPLICATE,
    /** Let messages on one link overtake each other. */
    REORDER,
    /**
     * Links that hold little: a full election link refuses notifications, a full quorum link is not
     * writable and then refuses sends, so the agents' send-failure paths run.
     */
    BACKPRESSURE,
    /**
     * Some partitions are one-way instead: one server hears nothing from the others while what it sends
     * still arrives (the links into it cut, as a firewall rule on its side makes it).
     */
    ONE_WAY;

    /** Parses a comma-separated list such as {@code crash,partition,loss}; {@code all} and {@code none} work too. */
    public static Set<Fault> parse(final String text) {
        final Set<Fault> faults = EnumSet.noneOf(Fault.class);
        for (final String part : text.split(",")) {
            final String name = part.trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty() || name.equals("NONE")) {
                continue;
            }
            if (name.equals("ALL")) {
                faults.addAll(EnumSet.allOf(Fault.class));
                continue;
            }
            try {
                faults.add(name.equals("DUP") ? DUPLICATE : valueOf(name.replace('-', '_')));
            } catch (final IllegalArgumentException ex) {
                throw new IllegalArgumentException("unknown fault '" + part.trim()
                    + "' (expected crash, partition, loss, duplicate, reorder, backpressure, one-way, all or none)",
                    ex);
            }
        }
        return faults;
    }

    /** The lower-case name used on the command line. */
    public String flag() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
