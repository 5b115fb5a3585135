package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.electionbench.core.quorum.Ensemble;

class TrialAnalysisTest {
    private static final TrialAnalysis FIVE = new TrialAnalysis(Ensemble.majority(5));

    private static Map<Long, NodeView> ledBy(final long leader, final long... down) {
        final Map<Long, NodeView> m = new java.util.HashMap<>();
        for (long sid = 1; sid <= 5; sid++) {
            m.put(sid, new NodeView(sid, true, sid == leader ? "LEADING" : "FOLLOWING", leader, true));
        }
        for (final long d : down) {
            m.put(d, new NodeView(d, false, "DOWN", -1, false));
        }
        return m;
    }

    private static TrialEvent e(final long sid, final long ts, final String state, final long leader) {
        return new TrialEvent(sid, ts, state, leader);
    }

    @Test
    void measuresDetectionLeaderAndReadyFromTheFault() {
        final Map<Long, NodeView> before = ledBy(5);
        final List<TrialEvent> events = List.of(
            e(4, 90, "LOOKING", -1),          // before the fault: ignored
            e(1, 1_200, "LOOKING", -1), e(2, 1_300, "LOOKING", -1), e(3, 1_250, "LOOKING", -1),
            e(4, 1_400, "LOOKING", -1), e(4, 2_000, "LEADING", 4), e(3, 2_100, "FOLLOWING", 4),
            e(2, 2_500, "FOLLOWING", 4), e(1, 2_600, "FOLLOWING", 4), e(4, 3_000, TrialEvent.SERVING, 4));
        final TrialAnalysis.Outcome o = FIVE.analyze(before, events, 1_000, 5);
        assertEquals(200, o.detectionNs());
        assertEquals(1_500, o.leaderNs(), "4 leads and, with 3 and 2, is a quorum of five at 2,500");
        assertEquals(2_000, o.readyNs());
        assertEquals(4, o.leader());
        assertEquals(1, o.rounds());
        assertTrue(o.isRecovered());
    }

    @Test
    void theOldLeaderDoesNotCountAsRecovery() {
        final Map<Long, NodeView> before = ledBy(5);
        final TrialAnalysis.Outcome o = FIVE.analyze(before, List.of(e(5, 2_000, TrialEvent.SERVING, 5)), 1_000, 5);
        assertFalse(o.isRecovered(), "followers of 5 still say FOLLOWING 5, but 5 is the server that was killed");
        assertEquals(-1, o.leaderNs());
    }

    @Test
    void aLeaderWithoutAQuorumOfFollowersIsNotALeaderYet() {
        final Map<Long, NodeView> before = ledBy(5, 5);
        final List<TrialEvent> events = List.of(
            e(1, 1_100, "LOOKING", -1), e(2, 1_100, "LOOKING", -1), e(3, 1_100, "LOOKING", -1),
                e(4, 1_100, "LOOKING", -1),
            e(4, 1_500, "LEADING", 4), e(3, 1_600, "FOLLOWING", 4), e(4, 1_700, TrialEvent.SERVING, 4),
            e(3, 1_800, "LOOKING", -1), e(3, 1_900, "LOOKING", -1));
        final TrialAnalysis.Outcome o = FIVE.analyze(before, events, 1_000, 5);
        assertFalse(o.isRecovered());
        assertEquals(3, o.rounds(), "server 3 entered LOOKING three times");
    }

    @Test
    void readyIsNeverBeforeTheLeaderIsAgreed() {
        final Map<Long, NodeView> before = ledBy(5);
        final List<TrialEvent> events = List.of(
            e(4, 1_500, "LEADING", 4), e(3, 1_600, "FOLLOWING", 4), e(4, 1_650, TrialEvent.SERVING, 4),
            e(2, 1_700, "FOLLOWING", 4));
        final TrialAnalysis.Outcome o = FIVE.analyze(before, events, 1_000, 5);
        assertEquals(700, o.leaderNs());
        assertEquals(700, o.readyNs(),
            "the leader served at 1,650, before its quorum reported; ready is when both hold");
    }
}
