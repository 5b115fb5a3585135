package io.electionbench.results.report;

import io.electionbench.results.stats.MedianInterval;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChartsTest {
    private static final double[] ZK = {350, 360, 370, 380, 390, 400};
    private static final double[] OURS = {20, 21, 22, 23, 24, 25};

    @Test
    void logScaleOnlyWhenPositiveDataSpansMoreThanTenTimes() {
        assertFalse(Charts.isLogWorthy(10, 100), "exactly 10x stays linear");
        assertTrue(Charts.isLogWorthy(10, 100.5));
        assertFalse(Charts.isLogWorthy(0, 1000), "zero cannot go on a log axis");
        assertFalse(Charts.isLogWorthy(-1, 1000));
        final PlotSpec mixed = Charts.cdf("p", "t", "ms", List.of(new Charts.Curve("zk", "zookeeper", ZK),
            new Charts.Curve("ours", "process", OURS)));
        assertTrue(mixed.x().isLog());
        final PlotSpec zkOnly = Charts.cdf("p", "t", "ms", List.of(new Charts.Curve("zk", "zookeeper", ZK)));
        assertFalse(zkOnly.x().isLog());
        assertFalse(Charts.spectrum("p", "t", "ms", List.of(new Charts.Curve("zk", "zookeeper", ZK))).y().isLog());
        assertTrue(Charts.spectrum("p", "t", "ms", List.of(new Charts.Curve("zk", "zookeeper", ZK))).x().isLog(),
            "the spectrum's percentile axis is always logarithmic");
    }

    @Test
    void sizeAxisCountsTheIntervalBoundsToo() {
        final MedianInterval ours = MedianInterval.of(new double[]{30, 40, 50, 50, 50, 60, 70, 80}, 0.95);
        final MedianInterval zk = MedianInterval.of(new double[]{380, 390, 395, 400, 400, 405, 410, 420}, 0.95);
        assertEquals(8.0, zk.median() / ours.median(), 1e-12, "medians alone span less than 10x");
        final PlotSpec size = Charts.bySize("p", "t", "ms", List.of(
            new Charts.Line("ours", "process", List.of(new Charts.Point(3, ours, "", null, false))),
            new Charts.Line("zk", "zookeeper", List.of(new Charts.Point(3, zk, "", null, false)))));
        assertTrue(size.y().isLog(), "30 to 420 with the intervals: more than 10x");
        assertEquals(PlotSpec.Kind.SIZE, size.kind());
        assertEquals(Palette.colour("zookeeper"), size.series().get(1).colour());
        assertArrayEquals(new double[]{30}, size.series().get(0).lo(), 0.0);
    }

    @Test
    void cdfStepsOncePerDistinctValueAtTheFractionAtOrBelowIt() {
        final double[][] xy = Charts.cdfPoints(new double[]{1, 2, 2, 2, 5});
        assertArrayEquals(new double[]{1, 2, 5}, xy[0], 0.0);
        assertArrayEquals(new double[]{0.2, 0.8, 1.0}, xy[1], 1e-15);
    }

    @Test
    void spectrumPutsTheIthOfNAtHazensPositionOnOneOverOneMinusP() {
        final double[][] xy = Charts.spectrumPoints(new double[]{10, 20, 30, 40});
        assertArrayEquals(new double[]{1 / 0.875, 1 / 0.625, 1 / 0.375, 8.0}, xy[0], 1e-12);
        assertArrayEquals(new double[]{10, 20, 30, 40}, xy[1], 0.0);
        final double[] many = new double[5000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        final double[][] thin = Charts.spectrumPoints(many);
        assertEquals(Charts.MAX_POINTS, thin[0].length);
        assertEquals(1 / (1 - 0.5 / 5000), thin[0][0], 1e-9);
        assertEquals(10000, thin[0][Charts.MAX_POINTS - 1], 1e-6);
        assertEquals(0, thin[1][0], 1e-9, "the smallest sample first");
        assertEquals(4999, thin[1][Charts.MAX_POINTS - 1], 1e-6, "the largest last");
    }

    @Test
    void dashVariantsCountSeriesOfTheSameTarget() {
        assertArrayEquals(new int[]{0, 1, 0, 2, 1}, Charts.variants(List.of("sim", "sim", "zk", "sim", "zk")));
    }
}
