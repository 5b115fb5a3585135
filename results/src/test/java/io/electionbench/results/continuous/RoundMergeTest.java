package io.electionbench.results.continuous;

import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Fixtures;
import io.electionbench.results.GitInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.Metric;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoundMergeTest {
    @TempDir
    Path tmp;

    static RunResult round(final int hour, final Cell... cells) {
        final RunResult.Builder b = RunResult.builder(Kind.LOADGEN).git(GitInfo.unknown()).host(Fixtures.HOST)
            .started(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * hour)).config(Map.of("round", hour));
        for (final Cell c : cells) {
            b.cell(c);
        }
        return b.build();
    }

    static Cell cell(final int size, final String policy, final double... leader) {
        return Cell.loadgen("sim", size, "leader-crash", policy)
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, leader))
            .build();
    }

    @Test
    void samplesOfTheSameCellAreConcatenatedInRoundOrder() {
        final List<Cell> cells = RoundMerge.mergeCells(List.of(
            round(1, cell(3, "fast", 1, 2)), round(2, cell(3, "fast", 3)), round(3, cell(3, "fast", 4, 5))));
        assertEquals(1, cells.size());
        assertEquals("target=sim/size=3/pattern=leader-crash/policy=fast", cells.get(0).id());
        assertArrayEquals(new double[]{1, 2, 3, 4, 5}, cells.get(0).metrics().get("time_to_leader_ms").samples());
    }

    @Test
    void cellsThatDifferInSizeOrPolicyAreKeptApartInOrderOfFirstAppearance() {
        final List<Cell> cells = RoundMerge.mergeCells(List.of(
            round(1, cell(3, "fast", 1), cell(5, "fast", 10)),
            round(2, cell(3, "zookeeper", 100), cell(3, "fast", 2)),
            round(3, cell(5, "fast", 11))));
        assertEquals(List.of("target=sim/size=3/pattern=leader-crash/policy=fast",
            "target=sim/size=5/pattern=leader-crash/policy=fast",
            "target=sim/size=3/pattern=leader-crash/policy=zookeeper"), cells.stream().map(Cell::id).toList());
        assertArrayEquals(new double[]{1, 2}, cells.get(0).metrics().get("time_to_leader_ms").samples());
        assertArrayEquals(new double[]{10, 11}, cells.get(1).metrics().get("time_to_leader_ms").samples());
        assertArrayEquals(new double[]{100}, cells.get(2).metrics().get("time_to_leader_ms").samples());
    }

    @Test
    void aMetricMissingInSomeRoundsKeepsTheSamplesOfTheOthers() {
        final Cell withMessages = Cell.loadgen("sim", 3, "leader-crash", "fast")
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, 7))
            .metric("messages_per_election", Metric.of("msgs", Better.LOWER, 12))
            .build();
        final Cell merged = RoundMerge.mergeCells(List.of(round(1, cell(3, "fast", 6)), round(2, withMessages))).get(0);
        assertEquals(List.of("time_to_leader_ms", "messages_per_election"), List.copyOf(merged.metrics().keySet()));
        assertArrayEquals(new double[]{6, 7}, merged.metrics().get("time_to_leader_ms").samples());
        assertArrayEquals(new double[]{12}, merged.metrics().get("messages_per_election").samples());
    }

    @Test
    void aPerRunMetricStaysPerRunWithOneSamplePerRound() {
        final Cell withFailures = Cell.loadgen("sim", 3, "leader-crash", "fast")
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, 7, 8))
            .metric("failed_trials", Metric.perRun("trials", Better.LOWER, 0))
            .build();
        final Cell merged = RoundMerge.mergeCells(List.of(round(1, withFailures), round(2, withFailures))).get(0);
        assertTrue(merged.metrics().get("failed_trials").isPerRun());
        assertArrayEquals(new double[]{0, 0}, merged.metrics().get("failed_trials").samples());
        assertFalse(merged.metrics().get("time_to_leader_ms").isPerRun());
    }

    @Test
    void aMetricWhoseUnitChangesBetweenRoundsIsRefused() {
        final Cell seconds = Cell.loadgen("sim", 3, "leader-crash", "fast")
            .metric("time_to_leader_ms", Metric.of("s", Better.LOWER, 0.2)).build();
        final ResultsException ex = assertThrows(ResultsException.class,
            () -> RoundMerge.mergeCells(List.of(round(1, cell(3, "fast", 200)), round(2, seconds))));
        assertTrue(ex.getMessage().contains("time_to_leader_ms is ms/lower in one round and s/lower in another"),
            ex.getMessage());
    }

    @Test
    void mergeKeepsTheEnvelopeAndReplacesTheCells() {
        final RunResult envelope = RunResult.builder(Kind.LOADGEN).git(new GitInfo("ab".repeat(20), false, "HEAD"))
            .host(Fixtures.HOST).config(Map.of("command", "continuous")).cell(cell(7, "fast", 99)).build();
        final RunResult merged =
            RoundMerge.merge(envelope, List.of(round(1, cell(3, "fast", 1)), round(2, cell(3, "fast", 2))));
        assertEquals("ab".repeat(20), merged.commit());
        assertEquals(Map.of("command", "continuous"), merged.config());
        assertEquals(1, merged.cells().size());
        assertArrayEquals(new double[]{1, 2}, merged.cells().get(0).metrics().get("time_to_leader_ms").samples());
    }

    @Test
    void readRoundsReadsEveryRoundDirectoryInOrder() throws IOException {
        final Path r1 = tmp.resolve("round-1");
        final Path r2 = tmp.resolve("round-2");
        // Later start time in the first round: order must follow the directories, not the clock.
        RunWriter.create(r1, round(5, cell(3, "fast", 1)));
        RunWriter.create(r2, round(1, cell(3, "fast", 2)));
        final List<RunResult> runs = RoundMerge.readRounds(List.of(r1, r2));
        assertEquals(List.of(5, 1), runs.stream().map(r -> r.config().get("round")).toList());
    }

    @Test
    void aRoundThatStoredNothingIsAnError() throws IOException {
        final Path empty = Files.createDirectories(tmp.resolve("round-1"));
        final ResultsException ex = assertThrows(ResultsException.class, () -> RoundMerge.readRounds(List.of(empty)));
        assertTrue(ex.getMessage().contains(empty.toString()), ex.getMessage());
    }

    @Test
    void repeatedCellsAreThoseEveryRoundMeasuredIdentically() {
        final List<RunResult> rounds = List.of(
            round(1, cell(3, "fast", 1, 2), cell(5, "fast", 3)),
            round(2, cell(3, "fast", 1, 2), cell(5, "fast", 4), cell(7, "fast", 9)));
        assertEquals(List.of("target=sim/size=3/pattern=leader-crash/policy=fast"), RoundMerge.repeatedCells(rounds));
    }
}
