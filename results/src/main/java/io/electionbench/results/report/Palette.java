package io.electionbench.results.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Colours that stay with a target in every plot of every report: a reader learns once that
 * ZooKeeper is purple and the process target orange. Series of one target within a plot (sizes,
 * policies, machines) differ by dash pattern instead. Colours are from Tableau 10, which stays
 * distinguishable for the common colour-vision deficiencies.
 */
final class Palette {
    /** The pseudo-target of JMH cells, which have no target of their own. */
    static final String JMH = "jmh";
    /** The colour of points that are a regression beyond the drift. */
    static final String MARK = "#d62728";
    /** Known targets, fixed: an unknown target must not shift them. */
    static final Map<String, String> TARGETS = targets();
    /** Colours for targets not named above, chosen by a stable hash of the name. */
    private static final String[] SPARE = {"#edc948", "#ff9da7", "#bab0ac", "#e15759"};
    private static final int[][] DASHES = {{}, {6, 3}, {2, 3}, {10, 3, 2, 3}, {12, 6}, {4, 2, 4, 6}};

    private Palette() {
    }

    private static Map<String, String> targets() {
        final Map<String, String> m = new LinkedHashMap<>();
        m.put("sim", "#4e79a7");
        m.put("process", "#f28e2b");
        m.put("inproc", "#59a14f");
        m.put("zookeeper", "#b07aa1");
        m.put("remote", "#76b7b2");
        m.put(JMH, "#9c755f");
        return Map.copyOf(m);
    }

    /**
     * @param target a cell's target, or {@link #JMH}.
     * @return its colour, "#rrggbb"; the same for the same name everywhere.
     */
    static String colour(final String target) {
        final String known = TARGETS.get(target);
        return known != null ? known : SPARE[Math.floorMod(target.hashCode(), SPARE.length)];
    }

    /**
     * @param variant how many series of the same target came before this one in its plot.
     * @return a canvas dash pattern (empty: solid), repeating after six.
     */
    static int[] dash(final int variant) {
        return DASHES[variant % DASHES.length].clone();
    }
}
