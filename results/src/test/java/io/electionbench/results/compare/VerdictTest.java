package io.electionbench.results.compare;

import io.electionbench.results.Better;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class VerdictTest {
    @Test
    void aSignificantChangeOfAMetricWithoutDirectionIsAChangeNeitherWorseNorBetter() {
        assertEquals(Verdict.CHANGED, Verdict.judge(10, 20, 100, 0.001, Better.UNKNOWN, 0.05, 5));
        assertEquals(Verdict.CHANGED, Verdict.judge(20, 10, -50, 0.001, Better.UNKNOWN, 0.05, 5));
        assertEquals(Verdict.SAME, Verdict.judge(10, 20, 100, 0.2, Better.UNKNOWN, 0.05, 5));
        assertEquals(Verdict.REGRESSION, Verdict.judge(10, 20, 100, 0.001, Better.LOWER, 0.05, 5));
        assertEquals(Verdict.IMPROVEMENT, Verdict.judge(10, 20, 100, 0.001, Better.HIGHER, 0.05, 5));
    }

    @Test
    void aMetricWithoutDirectionNeverFailsTheGate() {
        final double[] before = {10, 11, 12, 13, 14, 15, 16, 17};
        final double[] after = {30, 31, 32, 33, 34, 35, 36, 37};
        final CompareRow row = CompareRow.of("c", "ringFull", "ops/us", Better.UNKNOWN, before, after, 5, 0.05);
        assertEquals(Verdict.CHANGED, row.verdict());
        assertEquals("changed", row.verdict().label());
    }
}
