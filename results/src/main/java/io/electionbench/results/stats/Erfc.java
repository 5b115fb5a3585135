package io.electionbench.results.stats;

/**
 * The complementary error function and the standard normal tail, after W. J. Cody's rational
 * Chebyshev approximations (CALERF, "Rational Chebyshev approximations for the error function",
 * Math. Comp. 23, 1969), accurate to about 1e-16 relative over the whole double range.
 */
public final class Erfc {
    private static final double THRESHOLD = 0.46875;
    private static final double X_BIG = 26.543;
    private static final double INV_SQRT_PI = 5.6418958354775628695e-1;
    private static final double SQRT_2 = 1.4142135623730950488;

    private static final double[] A = {
        3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
        3.20937758913846947e03, 1.85777706184603153e-1};
    private static final double[] B = {
        2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
        2.84423683343917062e03};
    private static final double[] C = {
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
        2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
        2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8};
    private static final double[] D = {
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
        1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
        3.43936767414372164e03, 1.23033935480374942e03};
    private static final double[] P = {
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
        1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
    private static final double[] Q = {
        2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
        6.05183413124413191e-2, 2.33520497626869185e-3};

    private Erfc() {
    }

    /**
     * @param x any double; NaN gives NaN.
     * @return erfc(x) = 1 - erf(x), in [0, 2].
     */
    public static double erfc(final double x) {
        if (Double.isNaN(x)) {
            return Double.NaN;
        }
        final double y = Math.abs(x);
        if (y <= THRESHOLD) {
            return 1.0 - x * nearZero(y * y);
        }
        final double tail = y <= 4.0 ? middle(y) : far(y);
        return x < 0 ? 2.0 - tail : tail;
    }

    /**
     * @param z a standard score.
     * @return P(Z &gt; z) for a standard normal Z, computed without cancellation for large z.
     */
    public static double normalSf(final double z) {
        return 0.5 * erfc(z / SQRT_2);
    }

    /** erf(y) / y for |y| &lt;= 0.46875, as a function of y squared. */
    private static double nearZero(final double ySq) {
        double num = A[4] * ySq;
        double den = ySq;
        for (int i = 0; i < 3; i++) {
            num = (num + A[i]) * ySq;
            den = (den + B[i]) * ySq;
        }
        return (num + A[3]) / (den + B[3]);
    }

    /** erfc(y) for 0.46875 &lt; y &lt;= 4. */
    private static double middle(final double y) {
        double num = C[8] * y;
        double den = y;
        for (int i = 0; i < 7; i++) {
            num = (num + C[i]) * y;
            den = (den + D[i]) * y;
        }
        return scaledExp(y) * (num + C[7]) / (den + D[7]);
    }

    /** erfc(y) for y &gt; 4; underflows to zero past 26.543. */
    private static double far(final double y) {
        if (y >= X_BIG) {
            return 0.0;
        }
        final double ySq = 1.0 / (y * y);
        double num = P[5] * ySq;
        double den = ySq;
        for (int i = 0; i < 4; i++) {
            num = (num + P[i]) * ySq;
            den = (den + Q[i]) * ySq;
        }
        final double r = ySq * (num + P[4]) / (den + Q[4]);
        return scaledExp(y) * (INV_SQRT_PI - r) / y;
    }

    /** exp(-y*y) split as exp(-a*a) * exp(-(y-a)(y+a)) with a = y rounded down to 1/16, to keep precision. */
    private static double scaledExp(final double y) {
        final double a = Math.floor(y * 16.0) / 16.0;
        final double del = (y - a) * (y + a);
        return Math.exp(-a * a) * Math.exp(-del);
    }
}
