package io.electionbench.results.cli;

import io.electionbench.results.ResultsException;
import io.electionbench.results.RunStore;
import io.electionbench.results.StoredRun;
import io.electionbench.results.report.HtmlReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code electionbench report}: writes one self-contained HTML page (uPlot and the data inlined, no
 * network): a summary of the last two commits, the ZooKeeper controls' drift, CDFs and percentile
 * spectra per cell, metrics against ensemble size, and history across commits with regressions marked.
 * Exit 0 when written, 2 on bad input.
 */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description = {
        "Write a self-contained HTML report of every run in the store.",
        "A summary of the last two commits (primary metrics, regressions beyond the ZooKeeper controls' drift),"
            + " CDF and percentile spectrum per cell, each metric against ensemble size, and each metric's history"
            + " across commits, as interactive plots that open offline."})
public final class ReportCommand implements Callable<Integer> {
    @Option(names = "--out", paramLabel = "FILE", description = "Output file (default: <root>/results/report.html).")
    private Path outFile;

    @Mixin
    private RootOption root;

    @Option(names = "--commit", paramLabel = "REV",
        description = "Commit whose runs the distribution and size plots show (default: the latest stored).")
    private String commit;

    @Mixin
    private ComparisonOptions comparison;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try {
            final double thresholdPct = comparison.thresholdPct();
            final double alpha = comparison.alpha();
            final RunStore store = new RunStore(root.repo());
            final List<StoredRun> runs = store.all();
            if (runs.isEmpty()) {
                throw new ResultsException("no runs under " + store.runsDir());
            }
            final String focus = commit == null ? null : store.resolve(commit).get(0).run().commit();
            final String html = new HtmlReport(runs, store.commitOrder(runs), focus, thresholdPct, alpha).render();
            final Path target = outFile != null ? outFile : store.root().resolve("results").resolve("report.html");
            write(target, html);
            out.println("wrote " + target + " (" + runs.size() + " runs)");
            out.flush();
            return 0;
        } catch (final ResultsException ex) {
            err.println("electionbench report: " + ex.getMessage());
            err.flush();
            return CompareCommand.EXIT_BAD_INPUT;
        }
    }

    private static void write(final Path target, final String html) {
        try {
            final Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(target, html, StandardCharsets.UTF_8);
        } catch (final IOException ex) {
            throw new ResultsException("cannot write " + target + ": " + ex.getMessage(), ex);
        }
    }
}
