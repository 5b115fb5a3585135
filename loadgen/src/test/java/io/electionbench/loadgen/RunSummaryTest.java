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
}
