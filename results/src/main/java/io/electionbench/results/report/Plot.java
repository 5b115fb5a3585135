package io.electionbench.results.report;

import io.electionbench.results.Numbers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small SVG chart: linear axes with nice ticks, numeric or categorical x, step lines (CDFs) or
 * points joined by lines with vertical interval bars, optional marked points, a legend below.
 * Every text is escaped; the output is one {@code <svg>} element with no external reference.
 * The title is not drawn inside the chart, where a long cell id would run off its edge: the page
 * shows {@link #title()} above it, where text wraps, and the SVG keeps it as its accessible name.
 */
final class Plot {
    /** Tableau 10: distinguishable, colour-blind-friendlier than defaults. */
    static final String[] PALETTE = {
        "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    static final String MARK_COLOUR = "#d62728";

    private static final int WIDTH = 640;
    private static final int AREA_HEIGHT = 260;
    private static final int LEFT = 72;
    private static final int RIGHT = 24;
    private static final int TOP = 14;
    private static final int BOTTOM = 56;
    private static final int LEGEND_LINE = 16;
    /** Estimated width of one character of an 11px axis label, with a margin for wide glyphs. */
    private static final double LABEL_CHAR_PX = 7.0;
    /** Space kept between neighbouring category labels. */
    private static final double LABEL_GAP_PX = 10.0;

    /** How a series is drawn. */
    enum Style {
        /** Empirical CDF: horizontal then vertical steps. */
        STEP,
        /** Points with interval bars, joined by straight lines. */
        POINTS
    }

    /**
     * @param x        x value (category index for categorical plots).
     * @param y        y value.
     * @param lo       interval low, NaN for none.
     * @param hi       interval high, NaN for none.
     * @param note     tooltip text.
     * @param isMarked drawn as a large red point (a regression).
     */
    record Point(double x, double y, double lo, double hi, String note, boolean isMarked) {
    }

    /** A named series of points. */
    static final class Series {
        final String name;
        final Style style;
        final List<Point> points = new ArrayList<>();
        /** Palette index fixed by the caller, so one cell keeps its colour in every plot; -1 for by position. */
        int colourIndex = -1;

        Series(final String name, final Style style) {
            this.name = name;
            this.style = style;
        }

        Series add(final Point p) {
            points.add(p);
            return this;
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<String> categories;
    private final List<Series> series = new ArrayList<>();
    private boolean isIntegerX;

    /**
     * @param title      chart title.
     * @param xLabel     x-axis label.
     * @param yLabel     y-axis label.
     * @param categories x labels for categorical plots (x = index), or null for a numeric x.
     */
    Plot(final String title, final String xLabel, final String yLabel, final List<String> categories) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.categories = categories;
    }

    /** Makes the numeric x axis tick at whole numbers only, as for ensemble sizes. */
    Plot withIntegerX() {
        isIntegerX = true;
        return this;
    }

    /** @return the chart title, for the page to show above the chart. */
    String title() {
        return title;
    }

    Series series(final String name, final Style style) {
        final Series s = new Series(name, style);
        series.add(s);
        return s;
    }

    /** A series drawn in palette colour {@code colourIndex} wherever it appears. */
    Series series(final String name, final Style style, final int colourIndex) {
        final Series s = series(name, style);
        s.colourIndex = colourIndex;
        return s;
    }

    private String colour(final int position) {
        final int i = series.get(position).colourIndex >= 0 ? series.get(position).colourIndex : position;
        return PALETTE[i % PALETTE.length];
    }

    String toSvg() {
        final Axis xs = xScale();
        final Scale ys = yScale();
        final int height = TOP + AREA_HEIGHT + BOTTOM + LEGEND_LINE * series.size() + 8;
        final StringBuilder svg = new StringBuilder(4096);
        svg.append(String.format(Locale.ROOT,
            "<svg class=\"plot\" role=\"img\" width=\"%d\" height=\"%d\""
                + " viewBox=\"0 0 %d %d\" aria-label=\"%s\">\n", WIDTH, height, WIDTH, height, Html.escape(title)));
        svg.append("<title>").append(Html.escape(title)).append("</title>\n");
        axes(svg, xs, ys);
        for (int i = 0; i < series.size(); i++) {
            drawSeries(svg, series.get(i), colour(i), xs, ys);
        }
        legend(svg);
        return svg.append("</svg>\n").toString();
    }

    private Axis xScale() {
        if (categories != null) {
            return new Scale(-0.5, Math.max(categories.size(), 1) - 0.5, LEFT, WIDTH - RIGHT);
        }
        final double[] range = range(false);
        if (isCdf() && range[0] > 0 && range[1] / range[0] >= LOG_SPAN) {
            return LogScale.of(range[0], range[1], LEFT, WIDTH - RIGHT);
        }
        return Scale.nice(range[0], range[1], LEFT, WIDTH - RIGHT, isIntegerX ? 1.0 : 0.0);
    }

    /** Every series is a step (CDF) series. */
    private boolean isCdf() {
        return !series.isEmpty() && series.stream().allMatch(s -> s.style == Style.STEP);
    }

    private Scale yScale() {
        if (isCdf()) {
            return new Scale(0.0, 1.0, TOP + AREA_HEIGHT, TOP);
        }
        final double[] range = range(true);
        return Scale.nice(range[0], range[1], TOP + AREA_HEIGHT, TOP, 0.0);
    }

    /** Data range over x (or y with interval bounds); [0, 1] when there is no data. */
    private double[] range(final boolean isY) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (final Series s : series) {
            for (final Point p : s.points) {
                for (final double v : isY ? new double[]{p.y, p.lo, p.hi} : new double[]{p.x}) {
                    if (Double.isFinite(v)) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        return min > max ? new double[]{0.0, 1.0} : new double[]{min, max};
    }

    private void axes(final StringBuilder svg, final Axis xs, final Scale ys) {
        final int bottom = TOP + AREA_HEIGHT;
        for (final double t : ys.ticks()) {
            final double y = ys.map(t);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"g\"/>"
                + "<text x=\"%d\" y=\"%.1f\" class=\"yl\">%s</text>\n", LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4,
                Html.escape(tick(t))));
        }
        if (categories != null) {
            final int step = labelStep(categories, WIDTH - LEFT - RIGHT);
            for (int i = categories.size() - 1; i >= 0; i -= step) {
                final double x = xs.map(i);
                svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n", x, bottom + 16,
                    Html.escape(categories.get(i))));
            }
        } else {
            for (final double t : xs.ticks()) {
                final double x = xs.map(t);
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"g\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" class=\"xl\">%s</text>\n", x, TOP, x, bottom, x, bottom + 16,
                    Html.escape(tick(t))));
            }
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"f\"/>\n",
            LEFT, TOP, WIDTH - LEFT - RIGHT, AREA_HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"al\">%s</text>\n",
            (LEFT + WIDTH - RIGHT) / 2, bottom + 38, Html.escape(xs instanceof LogScale ? xLabel + ", log scale" : xLabel)));
        svg.append(String.format(Locale.ROOT, "<text transform=\"translate(16 %d) rotate(-90)\" class=\"al\">%s</text>\n",
            TOP + AREA_HEIGHT / 2, Html.escape(yLabel)));
    }

    private static void drawSeries(final StringBuilder svg, final Series s, final String colour, final Axis xs, final Scale ys) {
        if (s.points.isEmpty()) {
            return;
        }
        svg.append("<g><title>").append(Html.escape(s.name)).append("</title>\n");
        final StringBuilder path = new StringBuilder();
        if (s.style == Style.STEP) {
            path.append(String.format(Locale.ROOT, "M%.1f %.1f", xs.map(s.points.get(0).x), ys.map(0.0)));
            for (final Point p : s.points) {
                path.append(String.format(Locale.ROOT, "H%.1fV%.1f", xs.map(p.x), ys.map(p.y)));
            }
        } else {
            for (final Point p : s.points) {
                path.append(path.length() == 0 ? "M" : "L").append(String.format(Locale.ROOT, "%.1f %.1f", xs.map(p.x), ys.map(p.y)));
            }
        }
        svg.append("<path d=\"").append(path).append("\" fill=\"none\" stroke=\"").append(colour)
            .append("\" stroke-width=\"").append(s.style == Style.STEP ? "1.8" : "1.4").append("\"/>\n");
        if (s.style == Style.POINTS) {
            s.points.forEach(p -> drawPoint(svg, p, colour, xs, ys));
        }
        svg.append("</g>\n");
    }

    private static void drawPoint(final StringBuilder svg, final Point p, final String colour, final Axis xs, final Scale ys) {
        final double x = xs.map(p.x);
        if (Double.isFinite(p.lo) && Double.isFinite(p.hi)) {
            svg.append(String.format(Locale.ROOT, "<path d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" stroke=\"%s\"/>\n",
                x, ys.map(p.lo), ys.map(p.hi), x - 4, ys.map(p.lo), x + 4, x - 4, ys.map(p.hi), x + 4, colour));
        }
        final String fill = p.isMarked ? MARK_COLOUR : colour;
        svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"%s><title>%s</title></circle>\n",
            x, ys.map(p.y), p.isMarked ? "6" : "3", fill, p.isMarked ? " class=\"regression\" stroke=\"#000\"" : "",
            Html.escape(p.note)));
    }

    /**
     * Labels every {@code step}-th category, counted back from the last (the newest commit is
     * always labelled), so that neighbouring labels of the widest width do not overlap.
     */
    static int labelStep(final List<String> categories, final double widthPx) {
        final int longest = categories.stream().mapToInt(String::length).max().orElse(0);
        final double slotPx = widthPx / Math.max(categories.size(), 1);
        return Math.max(1, (int)Math.ceil((longest * LABEL_CHAR_PX + LABEL_GAP_PX) / slotPx));
    }

    /** Visible text is cut to fit the chart; the full text stays in the SVG title (tooltip). */
    static String clip(final String s, final int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
    }

    /** Tick labels drop trailing zeros: "0.8", "250", "7e-04", not "0.8000", "250.0", "7.000e-04". */
    static String tick(final double t) {
        final String s = Numbers.format(t);
        final int e = s.indexOf('e');
        final String mantissa = e < 0 ? s : s.substring(0, e);
        final String trimmed = mantissa.contains(".") ? mantissa.replaceAll("0+$", "").replaceAll("\\.$", "") : mantissa;
        return e < 0 ? trimmed : trimmed + s.substring(e);
    }

    private void legend(final StringBuilder svg) {
        int y = TOP + AREA_HEIGHT + BOTTOM + 4;
        for (int i = 0; i < series.size(); i++) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                + "<text x=\"%d\" y=\"%d\" class=\"lg\">%s</text>\n", LEFT, y - 4, colour(i), LEFT + 18,
                y + 1, Html.escape(clip(series.get(i).name, 90))));
            y += LEGEND_LINE;
        }
    }

    /** A map from data to pixels, with tick positions. */
    interface Axis {
        double map(double v);

        List<Double> ticks();
    }

    /**
     * A CDF whose samples span this many times from smallest to largest gets a log x axis, so one
     * long stall does not flatten every other curve against the left edge (latency plots in the
     * HdrHistogram tradition).
     */
    static final double LOG_SPAN = 100.0;

    /** A base-10 logarithmic map over whole decades, with a tick per decade. */
    record LogScale(double minDecade, double maxDecade, double pixelMin, double pixelMax) implements Axis {
        static LogScale of(final double lo, final double hi, final double pixelMin, final double pixelMax) {
            final double min = Math.floor(Math.log10(lo));
            final double max = Math.max(min + 1, Math.ceil(Math.log10(hi)));
            return new LogScale(min, max, pixelMin, pixelMax);
        }

        @Override
        public double map(final double v) {
            final double d = v > 0 ? Math.log10(v) : minDecade;
            return pixelMin + (d - minDecade) / (maxDecade - minDecade) * (pixelMax - pixelMin);
        }

        @Override
        public List<Double> ticks() {
            final List<Double> ticks = new ArrayList<>();
            for (double d = minDecade; d <= maxDecade + 1e-9; d++) {
                ticks.add(Math.pow(10, d));
            }
            return ticks;
        }
    }

    /**
     * A linear map from data to pixels with 1-2-5 ticks, none closer than {@code minStep} (1 for
     * an axis of whole numbers, 0 for none).
     */
    record Scale(double min, double max, double pixelMin, double pixelMax, double minStep) implements Axis {
        Scale(final double min, final double max, final double pixelMin, final double pixelMax) {
            this(min, max, pixelMin, pixelMax, 0.0);
        }

        static Scale nice(final double lo, final double hi, final double pixelMin, final double pixelMax, final double minStep) {
            final double span = hi > lo ? hi - lo : Math.max(Math.abs(lo) * 0.1, 1.0);
            final double step = Math.max(minStep, niceStep(span / 5.0));
            final double min = Math.floor((hi > lo ? lo : lo - span / 2) / step) * step;
            final double max = Math.ceil((hi > lo ? hi : hi + span / 2) / step) * step;
            return new Scale(min, max == min ? min + step : max, pixelMin, pixelMax, minStep);
        }

        static double niceStep(final double raw) {
            final double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
            final double f = raw / magnitude;
            return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude;
        }

        @Override
        public double map(final double v) {
            return pixelMin + (v - min) / (max - min) * (pixelMax - pixelMin);
        }

        @Override
        public List<Double> ticks() {
            final double step = Math.max(minStep, niceStep((max - min) / 5.0));
            final List<Double> ticks = new ArrayList<>();
            for (double t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
                ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
            }
            return ticks;
        }
    }
}
