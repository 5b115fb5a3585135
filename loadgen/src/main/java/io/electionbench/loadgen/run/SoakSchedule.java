package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of a soak's faults: cycles, each of them every chosen fault once in an order drawn from
 * the seed, so a soak of any length hurts the ensemble in every way about equally often, and the
 * same seed replays the same order. Pure: tested without an ensemble.
 */
final class SoakSchedule {
    private final List<SoakFault> kinds;
    private final Random random;
    private final List<SoakFault> cycle = new ArrayList<>();
    private int position;
    private int cycles;

    SoakSchedule(final List<SoakFault> kinds, final long seed) {
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a soak needs at least one fault");
        }
        this.kinds = List.copyOf(kinds);
        this.random = new Random(seed);
    }

    /** The next fault; starts a new cycle after the last one's final fault. */
    SoakFault next() {
        if (position == cycle.size()) {
            cycle.clear();
            cycle.addAll(kinds);
            Collections.shuffle(cycle, random);
            position = 0;
            cycles++;
        }
        return cycle.get(position++);
    }

    /** Cycles begun so far (the current one included). */
    int cycles() {
        return cycles;
    }

    /** True when the current cycle's last fault has been handed out (or none has yet). */
    boolean isCycleDone() {
        return position == cycle.size();
    }
}
