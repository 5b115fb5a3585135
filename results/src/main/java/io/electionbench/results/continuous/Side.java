package io.electionbench.results.continuous;

import java.util.Locale;

/** The two sides of a continuous comparison: A is the old (base) commit, B the new (head) one. */
public enum Side {
    /** The baseline, compared against; the "old" column of compare. */
    BASE("A"),
    /** The candidate; the "new" column of compare. */
    HEAD("B");

    private final String letter;

    Side(final String letter) {
        this.letter = letter;
    }

    /** @return "A" or "B", as shown in progress lines. */
    public String letter() {
        return letter;
    }

    /** @return "base" or "head", used in directory names and the run config. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
