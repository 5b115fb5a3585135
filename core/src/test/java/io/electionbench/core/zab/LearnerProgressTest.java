package io.electionbench.core.zab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.electionbench.core.zab.LearnerProgress.Phase;

/** The rules a learner's record keeps by itself: phases in order, and the back-off of unfinished syncs. */
class LearnerProgressTest {
    private static final long TICK_NS = 2_000_000_000L;
    private static final long INIT_LIMIT_NS = 10 * TICK_NS;

    @Test
    void phasesMoveOneStepAtATimeOrBackToNone() {
        final LearnerProgress p = new LearnerProgress(2);
        for (final Phase next : Phase.values()) {
            if (next != Phase.NONE) {
                p.phase(next);
            }
        }
        assertEquals(Phase.SYNCED, p.phase());
        p.phase(Phase.NONE);
        p.phase(Phase.INFO);
        assertThrows(AssertionError.class, () -> p.phase(Phase.EPOCH_ACKED),
            "a skipped LEADERINFO is a bug (tests run -ea)");
    }

    @Test
    void aSecondUnfinishedSyncInARowHoldsTheNextOneBackOneTickThenTwiceAsLongUpToInitLimit() {
        final LearnerProgress p = new LearnerProgress(1);
        final long now = 1_000L * TICK_NS;
        p.syncFailed(now, TICK_NS, INIT_LIMIT_NS);
        assertFalse(p.isSyncHeldBack(now), "the first retry is immediate");
        p.syncFailed(now, TICK_NS, INIT_LIMIT_NS);
        assertTrue(p.isSyncHeldBack(now));
        assertEquals(now + TICK_NS, p.syncNotBeforeNs());
        assertFalse(p.isSyncHeldBack(now + TICK_NS));
        p.syncFailed(now, TICK_NS, INIT_LIMIT_NS);
        assertEquals(now + 2 * TICK_NS, p.syncNotBeforeNs());
        for (int i = 0; i < 40; i++) {
            p.syncFailed(now, TICK_NS, INIT_LIMIT_NS);
        }
        assertEquals(now + INIT_LIMIT_NS, p.syncNotBeforeNs(), "at most initLimit, without overflow");
        p.syncSucceeded();
        assertFalse(p.isSyncHeldBack(now));
    }

    @Test
    void forgettingEndsTheSessionButKeepsWhatTheMemberReportedAndHowItsSyncsEnded() {
        final LearnerProgress p = new LearnerProgress(1);
        p.acceptedEpoch(7);
        p.phase(Phase.INFO);
        p.phase(Phase.EPOCH_SENT);
        p.phase(Phase.EPOCH_ACKED);
        p.syncDeferred(true);
        p.phase(Phase.SYNCING);
        assertTrue(p.isInSync());
        p.syncFailed(0, TICK_NS, INIT_LIMIT_NS);
        p.syncFailed(0, TICK_NS, INIT_LIMIT_NS);
        p.forget();
        assertEquals(Phase.NONE, p.phase());
        assertFalse(p.isSyncDeferred());
        assertFalse(p.isInSync());
        assertEquals(7, p.acceptedEpoch());
        assertTrue(p.isSyncHeldBack(0));
    }
}
