package io.electionbench.results.continuous;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Runs the benchmark once for one side: the seam between the interleaving logic and the real
 * load generator ({@link LoadgenRoundRunner}), so the order of rounds can be tested with a fake.
 */
@FunctionalInterface
public interface RoundRunner {
    /**
     * Runs one round of one side and leaves its run file(s) under
     * {@code <out>/results/runs/<any commit>/*.json}.
     *
     * @param side   which commit to run.
     * @param round  the round's position, 1-based, counting warm-up rounds first.
     * @param seed   the simulator seed of this side of this round (see {@link Interleaving#seed}).
     * @param out    an empty scratch directory owned by this round.
     * @throws IOException when the round cannot be run.
     * @throws InterruptedException when interrupted while waiting for it.
     * @throws io.electionbench.results.ResultsException when the round fails; its message names
     *         the side, the round and where to look.
     */
    void run(Side side, int round, long seed, Path out) throws IOException, InterruptedException;
}
