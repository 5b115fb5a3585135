package io.electionbench.results.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
