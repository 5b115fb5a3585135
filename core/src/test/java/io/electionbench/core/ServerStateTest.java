package io.electionbench.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The state codes are ZooKeeper's QuorumPeer.ServerState ordinals, which go on the election wire. */
class ServerStateTest {
    @Test
    void codesAreZooKeepersOrdinals() {
        assertEquals(0, ServerState.LOOKING.code());
        assertEquals(1, ServerState.FOLLOWING.code());
        assertEquals(2, ServerState.LEADING.code());
        assertEquals(3, ServerState.OBSERVING.code());
        for (final ServerState s : ServerState.values()) {
            assertEquals(s, ServerState.fromCode(s.code()));
        }
    }

    @Test
    void onlyZooKeepersFourCodesAreValid() {
        for (int code = 0; code < 4; code++) {
            assertTrue(ServerState.isValidCode(code), "code " + code);
        }
        assertFalse(ServerState.isValidCode(-1));
        assertFalse(ServerState.isValidCode(4));
        assertFalse(ServerState.isValidCode(Integer.MAX_VALUE));
    }
}
