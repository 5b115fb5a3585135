package io.electionbench.results.cli;

import io.electionbench.results.continuous.Interleaving;
import io.electionbench.results.continuous.Side;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Progress of {@code continuous} on stderr, one line per build and per step: which round, which
 * side, elapsed time and an ETA from the mean step time so far (rounds of one configuration take
 * about the same time, so the mean is a fair predictor once one step finished).
 */
final class ContinuousProgress implements Interleaving.Listener {
    private final PrintWriter err;
    private final int rounds;
    private final int warmupRounds;
    private final Map<Side, String> shas;
    private final long startNanos = System.nanoTime();
    private long stepsStartNanos;
    private long buildStartNanos;

    ContinuousProgress(final PrintWriter err, final int rounds, final int warmupRounds, final Map<Side, String> shas) {
        this.err = err;
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.shas = new EnumMap<>(shas);
    }

    void building(final Side side, final Path log) {
        buildStartNanos = System.nanoTime();
        err.printf("building %s (%s) commit %s  elapsed %s  log: %s%n", side.label(), side.letter(), shas.get(side),
            clock(buildStartNanos - startNanos), log);
        err.flush();
    }

    void built(final Side side) {
        err.printf("built %s (%s) in %s%n", side.label(), side.letter(), clock(System.nanoTime() - buildStartNanos));
        err.flush();
    }

    @Override
    public void starting(final int step, final int steps, final int round, final boolean isWarmup, final Side side,
        final long seed) {
        final long now = System.nanoTime();
        if (step == 1) {
            stepsStartNanos = now;
        }
        final long spent = now - stepsStartNanos;
        final String eta = step == 1 ? "?" : clock(spent / (step - 1) * (steps - step + 1));
        final String which =
            isWarmup ? "warm-up " + round + "/" + warmupRounds : "round " + (round - warmupRounds) + "/" + rounds;
        err.printf("[%d/%d] %-13s %s %-4s %s  seed %d  elapsed %s  ETA %s%n", step, steps, which, side.letter(),
            side.label(), shas.get(side).substring(0, Math.min(12, shas.get(side).length())), seed,
            clock(now - startNanos), eta);
        err.flush();
    }

    /** @return h:mm:ss or m:ss. */
    static String clock(final long nanos) {
        final long s = TimeUnit.NANOSECONDS.toSeconds(Math.max(0, nanos));
        return s >= 3600
            ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String.format("%d:%02d", s / 60, s % 60);
    }
}
