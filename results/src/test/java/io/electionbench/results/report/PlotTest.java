package io.electionbench.results.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

class PlotTest {
    private static Plot cdf(final double... xs) {
        final Plot plot = new Plot("t", "time_to_ready_ms (ms)", "fraction", null);
        final Plot.Series s = plot.series("cell", Plot.Style.STEP);
        for (int i = 0; i < xs.length; i++) {
            s.add(new Plot.Point(xs[i], (i + 1.0) / xs.length, Double.NaN, Double.NaN, "", false));
        }
        return plot;
    }

    @Test
    void aCdfSpanningDecadesGetsALogAxisWithATickPerDecade() {
        final String svg = cdf(12, 15, 19, 27, 16_000).toSvg();
        assertTrue(svg.contains("log scale"), "one 16 s stall must not flatten the 12-27 ms samples");
        for (final String tick : new String[] {">10<", ">100<", ">1000<", ">10000<", ">100000<"}) {
            assertTrue(svg.contains(tick), tick);
        }
    }

    @Test
    void aNarrowCdfStaysLinear() {
        assertFalse(cdf(12, 15, 19, 27, 44).toSvg().contains("log scale"));
    }

    @Test
    void aSeriesKeepsItsColourWhateverItsPosition() {
        final Plot plot = new Plot("t", "x", "y", null);
        plot.series("only", Plot.Style.STEP, 3).add(new Plot.Point(1, 1, Double.NaN, Double.NaN, "", false));
        assertTrue(plot.toSvg().contains(Plot.PALETTE[3]));
        assertFalse(plot.toSvg().contains("stroke=\"" + Plot.PALETTE[0] + "\""));
    }

    private static List<Double> xLabelPositions(final String svg) {
        final List<Double> xs = new ArrayList<>();
        final Matcher m = Pattern.compile("<text x=\"([0-9.]+)\" y=\"[0-9]+\" class=\"xl\">").matcher(svg);
        while (m.find()) {
            xs.add(Double.parseDouble(m.group(1)));
        }
        return xs;
    }

    private static Plot sizes(final double... sizes) {
        final Plot plot = new Plot("t", "ensemble size", "ms", null);
        final Plot.Series s = plot.series("sim / zookeeper", Plot.Style.POINTS);
        for (final double size : sizes) {
            s.add(new Plot.Point(size, 100 + size, Double.NaN, Double.NaN, "", false));
        }
        return plot;
    }

    @Test
    void anIntegerAxisTicksAtWholeNumbersOnly() {
        assertTrue(sizes(3, 5).toSvg().contains(">3.5<"), "a plain numeric axis ticks at halves here");
        final String svg = sizes(3, 5).withIntegerX().toSvg();
        for (final String tick : new String[] {">3<", ">4<", ">5<"}) {
            assertTrue(svg.contains(tick), tick);
        }
        assertFalse(svg.contains(">3.5<") || svg.contains(">4.5<"), svg);
        assertTrue(sizes(3).withIntegerX().toSvg().contains(">3<"));
        assertFalse(sizes(3).withIntegerX().toSvg().contains(".5<"));
    }

    @Test
    void commitLabelsAreThinnedSoNeighboursDoNotOverlapAndTheNewestIsLabelled() {
        final List<String> shas = new ArrayList<>();
        for (int i = 0; i < 17; i++) {
            shas.add(String.format("%07x", 0xabc0000 + i));
        }
        final Plot plot = new Plot("t", "commit", "ms", shas);
        final Plot.Series s = plot.series("m", Plot.Style.POINTS);
        for (int i = 0; i < shas.size(); i++) {
            s.add(new Plot.Point(i, 1, Double.NaN, Double.NaN, "", false));
        }
        final String svg = plot.toSvg();
        final List<Double> xs = xLabelPositions(svg);
        assertTrue(xs.size() >= 5 && xs.size() < shas.size(), xs.toString());
        for (int i = 1; i < xs.size(); i++) {
            assertTrue(Math.abs(xs.get(i) - xs.get(i - 1)) >= 7 * 6.5, "labels 7 characters wide overlap: " + xs);
        }
        assertTrue(svg.contains(">" + shas.get(16) + "<"), "the newest commit is labelled");

        final Plot few = new Plot("t", "commit", "ms", shas.subList(0, 5));
        few.series("m", Plot.Style.POINTS).add(new Plot.Point(0, 1, Double.NaN, Double.NaN, "", false));
        assertEquals(5, xLabelPositions(few.toSvg()).size(), "few commits are all labelled");
    }

    @Test
    void ticksDropTrailingZerosAlsoInScientificNotation() {
        assertEquals("0.8", Plot.tick(0.8));
        assertEquals("250", Plot.tick(250));
        assertEquals("7e-04", Plot.tick(7e-4));
        assertEquals("2.5e+08", Plot.tick(2.5e8));
    }
}
