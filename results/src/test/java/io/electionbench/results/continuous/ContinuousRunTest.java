package io.electionbench.results.continuous;

import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.Fixtures;
import io.electionbench.results.GitInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.Metric;
import io.electionbench.results.RunCodec;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;
import io.electionbench.results.StoredRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContinuousRunTest {
    private static final String BASE_SHA = "aa".repeat(20);
    private static final String HEAD_SHA = "bb".repeat(20);

    @TempDir
    Path root;

    @TempDir
    Path scratch;

    /** Stands in for the load generator: one cell whose one sample encodes side and round. */
    private static void fakeRound(final Side side, final int round, final long seed,
        final Path out) throws IOException {
        fakeRound(side, round, out);
    }

    private static void fakeRound(final Side side, final int round, final Path out) throws IOException {
        final double sample = (side == Side.BASE ? 100 : 200) + round;
        RunWriter.create(out, RunResult.builder(Kind.LOADGEN).git(GitInfo.unknown()).host(Fixtures.HOST)
            .config(Map.of("command", "run", "trials", 1))
            .cell(Cell.loadgen("sim", 3, "leader-crash", "fast")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, sample)).build())
            .build());
    }

    private ContinuousRun continuousRun() {
        return new ContinuousRun(root, Map.of(Side.BASE, "HEAD~1", Side.HEAD, "HEAD"),
            Map.of(Side.BASE, BASE_SHA, Side.HEAD, HEAD_SHA), 3, 2, 1, List.of("--target", "sim"));
    }

    @Test
    void eachSideIsStoredAsOneRunOfItsMeasuredRoundsUnderItsCommit() throws IOException, InterruptedException {
        final Map<Side, StoredRun> stored = continuousRun().run(ContinuousRunTest::fakeRound, (a, b, c, d, e,
            f) -> { }, scratch);
        final StoredRun base = stored.get(Side.BASE);
        assertEquals(RunStore.runsDir(root).resolve(BASE_SHA), base.file().getParent());
        assertEquals(RunStore.runsDir(root).resolve(HEAD_SHA), stored.get(Side.HEAD).file().getParent());
        // Rounds 1 and 2 are warm-up: only 3, 4, 5 count.
        assertArrayEquals(new double[]{103, 104, 105},
            onlyCell(RunCodec.read(base.file())).metrics().get("time_to_leader_ms").samples());
        assertArrayEquals(new double[]{203, 204, 205},
            onlyCell(stored.get(Side.HEAD).run()).metrics().get("time_to_leader_ms").samples());
    }

    @Test
    void theEnvelopeNamesTheCommitAndEverythingNeededToRerun() throws IOException, InterruptedException {
        final RunResult head = RunCodec.read(continuousRun().run(ContinuousRunTest::fakeRound, (a, b, c, d, e,
            f) -> { }, scratch)
            .get(Side.HEAD).file());
        assertEquals(Kind.LOADGEN, head.kind());
        assertEquals(HEAD_SHA, head.commit());
        assertFalse(head.isDirty());
        assertEquals(Fixtures.HOST, head.host());
        final Map<String, Object> c = head.config();
        assertEquals("continuous", c.get("command"));
        assertEquals("head", c.get("side"));
        assertEquals(Map.of("revision", "HEAD~1", "commit", BASE_SHA), c.get("base"));
        assertEquals(Map.of("revision", "HEAD", "commit", HEAD_SHA), c.get("head"));
        assertEquals(3, c.get("rounds"));
        assertEquals(2, c.get("warmup_rounds"));
        assertEquals(List.of("--target", "sim"), c.get("run_options"));
        assertEquals(Map.of("command", "run", "trials", 1), c.get("run_config"));
    }

    @Test
    void roundsThatRepeatEachOtherExactlyAreWarnedAbout() throws IOException, InterruptedException {
        final ContinuousRun run = continuousRun();
        final Map<Side, StoredRun> stored = run.run((side, round, seed, out) -> fakeRound(side, 0, out),
            (a, b, c, d, e, f) -> { }, scratch);
        assertEquals(2, run.warnings().size());
        assertTrue(run.warnings().get(0).startsWith("base target=sim/size=3/pattern=leader-crash/policy=fast:"
            + " every round gave identical samples"), run.warnings().get(0));
        // Three copies of one measurement are one measurement: n must not claim three.
        assertArrayEquals(new double[]{100},
            onlyCell(stored.get(Side.BASE).run()).metrics().get("time_to_leader_ms").samples());
    }

    @Test
    void aSeededDeterministicTargetGivesOneDistinctSamplePerRoundAndTheSeedsAreRecorded()
        throws IOException, InterruptedException {
        // Like the simulator: the sample depends on the seed only, the same for both sides.
        final RoundRunner simLike = (side, round, seed, out) -> RunWriter.create(out, RunResult.builder(Kind.LOADGEN)
            .git(GitInfo.unknown()).host(Fixtures.HOST).config(Map.of("command", "run"))
            .cell(Cell.loadgen("sim", 3, "leader-crash", "fast")
                .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, 200 + seed)).build())
            .build());
        final ContinuousRun run = continuousRun();
        final Map<Side, StoredRun> stored = run.run(simLike, (a, b, c, d, e, f) -> { }, scratch);
        assertEquals(List.of(), run.warnings());
        // Warm-up rounds 1 and 2 took seeds 1 to 4; measured rounds A 5, 7, 9 and B 6, 8, 10.
        assertArrayEquals(new double[]{205, 207, 209}, onlyCell(stored.get(Side.BASE).run()).metrics()
            .get("time_to_leader_ms").samples());
        assertArrayEquals(new double[]{206, 208, 210}, onlyCell(stored.get(Side.HEAD).run()).metrics()
            .get("time_to_leader_ms").samples());
        assertEquals(List.of(5L, 7L, 9L), stored.get(Side.BASE).run().config().get("seeds"));
    }

    private static Cell onlyCell(final RunResult run) {
        assertEquals(1, run.cells().size());
        return run.cells().get(0);
    }
}
