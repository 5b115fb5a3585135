package io.electionbench.results;

/**
 * What produced a run file; written as "loadgen" or "jmh".
 */
public enum Kind {
    /** The load generator: cells are target, size, pattern, policy. */
    LOADGEN("loadgen"),
    /** A JMH run imported from {@code -rf json}: cells are benchmark and params. */
    JMH("jmh");

    private final String json;

    Kind(final String json) {
        this.json = json;
    }

    /**
     * @return the schema spelling.
     */
    public String json() {
        return json;
    }

    /**
     * @param text "loadgen" or "jmh".
     * @return the kind, or null when the text is neither.
     */
    public static Kind parse(final String text) {
        for (final Kind k : values()) {
            if (k.json.equals(text)) {
                return k;
            }
        }
        return null;
    }
}
