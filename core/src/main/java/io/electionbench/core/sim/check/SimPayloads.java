package io.electionbench.core.sim.check;

import org.agrona.MutableDirectBuffer;

/**
 * The payload of a simulated txn: a function of what it was written as, so a scenario's pre-set
 * history and a write made during the run are byte-comparable, and a txn that a leader wrote is
 * recognisably different from one a different leader wrote at the same zxid. It lives with the
 * checkers because {@link WriteSafety} recognises an acknowledged write by it.
 */
public final class SimPayloads {
    /** Bytes per simulated txn: the writer's tag and a mix of it. */
    public static final int LENGTH = 16;

    private SimPayloads() {
    }

    /** Fills {@code LENGTH} bytes for a txn tagged {@code tag} (a pre-set history uses the zxid). */
    public static void fill(final MutableDirectBuffer buffer, final long tag) {
        buffer.putLong(0, tag);
        buffer.putLong(8, tag * 0x9E3779B97F4A7C15L ^ 0x5DEECE66DL);
    }
}
