package io.electionbench.results.stats;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErfcTest {
    /** Reference values from a correctly rounded erfc (CPython math.erfc). */
    private static final double[][] ERFC = {
        {-3.0, 1.9999779095030015},
        {-1.0, 1.842700792949715},
        {-0.3, 1.3286267594591274},
        {0.0, 1.0},
        {0.1, 0.8875370839817152},
        {0.46875, 0.507386526782062},
        {0.5, 0.4795001221869535},
        {1.0, 0.15729920705028513},
        {2.0, 0.004677734981047265},
        {3.9, 3.479224859723177e-08},
        {4.5, 1.9661604415428873e-10},
        {6.0, 2.1519736712498916e-17},
        {10.0, 2.088487583762545e-45},
        {20.0, 5.3958656116079005e-176},
    };

    @Test
    void matchesReferenceToTwelveDigitsRelative() {
        for (final double[] row : ERFC) {
            assertEquals(row[1], Erfc.erfc(row[0]), Math.abs(row[1]) * 1e-12, "erfc(" + row[0] + ")");
        }
    }

    @Test
    void normalTailAtKnownQuantiles() {
        assertEquals(0.5, Erfc.normalSf(0.0), 1e-16);
        assertEquals(0.025, Erfc.normalSf(1.959963984540054), 1e-12);
        assertEquals(0.975, Erfc.normalSf(-1.959963984540054), 1e-12);
        assertEquals(2.866515718791939e-7, Erfc.normalSf(5.0), 1e-18);
    }

    @Test
    void extremesAndNaN() {
        assertEquals(0.0, Erfc.erfc(30.0));
        assertEquals(2.0, Erfc.erfc(-30.0));
        assertEquals(Double.NaN, Erfc.erfc(Double.NaN));
    }
}
