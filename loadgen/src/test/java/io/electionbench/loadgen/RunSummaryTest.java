package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.TargetKind;
import io.electionbench.loadgen.run.TrialAnalysis;
import io.electionbench.loadgen.run.TrialRunner;
import picocli.CommandLine;

/** The lines under the table that compare ZooKeeper's time to ready with our real targets'. */
class RunSummaryTest {
    /** A cell of one measured election that was ready {@code readyMs} after the fault. */
    private static CellRunner.CellOutcome readyAfter(final double readyMs) {
        final long ns = (long)(readyMs * 1e6);
        final TrialRunner.Sample s = new TrialRunner.Sample(new TrialAnalysis.Outcome(ns / 2, ns / 2, ns, 1, 1), 10,
            null, 0, 0, -1, null);
        return new CellRunner.CellOutcome(List.of(s), List.of(), List.of(), null, List.of(), List.of(), List.of(),
            List.of(), List.of(), List.of());
    }

    @Test
    void zooKeepersReadyP50IsComparedWithEveryRealTargetOfItsSizeAndPattern() throws Exception {
        final RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs("--target", "process", "--no-store");
        final RunPlan plan = command.plan();
        final RunSummary summary = new RunSummary(false, false);
        summary.add(TargetKind.ZOOKEEPER, 3, Pattern.LEADER_CRASH, "zk-3.9.5", Map.of(), readyAfter(300));
        summary.add(TargetKind.PROCESS, 3, Pattern.LEADER_CRASH, "fast", Map.of(), readyAfter(30));
        summary.add(TargetKind.PROCESS, 3, Pattern.LEADER_CRASH, "fast", Map.of("observe", "poll"), readyAfter(60));
        summary.add(TargetKind.SIM, 3, Pattern.LEADER_CRASH, "fast", Map.of(), readyAfter(1));
        summary.add(TargetKind.PROCESS, 5, Pattern.LEADER_CRASH, "fast", Map.of(), readyAfter(40));
        summary.add(TargetKind.PROCESS, 3, Pattern.COLD_START, "fast", Map.of(), readyAfter(50));
        final PrintStream saved = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            summary.print(plan);
        } finally {
            System.setOut(saved);
        }
        final List<String> ratios = out.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("ratio:")).toList();
        assertEquals(List.of(
            "ratio: n=3 leader-crash ZooKeeper 3.9.5 ready p50 300.0 ms / process fast ready p50 30.00 ms = 10.0x",
            "ratio: n=3 leader-crash ZooKeeper 3.9.5 ready p50 300.0 ms / observe=poll process fast ready p50 60.00 ms"
                + " = 5.0x"), ratios, "not the simulator, nor another size or pattern");
    }

    /**
     * A hosts cell's clock estimates and fault mechanisms go into its result cell, and the footer prints each host's
     * first and last estimate once, however many cells the run had.
     */
    @Test
    void aHostsCellKeepsItsClocksAndTheFooterPrintsEachHostOnce() throws Exception {
        final RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs("--target", "process", "--no-store");
        final RunPlan plan = command.plan();
        final RunSummary summary = new RunSummary(false, false);
        final CellRunner.CellOutcome ready = readyAfter(30);
        final java.time.Instant t0 = java.time.Instant.parse("2026-01-02T03:04:05Z");
        final List<io.electionbench.results.HostClock> first = List.of(
            new io.electionbench.results.HostClock(1, "h1", "start", t0, 0.25, 1.0),
            new io.electionbench.results.HostClock(1, "h1", "end", t0.plusSeconds(10), 0.5, 1.0));
        final List<io.electionbench.results.HostClock> second = List.of(
            new io.electionbench.results.HostClock(1, "h1", "start", t0.plusSeconds(20), -2.0, 0.5),
            new io.electionbench.results.HostClock(1, "h1", "end", t0.plusSeconds(30), -3.25, 0.75));
        final io.electionbench.results.Cell cell = summary.add(TargetKind.HOSTS, 3, Pattern.LEADER_CRASH, "fast",
            Map.of(), withHosts(ready, first));
        summary.add(TargetKind.HOSTS, 3, Pattern.PARTITION_LEADER, "fast", Map.of(), withHosts(ready, second));
        assertEquals(first, cell.hostClocks());
        assertEquals(Map.of("1", "nft"), cell.faultMechanisms());
        final PrintStream saved = System.out;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            summary.print(plan);
        } finally {
            System.setOut(saved);
        }
        final List<String> lines = out.toString(StandardCharsets.UTF_8).lines()
            .filter(l -> l.startsWith("  server ")).toList();
        assertEquals(List.of("  server 1 (h1): +0.250 +- 1.000 ms at 2026-01-02T03:04:05Z, -3.250 +- 0.750 ms at"
            + " 2026-01-02T03:04:35Z; firewall faults by nft"), lines);
    }

    private static CellRunner.CellOutcome withHosts(final CellRunner.CellOutcome o,
        final List<io.electionbench.results.HostClock> clocks) {
        return new CellRunner.CellOutcome(o.samples(), o.failures(), o.violations(), null, List.of(), List.of(),
            List.of(), List.of(), List.of(), List.of(), clocks, Map.of("1", "nft"));
    }
}
