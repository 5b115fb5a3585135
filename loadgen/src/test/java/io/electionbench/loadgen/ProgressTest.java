package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ProgressTest {
    /** Off a terminal a run is not silent: each finished cell is one line with the whole run's progress. */
    @Test
    void offATerminalEachFinishedCellIsOneLineWithTheRunsProgress() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Progress p = new Progress("run", 30, false, false, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.cell("[1/3] process n=3 leader-crash fast");
        for (int t = 1; t <= 10; t++) {
            p.inCell(t);
        }
        p.cellDone(10, "10 elections measured");
        p.cell("[2/3] process n=5 leader-crash fast");
        p.inCell(4);
        p.cellDone(20, "skipped, reasons");
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, bytes.toString(StandardCharsets.UTF_8));
        assertTrue(lines[0].startsWith("run [1/3] process n=3 leader-crash fast: 10 elections measured in "), lines[0]);
        assertTrue(lines[0].contains("; run 33% done, ETA "), lines[0]);
        assertTrue(lines[1].contains(": skipped, reasons in ") && lines[1].contains("; run 66% done, ETA "), lines[1]);
    }

    @Test
    void quietPrintsNothing() {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final Progress p = new Progress("run", 3, true, true, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        p.cell("c");
        p.inCell(2);
        p.cellDone(3, "done");
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void durationsReadAsAPersonWouldSayThem() {
        assertEquals("42s", Progress.duration(42));
        assertEquals("3m05s", Progress.duration(185));
        assertEquals("1h02m", Progress.duration(3720));
    }
}
