package io.electionbench.results.continuous;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Alternates the two sides round by round (A B A B ...) so that slow drift of the machine
 * (thermal state, page cache, other load) hits both sides alike instead of biasing whichever ran
 * second. Warm-up rounds run first, in the same alternation, and are discarded.
 */
public final class Interleaving {
    private final int rounds;
    private final int warmupRounds;
    private final RoundRunner runner;
    private final Listener listener;

    /** Told before every step, e.g. to print progress. */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param step      1-based index of the step about to run (one side of one round).
         * @param steps     total steps, warm-up included.
         * @param round     1-based round, warm-up rounds first.
         * @param isWarmup  true when the round is discarded.
         * @param side      the side about to run.
         */
        void starting(int step, int steps, int round, boolean isWarmup, Side side);
    }

    /**
     * @param rounds       measured rounds, at least 1.
     * @param warmupRounds discarded rounds before them, at least 0.
     * @param runner       runs one side once.
     * @param listener     told before each step.
     */
    public Interleaving(final int rounds, final int warmupRounds, final RoundRunner runner, final Listener listener) {
        if (rounds < 1 || warmupRounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 1 and warm-up rounds >= 0");
        }
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** @return steps in all: two per round, warm-up included. */
    public int steps() {
        return 2 * (rounds + warmupRounds);
    }

    /**
     * Runs every round, each side of each round in its own fresh directory
     * {@code <scratch>/<side>/round-<k>} (warm-up: {@code warmup-<k>}).
     *
     * @param scratch directory to create the round directories in.
     * @return per side, the directories of the measured rounds in order.
     * @throws IOException when a directory cannot be created or a round fails to run.
     * @throws InterruptedException when interrupted.
     */
    public Map<Side, List<Path>> run(final Path scratch) throws IOException, InterruptedException {
        final Map<Side, List<Path>> measured = new EnumMap<>(Side.class);
        for (final Side side : Side.values()) {
            measured.put(side, new ArrayList<>());
        }
        int step = 0;
        for (int round = 1; round <= warmupRounds + rounds; round++) {
            final boolean isWarmup = round <= warmupRounds;
            final String name = isWarmup ? "warmup-" + round : "round-" + (round - warmupRounds);
            for (final Side side : Side.values()) {
                listener.starting(++step, steps(), round, isWarmup, side);
                final Path out = Files.createDirectories(scratch.resolve(side.label()).resolve(name));
                runner.run(side, round, out);
                if (!isWarmup) {
                    measured.get(side).add(out);
                }
            }
        }
        return measured;
    }
}
