package io.electionbench.results;

/**
 * Which direction of change is an improvement for a metric; written as "lower" or "higher".
 */
public enum Better {
    /** Smaller is better: latencies, times, bytes allocated. */
    LOWER("lower"),
    /** Larger is better: throughput. */
    HIGHER("higher");

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
     * @param text "lower" or "higher".
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
