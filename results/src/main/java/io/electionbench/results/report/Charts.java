package io.electionbench.results.report;

import io.electionbench.results.stats.MedianInterval;
import io.electionbench.results.stats.Samples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the data of each kind of plot ({@link PlotSpec}) from samples and medians. Pure
 * functions: colours come from {@link Palette} by target, a value axis is logarithmic when its
 * data spans more than {@link #LOG_SPAN} times (ZooKeeper's hundreds of milliseconds beside our
 * tens), and large samples are thinned to {@link #MAX_POINTS} points per curve.
 */
final class Charts {
    /** A curve draws at most this many points; larger samples are drawn at evenly spaced quantiles. */
    static final int MAX_POINTS = 1000;
    /** A value axis whose positive data spans more than this factor is drawn on a log scale. */
    static final double LOG_SPAN = 10.0;

    private Charts() {
    }

    /**
     * The samples of one cell.
     *
     * @param label   legend label.
     * @param target  the cell's target, for its colour.
     * @param samples raw samples, at least one.
     */
    record Curve(String label, String target, double[] samples) {
    }

    /**
     * A median with its interval at one x.
     *
     * @param x       ensemble size, or commit index.
     * @param ci      the median and its interval.
     * @param note    what the page shows on hover.
     * @param machine the machine label for history points, else null.
     * @param isMarked a regression beyond the drift (history only).
     */
    record Point(double x, MedianInterval ci, String note, String machine, boolean isMarked) {
    }

    /**
     * Points of one series against ensemble size.
     *
     * @param label  legend label.
     * @param target target, for the colour.
     * @param points points in ascending x.
     */
    record Line(String label, String target, List<Point> points) {
    }

    /**
     * @param id         element id.
     * @param title      caption.
     * @param valueLabel "metric (unit)".
     * @param curves     one per cell.
     * @return the empirical CDF of each cell: at each distinct value x, the fraction of samples at most x.
     */
    static PlotSpec cdf(final String id, final String title, final String valueLabel, final List<Curve> curves) {
        final Drawn drawn = draw(curves, Charts::cdfPoints, PlotSpec.Style.STEP);
        return new PlotSpec(id, title, PlotSpec.Kind.CDF, new PlotSpec.Axis(valueLabel, drawn.isLogWorthy()),
            new PlotSpec.Axis("fraction \u2264 x", false), List.of(), drawn.series());
    }

    /**
     * @param id         element id.
     * @param title      caption.
     * @param valueLabel "metric (unit)".
     * @param curves     one per cell.
     * @return HdrHistogram's percentile spectrum of each cell: the i-th smallest of n samples at
     *         percentile p = (i + 0.5) / n (Hazen's plotting position, finite for the maximum),
     *         drawn at x = 1 / (1 - p) on a log axis, so 90%, 99%, 99.9% are evenly spaced.
     */
    static PlotSpec spectrum(final String id, final String title, final String valueLabel, final List<Curve> curves) {
        final Drawn drawn = draw(curves, Charts::spectrumPoints, PlotSpec.Style.LINE);
        return new PlotSpec(id, title, PlotSpec.Kind.SPECTRUM, new PlotSpec.Axis("percentile", true),
            new PlotSpec.Axis(valueLabel, drawn.isLogWorthy()), List.of(), drawn.series());
    }

    /** One series per curve, and whether the samples of all of them span enough for a log value axis. */
    private record Drawn(List<PlotSpec.Series> series, boolean isLogWorthy) {
    }

    private static Drawn draw(final List<Curve> curves, final Function<double[], double[][]> points,
        final PlotSpec.Style style) {
        final List<PlotSpec.Series> series = new ArrayList<>();
        final int[] variants = variants(curves.stream().map(Curve::target).toList());
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < curves.size(); c++) {
            final Curve curve = curves.get(c);
            final double[] sorted = Samples.sorted(curve.samples());
            final double[][] xy = points.apply(sorted);
            min = Math.min(min, sorted[0]);
            max = Math.max(max, sorted[sorted.length - 1]);
            series.add(series(curve.label(), curve.target(), variants[c], style, xy[0], xy[1]));
        }
        return new Drawn(series, isLogWorthy(min, max));
    }

    /** CDF steps: one point per distinct value, at the fraction of samples at most that value. */
    static double[][] cdfPoints(final double[] sorted) {
        final int n = sorted.length;
        if (n > MAX_POINTS) {
            final double[] xs = new double[MAX_POINTS];
            final double[] ys = new double[MAX_POINTS];
            for (int i = 1; i <= MAX_POINTS; i++) {
                ys[i - 1] = (double)i / MAX_POINTS;
                xs[i - 1] = Samples.quantileOfSorted(sorted, ys[i - 1]);
            }
            return distinctLast(xs, ys);
        }
        final double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            ys[i] = (i + 1.0) / n;
        }
        return distinctLast(sorted.clone(), ys);
    }

    /** Spectrum points: x = 1 / (1 - p) with p = (i + 0.5) / n; thinned evenly in log x above {@link #MAX_POINTS}. */
    static double[][] spectrumPoints(final double[] sorted) {
        final int n = sorted.length;
        if (n <= MAX_POINTS) {
            final double[] xs = new double[n];
            for (int i = 0; i < n; i++) {
                xs[i] = 1.0 / (1.0 - (i + 0.5) / n);
            }
            return new double[][]{xs, sorted.clone()};
        }
        final double first = 1.0 / (1.0 - 0.5 / n);
        final double span = 2.0 * n / first;
        final double[] xs = new double[MAX_POINTS];
        final double[] ys = new double[MAX_POINTS];
        for (int k = 0; k < MAX_POINTS; k++) {
            xs[k] = first * Math.pow(span, (double)k / (MAX_POINTS - 1));
            final double p = 1.0 - 1.0 / xs[k];
            ys[k] = Samples.quantileOfSorted(sorted, Math.min(1.0, Math.max(0.0, (p * n - 0.5) / (n - 1))));
        }
        return new double[][]{xs, ys};
    }

    /** Keeps the last y of each run of equal x: a CDF's value at a tie is the fraction at or below it. */
    private static double[][] distinctLast(final double[] xs, final double[] ys) {
        int m = 0;
        for (int i = 0; i < xs.length; i++) {
            if (m > 0 && xs[m - 1] == xs[i]) {
                ys[m - 1] = ys[i];
            } else {
                xs[m] = xs[i];
                ys[m] = ys[i];
                m++;
            }
        }
        return new double[][]{Arrays.copyOf(xs, m), Arrays.copyOf(ys, m)};
    }

    /**
     * @param id         element id.
     * @param title      caption.
     * @param valueLabel "metric (unit)".
     * @param lines      one per target and policy.
     * @return medians with intervals against ensemble size.
     */
    static PlotSpec bySize(final String id, final String title, final String valueLabel, final List<Line> lines) {
        final List<PlotSpec.Series> series = new ArrayList<>();
        final int[] variants = variants(lines.stream().map(Line::target).toList());
        final List<Double> values = new ArrayList<>();
        for (int l = 0; l < lines.size(); l++) {
            final Line line = lines.get(l);
            final List<Point> points = line.points();
            final double[][] v = medians(points, values);
            series.add(new PlotSpec.Series(line.label(), line.target(), Palette.colour(line.target()),
                Palette.dash(variants[l]), PlotSpec.Style.POINTS, v[0], v[1], v[2], v[3],
                points.stream().map(Point::note).toList(), null));
        }
        return new PlotSpec(id, title, PlotSpec.Kind.SIZE, new PlotSpec.Axis("ensemble size", false),
            new PlotSpec.Axis(valueLabel, isLogWorthy(values)), List.of(), series);
    }

    /**
     * Medians with their intervals against the values preloaded ({@code run --preload}; 0 for none): how
     * recovery grows with the database. One series per line, x = values preloaded.
     */
    static PlotSpec byData(final String id, final String title, final String valueLabel, final List<Line> lines) {
        final PlotSpec bySize = bySize(id, title, valueLabel, lines);
        return new PlotSpec(id, title, PlotSpec.Kind.DATA, new PlotSpec.Axis("values preloaded", false), bySize.y(),
            List.of(), bySize.series());
    }

    /**
     * One cell's history: a series per machine, each as long as the commit list, with a value only
     * at the commits measured on that machine, so its line breaks where the machine changes; and
     * a series of the regressions beyond the drift, drawn as marks.
     *
     * @param id         element id.
     * @param title      caption.
     * @param valueLabel "metric (unit)".
     * @param target     the cell's target.
     * @param commits    short shas, oldest first: x = index.
     * @param points     the commits with data, x = commit index, each with its machine.
     * @return the plot.
     */
    static PlotSpec history(final String id, final String title, final String valueLabel, final String target,
        final List<String> commits, final List<Point> points) {
        final Map<String, List<Point>> byMachine = new LinkedHashMap<>();
        points.forEach(p -> byMachine.computeIfAbsent(p.machine(), k -> new ArrayList<>()).add(p));
        final List<PlotSpec.Series> series = new ArrayList<>();
        final double[] xs = new double[commits.size()];
        Arrays.setAll(xs, i -> i);
        int variant = 0;
        for (final Map.Entry<String, List<Point>> e : byMachine.entrySet()) {
            series.add(aligned("median on " + e.getKey(), target, Palette.colour(target), Palette.dash(variant++),
                PlotSpec.Style.POINTS, xs, e.getValue(), e.getKey()));
        }
        final List<Point> marked = points.stream().filter(Point::isMarked).toList();
        if (!marked.isEmpty()) {
            series.add(aligned("regression beyond drift", target, Palette.MARK, Palette.dash(0), PlotSpec.Style.MARKS,
                xs, marked, null));
        }
        final List<Double> values = new ArrayList<>();
        medians(points, values);
        return new PlotSpec(id, title, PlotSpec.Kind.HISTORY, new PlotSpec.Axis("commit", false),
            new PlotSpec.Axis(valueLabel, isLogWorthy(values)), List.copyOf(commits), series);
    }

    private static PlotSpec.Series aligned(final String label, final String target, final String colour,
        final int[] dash, final PlotSpec.Style style, final double[] xs, final List<Point> points,
        final String machine) {
        final int k = xs.length;
        final double[] y = nans(k);
        final double[] lo = nans(k);
        final double[] hi = nans(k);
        final String[] notes = new String[k];
        Arrays.fill(notes, "");
        for (final Point p : points) {
            final int i = (int)p.x();
            y[i] = p.ci().median();
            lo[i] = p.ci().isAvailable() ? p.ci().lo() : Double.NaN;
            hi[i] = p.ci().isAvailable() ? p.ci().hi() : Double.NaN;
            notes[i] = p.note();
        }
        return new PlotSpec.Series(label, target, colour, dash, style, xs.clone(), y, lo, hi, List.of(notes), machine);
    }

    /** x, median, lo, hi of each point; every finite value is also added to {@code values}. */
    private static double[][] medians(final List<Point> points, final List<Double> values) {
        final int n = points.size();
        final double[][] v = {new double[n], new double[n], new double[n], new double[n]};
        for (int i = 0; i < n; i++) {
            final Point p = points.get(i);
            v[0][i] = p.x();
            v[1][i] = p.ci().median();
            v[2][i] = p.ci().isAvailable() ? p.ci().lo() : Double.NaN;
            v[3][i] = p.ci().isAvailable() ? p.ci().hi() : Double.NaN;
            for (int j = 1; j < 4; j++) {
                if (Double.isFinite(v[j][i])) {
                    values.add(v[j][i]);
                }
            }
        }
        return v;
    }

    private static PlotSpec.Series series(final String label, final String target, final int variant,
        final PlotSpec.Style style, final double[] x, final double[] y) {
        return new PlotSpec.Series(label, target, Palette.colour(target), Palette.dash(variant), style, x, y,
            new double[0], new double[0], List.of(), null);
    }

    /** For each target in order, how many earlier entries had the same target: the dash variant. */
    static int[] variants(final List<String> targets) {
        final Map<String, Integer> seen = new LinkedHashMap<>();
        final int[] out = new int[targets.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = seen.merge(targets.get(i), 1, Integer::sum) - 1;
        }
        return out;
    }

    /** @return true when every value is positive and the largest is more than {@link #LOG_SPAN} times the smallest. */
    static boolean isLogWorthy(final double min, final double max) {
        return min > 0.0 && Double.isFinite(max) && max / min > LOG_SPAN;
    }

    private static boolean isLogWorthy(final List<Double> values) {
        if (values.isEmpty()) {
            return false;
        }
        final double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        final double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return isLogWorthy(min, max);
    }

    private static double[] nans(final int n) {
        final double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
