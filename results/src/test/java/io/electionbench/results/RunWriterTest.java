package io.electionbench.results;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class RunWriterTest {
    @TempDir
    Path root;

    @Test
    void fileHoldsEveryFinishedCellAfterEachAdd() throws IOException {
        final RunResult full = Fixtures.loadgenRun("ef".repeat(20), Instant.parse("2025-04-01T08:00:00Z"), 3, 10, 1.0);
        final RunWriter writer = RunWriter.create(root, Fixtures.envelope(full));
        assertEquals(root.resolve("results/runs/" + "ef".repeat(20) + "/20250401T080000Z-loadgen.json"), writer.file());
        assertEquals(0, RunCodec.read(writer.file()).cells().size());
        for (int i = 0; i < full.cells().size(); i++) {
            writer.addCell(full.cells().get(i));
            // An interrupted run keeps exactly the cells finished so far.
            assertEquals(full.cells().subList(0, i + 1), RunCodec.read(writer.file()).cells());
        }
        assertEquals(full, RunCodec.read(writer.file()));
        assertEquals(List.of(writer.file()), filesIn(writer.file().getParent()));
    }

    @Test
    void secondRunInTheSameSecondGetsItsOwnFile() throws IOException {
        final RunResult run =
            Fixtures.envelope(Fixtures.loadgenRun("ef".repeat(20), Instant.parse("2025-04-01T08:00:00Z"), 3, 5, 1.0));
        final RunWriter a = RunWriter.create(root, run);
        final RunWriter b = RunWriter.create(root, run);
        assertNotEquals(a.file(), b.file());
        assertEquals("20250401T080000Z-loadgen-2.json", b.file().getFileName().toString());
    }

    private static List<Path> filesIn(final Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        }
    }
}
