package io.electionbench.results;

/**
 * Which direction of change is an improvement for a metric; written as "lower", "higher" or
 * "unknown". A direction is declared by whoever measures the metric, never inferred from its unit:
 * a JMH {@code @AuxCounters} field is reported in ops/s whether it counts useful work or misses.
 * A metric of unknown direction can change, but is never a regression or an improvement.
 */
public enum Better {
    /** Smaller is better: latencies, times, bytes allocated. */
    LOWER("lower"),
    /** Larger is better: throughput. */
    HIGHER("higher"),
    /** Not declared: a counter whose meaning the importer does not know (see {@link JmhImport}). */
    UNKNOWN("unknown");

    private final String json;

    Better(final String json) {
        this.json = json;
    }

    /**
     * @return the schema spelling.
     */
    public String json() {
        return json;
    }

    /**
     * @param text "lower", "higher" or "unknown".
     * @return the direction, or null when the text is neither.
     */
    public static Better parse(final String text) {
        for (final Better b : values()) {
            if (b.json.equals(text)) {
                return b;
            }
        }
        return null;
    }
}
