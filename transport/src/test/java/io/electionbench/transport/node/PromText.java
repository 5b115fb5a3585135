package io.electionbench.transport.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4 for tests, checking what {@code promtool check metrics}
 * checks and a little more: every sample belongs to the family declared just before it, every family has one
 * non-empty HELP and one TYPE before its samples, counters (and only counters) end in {@code _total}, a
 * histogram has cumulative {@code _bucket}s ending at {@code le="+Inf"}, a {@code _count} equal to that
 * bucket and a {@code _sum}, and no sample carries a {@code sid} label (Prometheus adds {@code instance}).
 * Empty lines are ignored, as the format says (the admin endpoint ends every body with one). Any violation is
 * an {@link AssertionError} naming the line.
 */
final class PromText {
    private static final Pattern HELP = Pattern.compile("# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)");
    private static final Pattern TYPE = Pattern.compile(
        "# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    /** One metric family: its HELP, TYPE and samples, in the order written. */
    static final class Family {
        final String name;
        String help;
        String type;
        final List<Sample> samples = new ArrayList<>();

        Family(final String name) {
            this.name = name;
        }
    }

    final Map<String, Family> families = new LinkedHashMap<>();
    private final String text;

    private PromText(final String text) {
        this.text = text;
    }

    /** Parses and checks {@code text}; throws {@link AssertionError} at the first violation. */
    static PromText parse(final String text) {
        final PromText parsed = new PromText(text);
        Family current = null;
        final String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw parsed.fail(lines.length, "the text does not end with a newline");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            final String line = lines[i];
            final Matcher help = HELP.matcher(line);
            final Matcher type = TYPE.matcher(line);
            if (help.matches()) {
                current = parsed.declare(current, help.group(1), i + 1);
                if (current.help != null) {
                    throw parsed.fail(i + 1, "a second HELP for " + current.name);
                }
                current.help = help.group(2);
            } else if (type.matches()) {
                current = parsed.declare(current, type.group(1), i + 1);
                if (current.type != null) {
                    throw parsed.fail(i + 1, "a second TYPE for " + current.name);
                }
                current.type = type.group(2);
            } else if (line.isEmpty()) {
                continue;
            } else if (line.startsWith("#")) {
                throw parsed.fail(i + 1, "a comment that is neither HELP nor TYPE: " + line);
            } else {
                parsed.sample(current, line, i + 1);
            }
        }
        for (final Family family : parsed.families.values()) {
            parsed.checkFamily(family);
        }
        return parsed;
    }

    private Family declare(final Family current, final String name, final int lineNo) {
        if (current != null && current.name.equals(name)) {
            if (!current.samples.isEmpty()) {
                throw fail(lineNo, "HELP or TYPE after the samples of " + name);
            }
            return current;
        }
        if (families.containsKey(name)) {
            throw fail(lineNo, "the family " + name + " is declared twice");
        }
        final Family family = new Family(name);
        families.put(name, family);
        return family;
    }

    private void sample(final Family current, final String line, final int lineNo) {
        final Matcher m = SAMPLE.matcher(line);
        if (!m.matches()) {
            throw fail(lineNo, "not a sample line: " + line);
        }
        if (current == null || !belongs(m.group(1), current)) {
            throw fail(lineNo, "the sample " + m.group(1) + " has no HELP and TYPE of its own family before it");
        }
        final Map<String, String> labels = new LinkedHashMap<>();
        if (m.group(2) != null && !m.group(2).isEmpty()) {
            final Matcher label = LABEL.matcher(m.group(2));
            int end = 0;
            while (label.find() && label.start() == end) {
                labels.put(label.group(1), label.group(2));
                end = label.end();
            }
            if (end != m.group(2).length()) {
                throw fail(lineNo, "bad labels: " + m.group(2));
            }
        }
        if (labels.containsKey("sid")) {
            throw fail(lineNo, "a sid label repeats the instance: " + line);
        }
        final double value;
        try {
            value = Double.parseDouble(m.group(3).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
        } catch (final NumberFormatException ex) {
            throw fail(lineNo, "not a number: " + m.group(3));
        }
        current.samples.add(new Sample(m.group(1), labels, value));
    }

    private static boolean belongs(final String sample, final Family family) {
        if (sample.equals(family.name)) {
            return !"histogram".equals(family.type);
        }
        return ("histogram".equals(family.type) || "summary".equals(family.type))
            && (sample.equals(family.name + "_bucket") && "histogram".equals(family.type)
            || sample.equals(family.name + "_count") || sample.equals(family.name + "_sum"));
    }

    private void checkFamily(final Family family) {
        if (family.help == null || family.help.isBlank()) {
            throw new AssertionError(family.name + " has no HELP\n" + text);
        }
        if (family.type == null) {
            throw new AssertionError(family.name + " has no TYPE\n" + text);
        }
        if ("counter".equals(family.type) != family.name.endsWith("_total")) {
            throw new AssertionError(family.name + " is a " + family.type + ": only counters end in _total\n" + text);
        }
        if ("histogram".equals(family.type)) {
            checkHistogram(family);
        }
    }

    private void checkHistogram(final Family family) {
        double previous = 0;
        boolean hasInf = false;
        for (final Sample s : family.samples) {
            if (s.name().endsWith("_bucket")) {
                if (hasInf) {
                    throw new AssertionError(family.name + ": a bucket after le=\"+Inf\"\n" + text);
                }
                if (s.value() < previous) {
                    throw new AssertionError(family.name + ": buckets are not cumulative\n" + text);
                }
                previous = s.value();
                hasInf = "+Inf".equals(s.labels().get("le"));
            }
        }
        if (!hasInf) {
            throw new AssertionError(family.name + " has no le=\"+Inf\" bucket\n" + text);
        }
        if (value(family.name + "_count") != previous) {
            throw new AssertionError(family.name + "_count differs from its +Inf bucket\n" + text);
        }
        value(family.name + "_sum");
    }

    /** The value of the one sample named {@code name} whose labels include {@code labelPairs} (name, value, ...). */
    double value(final String name, final String... labelPairs) {
        Sample found = null;
        for (final Family family : families.values()) {
            for (final Sample s : family.samples) {
                if (s.name().equals(name) && hasLabels(s, labelPairs)) {
                    if (found != null) {
                        throw new AssertionError("more than one sample " + name + " " + List.of(labelPairs)
                            + "\n" + text);
                    }
                    found = s;
                }
            }
        }
        if (found == null) {
            throw new AssertionError("no sample " + name + " " + List.of(labelPairs) + "\n" + text);
        }
        return found.value();
    }

    private static boolean hasLabels(final Sample s, final String... labelPairs) {
        for (int i = 0; i + 1 < labelPairs.length; i += 2) {
            if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                return false;
            }
        }
        return true;
    }

    boolean hasFamily(final String name) {
        return families.containsKey(name);
    }

    String text() {
        return text;
    }

    private AssertionError fail(final int lineNo, final String what) {
        return new AssertionError("line " + lineNo + ": " + what + "\n" + text);
    }
}
