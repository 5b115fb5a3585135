package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

class SoakScheduleTest {
    private static final List<SoakFault> ALL = List.of(SoakFault.values());

    @Test
    void everyCycleRunsEachChosenFaultOnce() {
        final SoakSchedule s = new SoakSchedule(ALL, 7);
        assertTrue(s.isCycleDone(), "nothing handed out yet");
        for (int cycle = 1; cycle <= 50; cycle++) {
            final EnumSet<SoakFault> seen = EnumSet.noneOf(SoakFault.class);
            for (int i = 0; i < ALL.size(); i++) {
                assertTrue(seen.add(s.next()), "a fault twice in cycle " + cycle);
                assertEquals(cycle, s.cycles());
                assertEquals(i == ALL.size() - 1, s.isCycleDone());
            }
            assertEquals(EnumSet.allOf(SoakFault.class), seen);
        }
    }

    @Test
    void theSeedFixesTheOrderAndDifferentSeedsDiffer() {
        assertEquals(order(3, 40), order(3, 40));
        assertNotEquals(order(3, 40), order(4, 40));
        final List<SoakFault> only = List.of(SoakFault.LEADER_PAUSE, SoakFault.FULL_DISK);
        final SoakSchedule s = new SoakSchedule(only, 1);
        for (int i = 0; i < 20; i++) {
            assertTrue(only.contains(s.next()));
        }
    }

    @Test
    void faultListsParseByFlag() {
        assertEquals(ALL, SoakFault.parseList("all"));
        assertEquals(List.of(SoakFault.FULL_DISK, SoakFault.LEADER_KILL),
            SoakFault.parseList(" full-disk, leader-kill,full-disk"));
        assertEquals("--faults: unknown fault 'meteor' (expected all or some of: leader-kill, leader-pause,"
            + " follower-kill, full-disk)",
            assertThrows(IllegalArgumentException.class, () -> SoakFault.parseList("leader-kill,meteor")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SoakFault.parseList(" , "));
        assertThrows(IllegalArgumentException.class, () -> new SoakSchedule(List.of(), 1));
    }

    private static List<SoakFault> order(final long seed, final int n) {
        final SoakSchedule s = new SoakSchedule(ALL, seed);
        final List<SoakFault> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(s.next());
        }
        return out;
    }
}
