package io.electionbench.results;

import java.util.Locale;

/**
 * Number formatting shared by the compare table and the report: four significant digits, plain
 * notation between 1e-3 and 1e7, scientific outside, always with a '.' decimal point.
 */
public final class Numbers {
    private Numbers() {
    }

    /**
     * @param v any double.
     * @return e.g. "212.4", "0.01235", "1.235e+09", "NaN", "∞".
     */
    public static String format(final double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "\u221e" : "-\u221e";
        }
        if (v == 0.0) {
            return "0";
        }
        final double abs = Math.abs(v);
        if (abs >= 1e7 || abs < 1e-3) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        final int digitsBeforePoint = (int)Math.floor(Math.log10(abs)) + 1;
        final int decimals = Math.max(0, 4 - digitsBeforePoint);
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /**
     * @param pct a percentage, NaN when undefined.
     * @return e.g. "+12.34%", "-0.50%", "n/a".
     */
    public static String percent(final double pct) {
        return Double.isNaN(pct) ? "n/a" : String.format(Locale.ROOT, "%+.2f%%", pct);
    }
}
