package io.electionbench.results.report;

import org.junit.jupiter.api.Test;

import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaletteTest {
    @Test
    void knownTargetsHaveFixedDistinctColoursAndUnknownOnesAStableOne() {
        assertEquals("#4e79a7", Palette.colour("sim"));
        assertEquals("#f28e2b", Palette.colour("process"));
        assertEquals("#b07aa1", Palette.colour("zookeeper"));
        assertEquals(Palette.TARGETS.size(), new HashSet<>(Palette.TARGETS.values()).size());
        assertFalse(Palette.TARGETS.containsValue(Palette.MARK), "a regression mark is no target's colour");
        assertEquals(Palette.colour("k8s"), Palette.colour("k8s"));
        assertTrue(Palette.colour("k8s").matches("#[0-9a-f]{6}"));
        assertFalse(Palette.TARGETS.containsValue(Palette.colour("k8s")), "an unknown target takes no known colour");
    }

    @Test
    void dashesStartSolid() {
        assertEquals(0, Palette.dash(0).length);
        assertTrue(Palette.dash(1).length > 0);
        assertEquals(Palette.dash(1).length, Palette.dash(7).length);
    }
}
