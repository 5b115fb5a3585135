package io.electionbench.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The vote order is a strict total order and agrees with a plain lexicographic reference. */
class VoteOrderProperties {
    record Vote(long sid, long zxid, long epoch) {
        boolean greater(final Vote o) {
            return VoteOrder.isGreater(sid, zxid, epoch, o.sid, o.zxid, o.epoch);
        }
    }

    /** The reference: compare (peer epoch, zxid, sid) as a tuple. */
    private static int reference(final Vote a, final Vote b) {
        final int e = Long.compare(a.epoch, b.epoch);
        if (e != 0) {
            return e;
        }
        final int z = Long.compare(a.zxid, b.zxid);
        return z != 0 ? z : Long.compare(a.sid, b.sid);
    }

    @Provide
    Arbitrary<Vote> votes() {
        // Small ranges make ties common, plus the full signed range for the extremes.
        final Arbitrary<Long> small = Arbitraries.longs().between(-2, 4);
        final Arbitrary<Long> any = Arbitraries.longs();
        return Combinators.combine(
            Arbitraries.oneOf(small, any), Arbitraries.oneOf(small, any), Arbitraries.oneOf(small, any)).as(Vote::new);
    }

    @Property(tries = 2000)
    void agreesWithReference(@ForAll("votes") final Vote a, @ForAll("votes") final Vote b) {
        assertEquals(reference(a, b) > 0, a.greater(b));
    }

    @Property(tries = 2000)
    void irreflexive(@ForAll("votes") final Vote a) {
        assertFalse(a.greater(a));
    }

    @Property(tries = 2000)
    void asymmetricAndTotal(@ForAll("votes") final Vote a, @ForAll("votes") final Vote b) {
        if (a.equals(b)) {
            assertFalse(a.greater(b));
        } else {
            assertNotEquals(a.greater(b), b.greater(a), a + " vs " + b);
        }
    }

    @Property(tries = 2000)
    void transitive(@ForAll("votes") final Vote a, @ForAll("votes") final Vote b, @ForAll("votes") final Vote c) {
        if (a.greater(b) && b.greater(c)) {
            assertTrue(a.greater(c));
        }
    }
}
