package io.electionbench.results.compare;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;

/**
 * A family-wise error correction over the p-values of one comparison. With 22 rows at alpha 0.05
 * about one false regression per comparison is expected without one; Holm-Bonferroni keeps the
 * chance of any false verdict in the family at most alpha, under any dependence between the rows.
 */
public enum Correction {
    /** Raw p-values: each row tested at alpha on its own. */
    NONE,
    /**
     * Holm's step-down Bonferroni (S. Holm, "A simple sequentially rejective multiple test
     * procedure", Scand. J. Statist. 6, 1979): the i-th smallest of m p-values becomes
     * max over j &lt;= i of min(1, (m - j + 1) p(j)), as {@code statsmodels multipletests(method='holm')}.
     */
    HOLM;

    /** @return "none" or "holm", as on the command line and in JSON. */
    public String json() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text "none" or "holm", any case.
     * @return the correction, or null for anything else.
     */
    public static Correction parse(final String text) {
        for (final Correction c : values()) {
            if (c.json().equalsIgnoreCase(text)) {
                return c;
            }
        }
        return null;
    }

    /**
     * @param p raw p-values of one family, in any order, each in [0, 1].
     * @return the adjusted p-values in the same order; each at least its raw value, at most 1.
     */
    public double[] adjust(final double[] p) {
        if (this == NONE || p.length == 0) {
            return p.clone();
        }
        final Integer[] order = new Integer[p.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingDouble(i -> p[i]));
        final double[] adjusted = new double[p.length];
        double running = 0.0;
        for (int rank = 0; rank < order.length; rank++) {
            final double scaled = Math.min(1.0, (p.length - rank) * p[order[rank]]);
            running = Math.max(running, scaled);
            adjusted[order[rank]] = running;
        }
        return adjusted;
    }
}
