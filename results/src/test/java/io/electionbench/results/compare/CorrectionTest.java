package io.electionbench.results.compare;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CorrectionTest {
    @Test
    void holmStepsDownAndStaysMonotone() {
        // Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04;
        // running max 0.02, 0.03, 0.06, 0.06.
        assertArrayEquals(new double[]{0.03, 0.06, 0.06, 0.02}, Correction.HOLM.adjust(new double[]{0.01, 0.04, 0.03,
            0.005}),
            1e-15);
        assertArrayEquals(new double[]{1.0, 1.0}, Correction.HOLM.adjust(new double[]{0.6, 0.9}), 0.0);
        assertArrayEquals(new double[]{0.2}, Correction.HOLM.adjust(new double[]{0.2}), 0.0);
    }

    @Test
    void noneKeepsTheRawValues() {
        assertArrayEquals(new double[]{0.01, 0.04}, Correction.NONE.adjust(new double[]{0.01, 0.04}), 0.0);
    }

    @Test
    void parsesTheCommandLineNames() {
        assertEquals(Correction.HOLM, Correction.parse("Holm"));
        assertEquals(Correction.NONE, Correction.parse("none"));
        assertNull(Correction.parse("bonferroni"));
    }
}
