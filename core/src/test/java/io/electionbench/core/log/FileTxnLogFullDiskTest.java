package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;

/**
 * A {@link FileTxnLog} on a disk that fills up, for real: a small tmpfs ({@link Tmpfs}; root only, and CI
 * must not skip it). A failed write leaves the log able to go on once there is room again, and what it
 * then writes is as durable as its policy promises.
 */
class FileTxnLogFullDiskTest {
    private static final int MAX_APPENDS = 10_000;
    @TempDir
    Path root;
    private Tmpfs tmpfs;

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    private static FileTxnLog.Options always() {
        return new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.ALWAYS).warnings(w -> { });
    }

    /**
     * Under ALWAYS an append that failed to be written stays staged (and indexed: its outcome is unknown
     * to the caller). The flush that writes it once there is room must also force it, as ALWAYS forces
     * every record it writes; it used to write it and return.
     */
    @Test
    void aRecordThatCouldNotBeWrittenUnderAlwaysIsForcedByTheFlushThatWritesIt() throws Exception {
        tmpfs = Tmpfs.mount(root.resolve("disk"), "1m");
        final Path dir = tmpfs.dir().resolve("log");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[4096]);
        long failed = -1;
        try (FileTxnLog log = FileTxnLog.open(dir, always())) {
            for (int i = 1; i <= MAX_APPENDS && failed < 0; i++) {
                try {
                    log.append(Zxid.make(1, i), payload, 0, payload.capacity());
                } catch (final UncheckedIOException ex) {
                    assertTrue(String.valueOf(ex.getCause()).contains("No space left on device"), ex.toString());
                    failed = Zxid.make(1, i);
                }
            }
            assertTrue(failed > 0, "a 1 MiB tmpfs took " + MAX_APPENDS + " appends of 4 KiB");
            assertThrows(UncheckedIOException.class, log::flush, "still full");
            tmpfs.resize("4m");
            final long forces = log.forceCount();
            log.flush();
            assertEquals(forces + 1, log.forceCount(), "the flush that wrote the failed record forced it");
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, always())) {
            assertEquals(failed, reopened.lastZxid(), "the record written late is in the file, whole");
        }
    }

    /**
     * A run of records ({@link FileTxnLog#appendRecords}) that fails to be written under ALWAYS stays staged
     * and indexed as single appends do; the flush that writes it once there is room forces it, and it is
     * in the file whole.
     */
    @Test
    void aRunThatCouldNotBeWrittenUnderAlwaysIsForcedByTheFlushThatWritesIt() throws Exception {
        tmpfs = Tmpfs.mount(root.resolve("disk"), "1m");
        final Path dir = tmpfs.dir().resolve("log");
        long failed = -1;
        try (FileTxnLog log = FileTxnLog.open(dir, always())) {
            for (int i = 0; i < MAX_APPENDS / 8 && failed < 0; i++) {
                final UnsafeBuffer run = new UnsafeBuffer(new byte[8 * (LogRecords.HEADER_BYTES + 4096)]);
                for (int r = 0; r < 8; r++) {
                    run.putBytes(r * (LogRecords.HEADER_BYTES + 4096),
                        FileTxnLogAppendRecordsTest.record(Zxid.make(1, 8L * i + r + 1), new byte[4096]));
                }
                try {
                    log.appendRecords(run, 0, run.capacity());
                } catch (final UncheckedIOException ex) {
                    assertTrue(String.valueOf(ex.getCause()).contains("No space left on device"), ex.toString());
                    failed = Zxid.make(1, 8L * i + 8);
                }
            }
            assertTrue(failed > 0, "a 1 MiB tmpfs took " + MAX_APPENDS + " records of 4 KiB");
            assertEquals(failed, log.lastZxid(), "the failed run is indexed, its outcome unknown to the caller");
            assertThrows(UncheckedIOException.class, log::flush, "still full");
            tmpfs.resize("4m");
            final long forces = log.forceCount();
            log.flush();
            assertEquals(forces + 1, log.forceCount(), "the flush that wrote the failed run forced it");
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, always())) {
            assertEquals(failed, reopened.lastZxid(), "the run written late is in the file, whole");
        }
    }

    /**
     * A segment roll on a full disk created the new segment's file and failed to write its header; the file
     * stayed, so every later roll failed with "file exists" until a restart, even with room again.
     */
    @Test
    void aSegmentThatCouldNotBeCreatedLeavesNoFileSoTheRollSucceedsOnceThereIsRoom() throws Exception {
        tmpfs = Tmpfs.mount(root.resolve("disk"), "1m");
        final Path dir = tmpfs.dir().resolve("log");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[1000]);
        final Path filler = tmpfs.dir().resolve("filler");
        try (FileTxnLog log = FileTxnLog.open(dir, always().segmentBytes(8192))) {
            for (int i = 1; i <= 8; i++) {
                log.append(Zxid.make(1, i), payload, 0, payload.capacity());
            }
            assertEquals(1, log.segmentFiles().length, "8 records of 1016 bytes and the header fit 8192");
            fill(filler);
            final UncheckedIOException full = assertThrows(UncheckedIOException.class,
                () -> log.append(Zxid.make(1, 9), payload, 0, payload.capacity()), "the roll needs a new page");
            assertTrue(String.valueOf(full.getCause()).contains("No space left on device"), full.toString());
            Files.delete(filler);
            log.append(Zxid.make(1, 9), payload, 0, payload.capacity());
            assertEquals(2, log.segmentFiles().length);
        }
        try (FileTxnLog reopened = FileTxnLog.open(dir, always())) {
            assertEquals(Zxid.make(1, 9), reopened.lastZxid());
            assertEquals(9, reopened.entryCount());
        }
    }

    /** Writes 4 KiB blocks to {@code file} until the tmpfs is full (ENOSPC), forcing each. */
    private static void fill(final Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            final ByteBuffer block = ByteBuffer.allocate(4096);
            for (int i = 0; i < 1 << 16; i++) {
                block.clear();
                try {
                    while (block.hasRemaining()) {
                        channel.write(block);
                    }
                } catch (final IOException ex) {
                    return;
                }
            }
        }
        fail("the tmpfs never filled");
    }
}
