package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.Zxid;
import io.electionbench.core.log.FileTxnLog;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.core.log.LogCorruptedException;
import io.electionbench.transport.net.LeakWatch;

@ExtendWith(LeakWatch.class)
class NodeStorageTest {
    /** Segment header, then records of a 16-byte header and the payload (docs/storage.md). */
    private static final int SEGMENT_HEADER = 16;
    private static final int RECORD_HEADER = 16;
    private static final int PAYLOAD = 10;

    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private NodeStorage open() throws IOException {
        return NodeStorage.open(dir, new FileTxnLog.Options().fsyncPolicy(FsyncPolicy.ALWAYS).warnings(warnings::add));
    }

    private static void append(final NodeStorage storage, final long zxid) {
        final byte[] payload = payload(zxid);
        storage.log().append(zxid, new UnsafeBuffer(payload), 0, payload.length);
    }

    private static byte[] payload(final long zxid) {
        return String.format("%-" + PAYLOAD + "s", Zxid.toString(zxid)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Three records 1:1, 1:2, 1:3 in one segment; returns the segment file. */
    private Path threeRecords() throws IOException {
        try (NodeStorage storage = open()) {
            for (int counter = 1; counter <= 3; counter++) {
                append(storage, Zxid.make(1, counter));
            }
            storage.acceptedEpoch(1);
            storage.currentEpoch(1);
            assertEquals(1, storage.log().segmentFiles().length);
            return storage.log().segmentFiles()[0];
        }
    }

    @Test
    void emptyDirectoryStartsAtZeroAndWritesZooKeeperFiles() throws Exception {
        try (NodeStorage storage = open()) {
            assertEquals(0, storage.lastLoggedZxid());
            assertEquals(0, storage.currentEpoch());
            assertEquals(0, storage.acceptedEpoch());
            assertEquals(dir.resolve("version-2/log"), storage.logDirectory());
            assertTrue(Files.isDirectory(storage.logDirectory()));
        }
        assertEquals(0, epochFile("currentEpoch"));
        assertEquals(0, epochFile("acceptedEpoch"));
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void restartKeepsLogAndEpochsAndMissingEpochsComeFromTheLog() throws Exception {
        final long[] zxids = {Zxid.make(1, 1), Zxid.make(1, 2), Zxid.make(3, 1), Zxid.make(3, 2)};
        try (NodeStorage storage = open()) {
            for (final long zxid : zxids) {
                append(storage, zxid);
            }
            storage.acceptedEpoch(4);
            storage.currentEpoch(3);
        }
        Files.writeString(dir.resolve("version-2/lastLoggedZxid"), Long.toString(Zxid.make(9, 9)));
        try (NodeStorage reopened = open()) {
            assertEquals(Zxid.make(3, 2), reopened.lastLoggedZxid(),
                "the log is the truth; an old lastLoggedZxid file is ignored");
            assertEquals(4, reopened.acceptedEpoch());
            assertEquals(3, reopened.currentEpoch());
            final List<String> read = new ArrayList<>();
            reopened.log().read(0, (zxid, buffer, offset, length) -> {
                read.add(Zxid.toString(zxid) + "=" + buffer.getStringWithoutLengthAscii(offset, length).trim());
                return true;
            });
            assertEquals(List.of("1:1=1:1", "1:2=1:2", "3:1=3:1", "3:2=3:2"), read);
        }
        Files.delete(dir.resolve("version-2/acceptedEpoch"));
        Files.delete(dir.resolve("version-2/currentEpoch"));
        try (NodeStorage initialised = open()) {
            assertEquals(3, initialised.acceptedEpoch());
            assertEquals(3, initialised.currentEpoch());
        }
        assertEquals(3, epochFile("currentEpoch"));
        assertEquals(3, epochFile("acceptedEpoch"));
    }

    @Test
    void zooKeeperEpochFilesAreReadAndRewrittenOnceToTheFixedWidthThenOverwrittenInPlace() throws Exception {
        Files.createDirectories(dir.resolve("version-2"));
        Files.writeString(dir.resolve("version-2/acceptedEpoch"), "12\n"); // as ZooKeeper writes it
        Files.writeString(dir.resolve("version-2/currentEpoch"), "11");
        try (NodeStorage storage = open()) {
            assertEquals(12, storage.acceptedEpoch());
            assertEquals(11, storage.currentEpoch());
            assertEquals("0000000000000000012\n", Files.readString(dir.resolve("version-2/acceptedEpoch")));
            final Object fileKey = Files.readAttributes(dir.resolve("version-2/acceptedEpoch"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
            storage.acceptedEpoch(Zxid.MAX_EPOCH);
            storage.currentEpoch(13);
            assertEquals("0000000002147483647\n", Files.readString(dir.resolve("version-2/acceptedEpoch")));
            assertEquals(fileKey, Files.readAttributes(dir.resolve("version-2/acceptedEpoch"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey(),
                "the same file (inode), overwritten in place");
            assertThrows(IllegalArgumentException.class, () -> storage.currentEpoch(-1));
        }
        try (NodeStorage reopened = open()) {
            assertEquals(Zxid.MAX_EPOCH, reopened.acceptedEpoch());
            assertEquals(13, reopened.currentEpoch());
        }
    }

    @Test
    void leftoverTempFilesAreIgnoredAndGarbageStopsTheOpenNamingTheFile() throws Exception {
        try (NodeStorage storage = open()) {
            storage.acceptedEpoch(7);
            storage.currentEpoch(7);
        }
        Files.writeString(dir.resolve("version-2/currentEpoch.tmp"), "12");
        try (NodeStorage storage = open()) {
            assertEquals(7, storage.currentEpoch(), "a half-written temp file never replaces the value");
        }
        assertFalse(Files.exists(dir.resolve("version-2/currentEpoch.tmp")));
        Files.writeString(dir.resolve("version-2/acceptedEpoch"), "seven");
        final IOException ex = assertThrows(IOException.class, this::open);
        assertTrue(ex.getMessage().contains(dir.resolve("version-2/acceptedEpoch")
            + " does not hold a decimal integer"), ex.getMessage());
        assertEquals("seven", Files.readString(dir.resolve("version-2/acceptedEpoch")), "nothing is rewritten");
    }

    @Test
    void settersThrowUncheckedWhenTheFileCannotBeWritten() throws Exception {
        final NodeStorage storage = open();
        storage.close(); // the epoch files' channels are closed: every write fails
        final UncheckedIOException ex = assertThrows(UncheckedIOException.class, () -> storage.acceptedEpoch(5));
        assertTrue(ex.getMessage().contains("acceptedEpoch=5")
            && ex.getMessage().contains(dir.resolve("version-2/acceptedEpoch").toString()), ex.getMessage());
        assertEquals(0, storage.acceptedEpoch(), "memory follows the file, which kept the old value");
        assertEquals(0, epochFile("acceptedEpoch"));
    }

    /** An epoch file's value, checking its fixed size. */
    private long epochFile(final String name) throws IOException {
        final String text = Files.readString(dir.resolve("version-2/" + name));
        assertEquals(NodeStorage.EPOCH_FILE_BYTES, text.length(), name + " is of the fixed size: '" + text + "'");
        return Long.parseLong(text.trim());
    }

    @Test
    void tornTailIsCutWithAWarningAndTheNodeStarts() throws Exception {
        final Path segment = threeRecords();
        final long size = Files.size(segment);
        assertEquals(SEGMENT_HEADER + 3 * (RECORD_HEADER + PAYLOAD), size);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            channel.truncate(size - 4); // an append interrupted inside the last record's payload
        }
        try (NodeStorage storage = open()) {
            assertEquals(Zxid.make(1, 2), storage.lastLoggedZxid());
            assertEquals(2, storage.log().entryCount());
        }
        assertEquals(1, warnings.size(), warnings.toString());
        final long lastRecord = SEGMENT_HEADER + 2 * (RECORD_HEADER + PAYLOAD);
        assertTrue(warnings.get(0).contains(segment.toString())
            && warnings.get(0).contains("byte offset " + lastRecord), warnings.get(0));
        assertEquals(lastRecord, Files.size(segment), "the torn record is cut, the complete ones stay");

        final ElectionNode node = new ElectionNode(singleMember(), 1);
        node.crashAction(node::close);
        try (node) {
            node.start();
            TestEnsemble.await(10_000, "the single member leads", () -> "LEADING".equals(node.status().state()));
            assertEquals(Zxid.make(1, 2), node.status().zxid(), node.status().toJson());
        }
    }

    @Test
    void flippedByteInAMiddleRecordStopsStartupNamingTheFileAndChangesNothing() throws Exception {
        final Path segment = threeRecords();
        final long middlePayload = SEGMENT_HEADER + (RECORD_HEADER + PAYLOAD) + RECORD_HEADER;
        final byte[] bytes = Files.readAllBytes(segment);
        bytes[(int)middlePayload + 3] ^= 0x20;
        Files.write(segment, bytes);

        final LogCorruptedException ex = assertThrows(LogCorruptedException.class, this::open);
        assertEquals(segment, ex.file());
        assertEquals(SEGMENT_HEADER + RECORD_HEADER + PAYLOAD, ex.offset(), "the damaged record's offset");
        assertArrayEquals(bytes, Files.readAllBytes(segment), "a corrupt log is never repaired");

        final ElectionNode node = new ElectionNode(singleMember(), 1);
        final IOException startError = assertThrows(IOException.class, node::start);
        node.close();
        assertTrue(startError.getMessage().contains(segment.toString())
            && startError.getMessage().contains("byte offset"), startError.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(segment), "starting the node changed nothing either");
        assertEquals(1, epochFile("currentEpoch"));
    }

    /** Storage refuses to open, naming file and value ({@code node}'s one line: loadgen's NodeCommandTest). */
    @Test
    void anEpochFileBeyondTheEpochSpaceStopsStartupNamingFileAndValue() throws Exception {
        threeRecords();
        final Path accepted = dir.resolve("version-2/acceptedEpoch");
        Files.writeString(accepted, "9000000000000000004\n");
        final IOException ex = assertThrows(IOException.class, this::open);
        assertTrue(ex.getMessage().startsWith(accepted + " holds epoch 9000000000000000004, beyond the largest epoch "
            + Zxid.MAX_EPOCH), ex.getMessage());
        assertEquals("9000000000000000004\n", Files.readString(accepted), "nothing is rewritten");
        assertEquals(1, epochFile("currentEpoch"), "the other epoch file is untouched");
    }

    @Test
    void theLargestEpochIsAccepted() throws Exception {
        Files.createDirectories(dir.resolve("version-2"));
        Files.writeString(dir.resolve("version-2/acceptedEpoch"), Zxid.MAX_EPOCH + "\n");
        try (NodeStorage storage = open()) {
            assertEquals(Zxid.MAX_EPOCH, storage.acceptedEpoch());
            assertThrows(IllegalArgumentException.class, () -> storage.acceptedEpoch(Zxid.MAX_EPOCH + 1),
                "nothing past the end is ever written");
            assertEquals(Zxid.MAX_EPOCH, storage.acceptedEpoch());
        }
        assertEquals(Zxid.MAX_EPOCH, epochFile("acceptedEpoch"));
    }

    /** ZooKeeper's QuorumPeer.loadDataBase: "The accepted epoch ... is less than the current epoch". */
    @Test
    void anAcceptedEpochBelowTheCurrentOneStopsStartup() throws Exception {
        threeRecords();
        Files.writeString(dir.resolve("version-2/currentEpoch"), "5\n");
        final IOException ex = assertThrows(IOException.class, this::open);
        assertTrue(ex.getMessage().contains(dir.resolve("version-2/acceptedEpoch") + " holds epoch 1, below the current"
            + " epoch 5"), ex.getMessage());
    }

    @Test
    void anAcceptedEpochBelowTheLoggedEpochStopsStartup() throws Exception {
        threeRecords();
        Files.writeString(dir.resolve("version-2/acceptedEpoch"), "0\n");
        Files.writeString(dir.resolve("version-2/currentEpoch"), "0\n");
        final IOException ex = assertThrows(IOException.class, this::open);
        assertTrue(ex.getMessage().contains("below the epoch of the last logged txn 1:3"), ex.getMessage());
    }

    /** A one-member ensemble whose dataDir is this test's directory. */
    private NodeConfig singleMember() throws Exception {
        final int[] ports = TestEnsemble.freePorts(2);
        final Path cfg = dir.resolve("one.cfg");
        Files.write(cfg, List.of("dataDir=" + dir, "tickTime=100", "server.1=127.0.0.1:" + ports[0] + ":" + ports[1]));
        return NodeConfigParser.parse(cfg);
    }
}
