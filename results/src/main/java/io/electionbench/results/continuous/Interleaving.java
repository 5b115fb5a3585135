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
 * second. Warm-up rounds run first, in the same alternation, and are discarded. Every side of
 * every round gets its own simulator seed ({@link #seed}): the simulator is deterministic, and
 * rounds run with one seed would be copies of each other, not independent samples.
 */
public final class Interleaving {
    private final int rounds;
    private final int warmupRounds;
    private final long seedBase;
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
         * @param seed      the simulator seed it runs with.
         */
        void starting(int step, int steps, int round, boolean isWarmup, Side side, long seed);
    }

    /**
     * @param rounds       measured rounds, at least 1.
     * @param warmupRounds discarded rounds before them, at least 0.
     * @param seedBase     the seed of side A in the first round.
     * @param runner       runs one side once.
     * @param listener     told before each step.
     */
    public Interleaving(final int rounds, final int warmupRounds, final long seedBase, final RoundRunner runner,
        final Listener listener) {
        if (rounds < 1 || warmupRounds < 0) {
            throw new IllegalArgumentException("rounds must be >= 1 and warm-up rounds >= 0");
        }
        this.rounds = rounds;
        this.warmupRounds = warmupRounds;
        this.seedBase = seedBase;
        this.runner = Objects.requireNonNull(runner, "runner");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * The seed of one side of one round: {@code base + 2 (round - 1)} for A and one more for B, so
     * no two steps share a seed and the two sides of a round are as independent as two rounds.
     *
     * @param seedBase the seed of A in round 1.
     * @param round    1-based, warm-up rounds first.
     * @param side     the side.
     * @return the seed.
     */
    public static long seed(final long seedBase, final int round, final Side side) {
        return seedBase + 2L * (round - 1) + side.ordinal();
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
                final long seed = seed(seedBase, round, side);
                listener.starting(++step, steps(), round, isWarmup, side, seed);
                final Path out = Files.createDirectories(scratch.resolve(side.label()).resolve(name));
                runner.run(side, round, seed, out);
                if (!isWarmup) {
                    measured.get(side).add(out);
                }
            }
        }
        return measured;
    }
}
