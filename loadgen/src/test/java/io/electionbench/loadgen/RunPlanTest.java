package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.TargetKind;
import picocli.CommandLine;

/** The plan {@code run}'s options build: its cells in the order they run, and what each target's rules make of them. */
class RunPlanTest {
    /** The plan of {@code run ARGS}, without running it. */
    private static RunPlan plan(final String... args) throws Exception {
        final RunCommand command = new RunCommand();
        new CommandLine(command).parseArgs(args);
        return command.plan();
    }

    private static String describe(final RunPlan.CellGroup g) {
        final StringBuilder sb = new StringBuilder(g.kind().cliName() + " n=" + g.size() + " " + g.pattern().flag());
        g.variants().forEach(v -> sb.append(' ').append(v.label()));
        return sb.toString();
    }

    @Test
    void cellsRunPerTargetThenPolicyAndObservationThenSizeAndPattern() throws Exception {
        final RunPlan plan = plan("--target", "sim,inproc", "--sizes", "3,5", "--patterns", "leader-crash,cold-start",
            "--policy", "all", "--observe", "events,poll", "--trials", "4", "--warmup", "1");
        final List<String> cells = plan.groups().stream().map(RunPlanTest::describe).toList();
        assertEquals(List.of("sim n=3 leader-crash fast", "sim n=3 cold-start fast", "sim n=5 leader-crash fast",
            "sim n=5 cold-start fast", "sim n=3 leader-crash zookeeper", "sim n=3 cold-start zookeeper",
            "sim n=5 leader-crash zookeeper", "sim n=5 cold-start zookeeper"), cells.subList(0, 8));
        assertEquals(List.of("inproc n=3 leader-crash fast", "inproc n=3 cold-start fast",
            "inproc n=5 leader-crash fast", "inproc n=5 cold-start fast", "inproc n=3 leader-crash fast observe=poll"),
            cells.subList(8, 13));
        assertEquals(8 + 16, plan.cellCount(), "the simulator is timed virtually, inproc both ways");
        assertEquals(8 * RunPlan.SIM_CELL_UNITS + 16 * (1 + 4), plan.units());
        assertEquals(List.of(TargetKind.SIM, TargetKind.INPROC), plan.targets());
        assertEquals(4, plan.trials().measuredOn(TargetKind.INPROC));
        assertEquals(200, plan.trials().measuredOn(TargetKind.SIM));
    }

    /** Remote nodes run the size and policy their config lists, whatever --sizes and --policy say. */
    @Test
    void remoteCellsTakeTheirSizeAndPolicyFromTheConfig(@TempDir final Path dir) throws Exception {
        final Path cfg = Files.write(dir.resolve("ensemble.cfg"), List.of("tickTime=200", "initLimit=10",
            "syncLimit=5", "dataDir=" + dir.resolve("n-%d"), "electionPolicy=zookeeper",
            "server.1=127.0.0.1:2001:3001:participant", "admin.1=127.0.0.1:4001",
            "server.2=127.0.0.1:2002:3002:participant", "admin.2=127.0.0.1:4002",
            "server.3=127.0.0.1:2003:3003:participant", "admin.3=127.0.0.1:4003",
            "server.4=127.0.0.1:2004:3004:participant", "admin.4=127.0.0.1:4004"));
        final RunPlan plan = plan("--target", "remote", "--remote-config", cfg.toString(), "--sizes", "3,5",
            "--patterns", "leader-crash", "--policy", "fast");
        assertEquals(List.of("remote n=4 leader-crash " + ElectionPolicy.ZOOKEEPER.name()),
            plan.groups().stream().map(RunPlanTest::describe).toList());
        assertEquals(List.of(4), plan.sizesFor(TargetKind.REMOTE));
    }

    /** Our nodes on hosts are polled, never timed by events stamped on each host's own clock. */
    @Test
    void hostsCellsArePolledAtTheInventorysSize(@TempDir final Path dir) throws Exception {
        final Path inv = Files.write(dir.resolve("hosts.cfg"), List.of("runs = electionbench", "dir = /var/tmp/eb",
            "server.1 = 127.0.0.1", "server.2 = 127.0.0.2", "server.3 = 127.0.0.3"));
        final RunPlan plan = plan("--target", "hosts", "--hosts", inv.toString(), "--sizes", "5",
            "--patterns", "one-way-leader", "--observe", "events");
        assertEquals(List.of("hosts n=3 one-way-leader fast observe=poll"),
            plan.groups().stream().map(RunPlanTest::describe).toList());
    }

    @Test
    void aPlanHoldsTheOptionsChecked() throws Exception {
        final RunPlan plan = plan("--target", "process", "--patterns", "all", "--write-rate", "50", "--clients", "2",
            "--preload", "0,10", "--fsync", "never");
        assertEquals(List.of(Pattern.values()), plan.patterns());
        assertEquals(List.of(0L, 10L), plan.load().preloads());
        assertEquals(2, plan.load().clients().sessions());
        assertEquals(List.of(ElectionPolicy.FAST), plan.policies());
        assertEquals("never", plan.fsyncByTarget().get("process"));
        assertEquals(2 * 2 * Pattern.values().length, plan.cellCount(), "sizes 3,5 x preloads x patterns");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> plan("--target", "process", "--observe", "sometimes"));
        assertEquals("--observe 'sometimes' is not events or poll", ex.getMessage());
    }
}
