package io.electionbench.results.report;

/**
 * Escaping for text and attribute values in HTML and SVG.
 */
public final class Html {
    private Html() {
    }

    /**
     * @param s any text, null as empty.
     * @return the text with {@code & < > " '} replaced by entities, safe in element content and
     *         in quoted attributes.
     */
    public static String escape(final String s) {
        if (s == null) {
            return "";
        }
        final StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
