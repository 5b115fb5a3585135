package io.electionbench.results.continuous;

import io.electionbench.results.ResultsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InterleavingTest {
    @TempDir
    Path scratch;

    @Test
    void sidesAlternateAndWarmupRoundsComeFirstAndAreDiscarded() throws IOException, InterruptedException {
        final List<String> calls = new ArrayList<>();
        final List<String> announced = new ArrayList<>();
        final Interleaving il = new Interleaving(3, 1, 1, (side, round, seed, out) -> calls.add(side.letter() + round
            + ":"
            + scratch.relativize(out)), (step, steps, round, isWarmup, side, seed) -> announced.add(step + "/" + steps
                + " "
            + side.letter() + round + (isWarmup ? " warm-up" : "")));
        final Map<Side, List<Path>> measured = il.run(scratch);
        assertEquals(List.of("A1:base/warmup-1", "B1:head/warmup-1", "A2:base/round-1", "B2:head/round-1",
            "A3:base/round-2", "B3:head/round-2", "A4:base/round-3", "B4:head/round-3"), calls);
        assertEquals(List.of("1/8 A1 warm-up", "2/8 B1 warm-up", "3/8 A2", "4/8 B2", "5/8 A3", "6/8 B3", "7/8 A4",
            "8/8 B4"), announced);
        assertEquals(
            List.of(scratch.resolve("base/round-1"), scratch.resolve("base/round-2"), scratch.resolve("base/round-3")),
            measured.get(Side.BASE));
        assertEquals(
            List.of(scratch.resolve("head/round-1"), scratch.resolve("head/round-2"), scratch.resolve("head/round-3")),
            measured.get(Side.HEAD));
    }

    @Test
    void withoutWarmupTheFirstRoundIsMeasured() throws IOException, InterruptedException {
        final List<String> calls = new ArrayList<>();
        new Interleaving(2, 0, 1, (side, round, seed, out) -> calls.add(side.letter() + round), (a, b, c, d, e,
            f) -> { })
            .run(scratch);
        assertEquals(List.of("A1", "B1", "A2", "B2"), calls);
    }

    @Test
    void aFailingRoundStopsTheRun() {
        final List<String> calls = new ArrayList<>();
        final Interleaving il = new Interleaving(3, 0, 1, (side, round, seed, out) -> {
            calls.add(side.letter() + round);
            if (side == Side.HEAD && round == 2) {
                throw new ResultsException("round 2 of head failed");
            }
        }, (a, b, c, d, e, f) -> { });
        assertThrows(ResultsException.class, () -> il.run(scratch));
        assertEquals(List.of("A1", "B1", "A2", "B2"), calls);
    }

    @Test
    void roundsMustBePositive() {
        assertThrows(IllegalArgumentException.class,
            () -> new Interleaving(0, 1, 1, (s, r, x, o) -> { }, (a, b, c, d, e, f) -> { }));
        assertThrows(IllegalArgumentException.class,
            () -> new Interleaving(1, -1, 1, (s, r, x, o) -> { }, (a, b, c, d, e, f) -> { }));
    }

    @Test
    void everySideOfEveryRoundHasItsOwnSeedAndTheListenerIsToldIt() throws IOException, InterruptedException {
        final List<Long> seeds = new ArrayList<>();
        final List<Long> announced = new ArrayList<>();
        new Interleaving(3, 1, 7, (side, round, seed, out) -> seeds.add(seed),
            (step, steps, round, isWarmup, side, seed) -> announced.add(seed)).run(scratch);
        assertEquals(List.of(7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L), seeds);
        assertEquals(seeds, announced);
        assertEquals(List.of("--seed", "9"), LoadgenRoundRunner.command(Path.of("x.jar"), List.of("--target", "sim"), 9,
            scratch).subList(6, 8));
    }
}
