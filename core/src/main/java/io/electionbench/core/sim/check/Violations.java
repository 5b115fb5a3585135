package io.electionbench.core.sim.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.agrona.concurrent.NanoClock;

/**
 * The violations of one run: the first {@value #MAX_KEPT} distinct ones are kept, the rest only
 * counted, so a badly broken run reports its first failures, not a flood. A violation with the same
 * invariant and detail as a kept one is a repeat (a broken state is seen again at every later check).
 */
public final class Violations {
    public static final int MAX_KEPT = 20;

    private final NanoClock clock;
    private final List<Violation> kept = new ArrayList<>();
    private long dropped;

    /** @param clock virtual time, which stamps {@link #report}ed violations */
    public Violations(final NanoClock clock) {
        this.clock = clock;
    }

    /** Records a violation of {@code invariant} now. */
    public void report(final String invariant, final String detail) {
        add(new Violation(clock.nanoTime(), invariant, detail));
    }

    /** Records {@code v} unless it repeats a kept one or {@value #MAX_KEPT} are kept; then counts it. */
    public void add(final Violation v) {
        if (kept.size() >= MAX_KEPT) {
            dropped++;
            return;
        }
        for (final Violation k : kept) {
            if (k.invariant().equals(v.invariant()) && k.detail().equals(v.detail())) {
                dropped++;
                return;
            }
        }
        kept.add(v);
    }

    /** The kept violations, in the order found. */
    public List<Violation> list() {
        return Collections.unmodifiableList(kept);
    }

    /** Violations found but not kept: repeats of a kept one, or any past the first {@value #MAX_KEPT}. */
    public long dropped() {
        return dropped;
    }
}
