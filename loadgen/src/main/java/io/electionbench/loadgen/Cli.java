package io.electionbench.loadgen;

import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the commands: one-line errors and list parsing. */
final class Cli {
    /** Exit code for bad input: a bad flag, a missing or malformed file. */
    static final int BAD_INPUT = 2;

    private Cli() {
    }

    /** Prints {@code electionbench COMMAND: message} on stderr and returns {@link #BAD_INPUT}. */
    static int fail(final String command, final String message) {
        System.err.println("electionbench " + command + ": " + message);
        return BAD_INPUT;
    }

    /** Parses {@code 3,5,7}; each value must be in [min, max]. */
    static List<Integer> intList(final String text, final String what, final int min, final int max) {
        final List<Integer> out = new ArrayList<>();
        for (final String part : text.split(",")) {
            final String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            final int v;
            try {
                v = Integer.parseInt(p);
            } catch (final NumberFormatException ex) {
                throw new IllegalArgumentException(what + " '" + p + "' is not an integer", ex);
            }
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + " " + v + " is out of range " + min + ".." + max);
            }
            out.add(v);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no " + what + " given");
        }
        return out;
    }

    /**
     * A JVM heap size as {@code -Xmx} takes it ({@code 512m}, {@code 2g}, {@code 1048576k}, plain bytes), in
     * bytes; {@code flag} names the option in the error.
     */
    static long bytes(final String text, final String flag) {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})([kKmMgG]?)")
            .matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not a size such as 512m or 2g");
        }
        final long n = Long.parseLong(m.group(1));
        final int shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        return n << shift;
    }

    /** Splits {@code a,b} into its non-empty trimmed parts; {@code flag} names the option when there are none. */
    static List<String> stringList(final String text, final String flag) {
        final List<String> out = new ArrayList<>();
        for (final String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(flag + " names nothing");
        }
        return out;
    }
}
