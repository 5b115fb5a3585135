package io.electionbench.results.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/**
 * The data of one plot as the page embeds it (JSON in the page, drawn by uPlot in the browser):
 * what is drawn is exactly this, so tests read it instead of pixels. NaN values are written as
 * JSON null, which the page draws as a gap.
 *
 * @param id         the element id of the plot's container, "plot-N".
 * @param title      the caption.
 * @param kind       what the plot shows.
 * @param x          the x axis.
 * @param y          the y axis.
 * @param categories labels of x = 0, 1, ... for a categorical x (history: short shas), else empty.
 * @param series     the series, in legend order.
 */
record PlotSpec(String id, String title, Kind kind, Axis x, Axis y, List<String> categories, List<Series> series) {
    /** What a plot shows; the page picks axis formatting by it. */
    enum Kind {
        /** Empirical CDF: x = value, y = fraction of samples at most x. */
        CDF,
        /** Percentile spectrum: x = 1/(1-p) on a log axis, labelled as percentiles; y = value. */
        SPECTRUM,
        /** Median and interval against ensemble size. */
        SIZE,
        /** Median and interval against the data preloaded before the trials ({@code run --preload}). */
        DATA,
        /** Median and interval per commit, oldest left. */
        HISTORY;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How a series is drawn. */
    enum Style {
        /** Steps, for a CDF. */
        STEP,
        /** A line through the points. */
        LINE,
        /** Points joined by a line, with interval bars where known. */
        POINTS,
        /** Large points with no line: the marked regressions. */
        MARKS;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param label the axis label.
     * @param isLog base-10 logarithmic.
     */
    record Axis(String label, boolean isLog) {
    }

    /**
     * One series. {@code x} and {@code y} have the same length; {@code lo}, {@code hi} and
     * {@code notes} are empty or of that length too.
     *
     * @param label   the legend label.
     * @param target  the cell's target ({@link Palette#JMH} for JMH cells), which chose the colour.
     * @param colour  "#rrggbb".
     * @param dash    canvas dash pattern, empty for solid.
     * @param style   how it is drawn.
     * @param x       x values, ascending.
     * @param y       y values, NaN for none.
     * @param lo      interval lows, NaN for none.
     * @param hi      interval highs, NaN for none.
     * @param notes   per-point text the page shows on hover.
     * @param machine the machine label ("M1") for a history series, else null.
     */
    record Series(String label, String target, String colour, int[] dash, Style style, double[] x, double[] y,
        double[] lo, double[] hi, List<String> notes, String machine) {
    }

    /** @return the JSON object the page reads. */
    ObjectNode toJson() {
        final JsonNodeFactory f = JsonNodeFactory.instance;
        final ObjectNode o = f.objectNode();
        o.put("id", id).put("title", title).put("kind", kind.json());
        o.set("x", axis(x));
        o.set("y", axis(y));
        final ArrayNode cats = o.putArray("categories");
        categories.forEach(cats::add);
        final ArrayNode list = o.putArray("series");
        for (final Series s : series) {
            final ObjectNode n = list.addObject();
            n.put("label", s.label()).put("target", s.target()).put("colour", s.colour())
                .put("style", s.style().json());
            final ArrayNode dash = n.putArray("dash");
            for (final int d : s.dash()) {
                dash.add(d);
            }
            n.set("x", numbers(s.x()));
            n.set("y", numbers(s.y()));
            n.set("lo", numbers(s.lo()));
            n.set("hi", numbers(s.hi()));
            final ArrayNode notes = n.putArray("notes");
            s.notes().forEach(notes::add);
            n.put("machine", s.machine());
        }
        return o;
    }

    private static ObjectNode axis(final Axis a) {
        return JsonNodeFactory.instance.objectNode().put("label", a.label()).put("log", a.isLog());
    }

    private static ArrayNode numbers(final double[] values) {
        final ArrayNode a = JsonNodeFactory.instance.arrayNode(values.length);
        for (final double v : values) {
            if (Double.isFinite(v)) {
                a.add(v);
            } else {
                a.addNull();
            }
        }
        return a;
    }
}
