package io.electionbench.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Every benchmark, with every parameter combination, runs once for a few milliseconds in this JVM
 * (no fork: surefire's JVM already has the Agrona export) and produces a finite, positive score. The
 * benchmarks' own setup checks (each variant agrees with the reference on every input, an election
 * ends with exactly one leader) run too, so a change in core or transport that breaks a benchmark's
 * assumption fails here rather than in a long run.
 */
class BenchmarksSmokeTest {
    private static final Set<String> EXPECTED = Set.of(
        "VoteCompareBenchmark.baseline",
        "VoteCompareBenchmark.packed",
        "VoteCompareBenchmark.objects",
        "VoteCompareBenchmark.inPlaceFromWire",
        "NotificationCodecBenchmark.encode",
        "NotificationCodecBenchmark.decode",
        "VoteTallyBenchmark.masks",
        "VoteTallyBenchmark.maps",
        "ElectionRoundBenchmark.coldStart",
        "ElectionRoundBenchmark.coldStartElection",
        "ElectionRoundBenchmark.coldStartReused",
        "ElectionRoundBenchmark.construct",
        "ReplicationBenchmark.leaderWrite",
        "ReplicationBenchmark.followerProposal",
        "RingBufferHandoffBenchmark.handoff",
        "RecordBatchBenchmark.check",
        "LogRunAppendBenchmark.append");

    @Test
    void everyBenchmarkRunsAndScores() throws RunnerException {
        final Options options = new OptionsBuilder()
            .include("io\\.electionbench\\.benchmarks\\..*")
            .forks(0)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(40))
            .timeout(TimeValue.seconds(30))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .build();
        final long startNs = System.nanoTime();
        final Collection<RunResult> results = new Runner(options).run();

        final Set<String> seen = new TreeSet<>();
        int runs = 0;
        for (final RunResult r : results) {
            final String name = r.getParams().getBenchmark().replace("io.electionbench.benchmarks.", "");
            seen.add(name);
            runs++;
            final double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), name + " " + r.getParams() + " scored " + score);
        }
        assertEquals(new TreeSet<>(EXPECTED), seen);
        // 4 + 2 configs x 2 + 7 sizes x 2 + 3 x (4 sizes x 2 policies) + 4 sizes + 2 replication + 1 group + 1 batch
        // + 2 log append modes
        assertEquals(4 + 4 + 14 + 24 + 4 + 2 + 1 + 1 + 2, runs, "benchmark x parameter combinations");
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNs) < 60, "the smoke run must stay short");
    }
}
