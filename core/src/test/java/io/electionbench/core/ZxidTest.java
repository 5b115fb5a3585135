package io.electionbench.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ZxidTest {
    @Test
    void packsEpochHighAndCounterLow() {
        final long zxid = Zxid.make(3, 7);
        assertEquals(0x0000_0003_0000_0007L, zxid);
        assertEquals(3, Zxid.epoch(zxid));
        assertEquals(7, Zxid.counter(zxid));
        assertEquals("3:7", Zxid.toString(zxid));
        assertEquals(zxid, Zxid.parse("3:7"));
    }

    @Test
    void newerEpochOrdersAfterAnyCounterOfAnOlderOne() {
        assertTrue(Zxid.make(2, 0) > Zxid.make(1, 0xFFFF_FFFFL));
    }

    @Test
    void rejectsMalformedText() {
        for (final String bad : new String[] {"", "3", ":4", "3:", "a:b", "-1:2", "1:-2", "1:4294967296", "3:4:5"}) {
            final IllegalArgumentException ex =
                assertThrows(IllegalArgumentException.class, () -> Zxid.parse(bad), bad);
            assertTrue(ex.getMessage().contains("'" + bad + "'"), ex.getMessage());
        }
    }
}
