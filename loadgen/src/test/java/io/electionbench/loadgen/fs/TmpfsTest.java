package io.electionbench.loadgen.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real 1 MiB tmpfs: filled to ENOSPC, freed, unmounted. Needs root to mount. */
class TmpfsTest {
    @Test
    void fillsUntilNoSpaceIsLeftThenFreesAndUnmounts(@TempDir final Path dir) throws Exception {
        assumeTrue(Tmpfs.isRoot(), "mounting a tmpfs needs root: not root, so it is not tested here");
        final Path mount = dir.resolve("disk");
        final Tmpfs disk = Tmpfs.mount(mount, 1 << 20);
        try {
            assertTrue(disk.isMounted());
            final long filler = disk.fill();
            assertEquals(1 << 20, filler, "the filler took every page");
            final IOException full = assertThrows(IOException.class,
                () -> Files.write(mount.resolve("more"), new byte[4096]));
            assertTrue(full.getMessage().contains("No space left"), full.getMessage());
            disk.free();
            Files.write(mount.resolve("more"), new byte[4096]);
        } finally {
            disk.close();
        }
        assertFalse(Tmpfs.isMountPoint(mount), "unmounted");
        assertFalse(Files.exists(mount), "the mount point is removed");
        disk.close();
    }
}
