package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;

class NodeStorageTest {
    @TempDir
    Path dir;

    @Test
    void emptyDirectoryStartsAtZeroAndWritesZooKeeperFiles() throws Exception {
        final NodeStorage storage = NodeStorage.open(dir);
        assertEquals(0, storage.lastLoggedZxid());
        assertEquals(0, storage.currentEpoch());
        assertEquals(0, storage.acceptedEpoch());
        assertEquals("0", Files.readString(dir.resolve("version-2/currentEpoch")).trim());
        assertEquals("0", Files.readString(dir.resolve("version-2/acceptedEpoch")).trim());
    }

    @Test
    void valuesSurviveReopenAndMissingEpochsComeFromTheZxid() throws Exception {
        final NodeStorage storage = NodeStorage.open(dir);
        storage.lastLoggedZxid(Zxid.make(3, 3));
        storage.acceptedEpoch(4);
        storage.currentEpoch(3);
        final NodeStorage reopened = NodeStorage.open(dir);
        assertEquals(Zxid.make(3, 3), reopened.lastLoggedZxid());
        assertEquals(4, reopened.acceptedEpoch());
        assertEquals(3, reopened.currentEpoch());
        Files.delete(dir.resolve("version-2/acceptedEpoch"));
        Files.delete(dir.resolve("version-2/currentEpoch"));
        final NodeStorage initialised = NodeStorage.open(dir);
        assertEquals(3, initialised.acceptedEpoch());
        assertEquals(3, initialised.currentEpoch());
    }

    @Test
    void leftoverTempFilesAreIgnoredAndGarbageIsReported() throws Exception {
        NodeStorage.open(dir).currentEpoch(7);
        Files.writeString(dir.resolve("version-2/currentEpoch.tmp"), "12");
        assertEquals(7, NodeStorage.open(dir).currentEpoch(), "a half-written temp file never replaces the value");
        assertFalse(Files.exists(dir.resolve("version-2/currentEpoch.tmp")));
        Files.writeString(dir.resolve("version-2/acceptedEpoch"), "seven");
        final IOException ex = assertThrows(IOException.class, () -> NodeStorage.open(dir));
        assertTrue(ex.getMessage().contains("acceptedEpoch does not hold a decimal integer"), ex.getMessage());
    }
}
