package io.electionbench.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.IntervalLog;
import io.electionbench.results.Cell;
import io.electionbench.results.RunWriter;

/**
 * Runs a {@link RunPlan}: each cell on a fresh ensemble through {@link CellRunner}, interleaved ZooKeeper
 * cells round by round, with progress on stderr; hands each finished cell to the {@link RunSummary} and
 * writes it to the run file at once (with its interval logs), so an interrupted run keeps what it measured.
 * The nodes' data and logs are kept in the work directory when a cell was not clean, else removed.
 * docs/loadgen.md describes a run, docs/architecture.md this split.
 */
final class RunExecutor {
    private final RunPlan plan;
    private final RunWriter writer;
    private final RunSummary summary;
    private final Progress progress;
    private final int cells;
    private Path work;
    private long unitsDone;

    /** @param writer the run file, or null with {@code --no-store} */
    RunExecutor(final RunPlan plan, final RunWriter writer) {
        this.plan = plan;
        this.writer = writer;
        this.summary = new RunSummary(plan.isJson(), plan.load().isWriting());
        this.progress = new Progress("run", plan.units(), plan.isJson());
        this.cells = plan.cellCount();
    }

    /**
     * Runs every cell, prints the table (unless JSON) and says where the run file is.
     *
     * @param root the results root the run file's name is shown relative to
     * @return 0 if every cell was clean, 1 if a safety check failed or a trial never recovered
     */
    int run(final Path root) throws Exception {
        work = Files.createTempDirectory("electionbench-run");
        // Node and ZooKeeper processes must not outlive the run, whether it ends, fails or is interrupted.
        Runtime.getRuntime().addShutdownHook(new Thread(
            () -> ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly), "kill-children"));
        boolean isClean = true;
        int cellNo = 0;
        for (final RunPlan.CellGroup g : plan.groups()) {
            isClean &= g.isInterleaved() ? runInterleaved(g, cellNo) : runCell(g, cellNo + 1);
            cellNo += g.variants().size();
        }
        summary.print(plan);
        if (writer != null && !plan.isJson()) {
            System.out.println("stored " + root.relativize(writer.file()));
        }
        if (isClean) {
            FileTrees.deleteQuietly(work);
        } else {
            System.err.println("run: the nodes' data and logs of this run are kept in " + work);
        }
        return isClean ? 0 : 1;
    }

    /** One cell: warm-up and measured trials on one fresh ensemble. */
    private boolean runCell(final RunPlan.CellGroup g, final int cellNo) throws Exception {
        final RunPlan.Variant v = g.variants().get(0);
        final boolean isSim = g.kind().isSimulated();
        final int n = plan.trials().measuredOn(g.kind());
        progress.cell(String.format("[%d/%d] %s n=%d %s %s%s", cellNo, cells, g.kind().cliName(), g.size(),
            g.pattern().flag(), v.label(), g.preload() > 0 ? " preload=" + g.preload() : ""));
        final IntConsumer onTrial = isSim ? t -> { } : progress::inCell;
        final CellRunner.CellOutcome o = cellRunner(g, v, work.resolve("cell-" + cellNo))
            .run(plan.trials().warmup(), n, timeoutNs(), onTrial);
        final boolean isClean = store(g, v, o);
        unitsDone += isSim ? RunPlan.SIM_CELL_UNITS : plan.trials().warmup() + n;
        progress.cellDone(unitsDone, outcome(List.of(o)));
        return isClean;
    }

    /**
     * The cells of one size and pattern on several ZooKeeper releases, measured in rounds: each round runs
     * up to {@link RunPlan#ZOOKEEPER_ROUND_TRIALS} trials of every release in turn, on a fresh ensemble, one
     * at a time. The first round has the full warm-up, every later one a single warm-up trial, since each
     * round starts new server JVMs.
     */
    private boolean runInterleaved(final RunPlan.CellGroup g, final int firstCell) throws Exception {
        final List<RunPlan.Variant> variants = g.variants();
        final List<CellRunner.CellOutcome> outcomes = new ArrayList<>();
        final int[] done = new int[variants.size()];
        final int trials = plan.trials().measured();
        final int warmup = plan.trials().warmup();
        progress.cell(String.format("[%d-%d/%d] zookeeper n=%d %s%s %d cells interleaved", firstCell + 1,
            firstCell + variants.size(), cells, g.size(), g.pattern().flag(),
            g.preload() > 0 ? " preload=" + g.preload() : "", variants.size()));
        long progressed = 0;
        for (int round = 0; round < plan.rounds(); round++) {
            for (int i = 0; i < variants.size(); i++) {
                final int n = Math.min(RunPlan.ZOOKEEPER_ROUND_TRIALS, trials - done[i]);
                final int warm = round == 0 ? warmup : Math.min(warmup, 1);
                final long base = progressed;
                final Path dir = work.resolve("cell-" + (firstCell + i + 1) + "-round-" + (round + 1));
                final CellRunner.CellOutcome o = cellRunner(g, variants.get(i), dir)
                    .run(warm, n, timeoutNs(), t -> progress.inCell(base + t));
                progressed += warm + n;
                done[i] += n;
                outcomes.add(i, round == 0 ? o : outcomes.remove(i).plus(o));
            }
        }
        boolean isClean = true;
        for (int i = 0; i < variants.size(); i++) {
            isClean &= store(g, variants.get(i), outcomes.get(i));
        }
        unitsDone += plan.interleavedUnits(variants.size());
        progress.cellDone(unitsDone, outcome(outcomes));
        return isClean;
    }

    private long timeoutNs() {
        return TimeUnit.SECONDS.toNanos(plan.trials().timeoutS());
    }

    private CellRunner cellRunner(final RunPlan.CellGroup g, final RunPlan.Variant v, final Path dir) {
        final RunPlan.Load load = plan.load();
        return new CellRunner(g.kind(), g.size(), g.pattern(), v.policy(), plan.timing(), plan.seed(),
            plan.jvms().heap(), dir)
            .verbose(plan.isVerbose() ? System.err : null)
            .remoteConfig(plan.remote().config()).hosts(plan.hosts().inventory())
            .writeRate(load.writeRate()).fsync(plan.fsync())
            .settle(TimeUnit.MILLISECONDS.toNanos(plan.trials().settleMs()))
            .zookeeper(v.zookeeper(), v.knobs(), plan.jvms().zookeeperHeap())
            .preload(g.preload(), load.valueBytes()).clients(load.clients())
            .observeByPolling(v.isPolled());
    }

    /** What a finished cell (or group of interleaved cells) did, for its progress line. */
    private static String outcome(final List<CellRunner.CellOutcome> outcomes) {
        int measured = 0;
        int failed = 0;
        for (final CellRunner.CellOutcome o : outcomes) {
            if (o.skipped() != null) {
                return "skipped, " + o.skipped();
            }
            measured += o.samples().size();
            failed += o.failed();
        }
        return measured + " elections measured" + (failed > 0 ? ", " + failed + " failed" : "");
    }

    /** Adds the cell to the table and the run file (with its interval logs); false if it was not clean. */
    private boolean store(final RunPlan.CellGroup g, final RunPlan.Variant v, final CellRunner.CellOutcome o)
        throws Exception {
        final Map<String, String> params = new TreeMap<>();
        if (g.preload() > 0) {
            params.put("preload", Long.toString(g.preload()));
            params.put("value_bytes", Integer.toString(plan.load().valueBytes()));
        }
        if (v.isPolled()) {
            params.put("observe", "poll");
        }
        final Cell cell = summary.add(g.kind(), g.size(), g.pattern(), v.name(), params, o);
        if (writer != null && cell != null) {
            writer.addCell(cell);
            writeIntervalLogs(cell, o);
        }
        return o.violations().isEmpty() && o.failed() == 0;
    }

    /** The cell's HdrHistogram interval logs beside the run file: elections, and writes and clients if any. */
    private void writeIntervalLogs(final Cell cell, final CellRunner.CellOutcome o) throws Exception {
        final String stem = writer.file().getFileName().toString().replace(".json", "");
        final String file = stem + "-" + cell.id().replaceAll("[^A-Za-z0-9.=-]+", "_");
        IntervalLog.write(writer.file().resolveSibling(file + ".hlog"), cell.id(), o.samples());
        if (!o.writes().isEmpty()) {
            IntervalLog.writeLatencies(writer.file().resolveSibling(file + "-write_latency.hlog"), cell.id(),
                o.writes());
        }
        if (!o.clients().isEmpty()) {
            IntervalLog.writeClientLatencies(writer.file().resolveSibling(file + "-client_read_latency.hlog"),
                cell.id(), o.clients(), false);
            IntervalLog.writeClientLatencies(writer.file().resolveSibling(file + "-client_write_latency.hlog"),
                cell.id(), o.clients(), true);
        }
    }
}
