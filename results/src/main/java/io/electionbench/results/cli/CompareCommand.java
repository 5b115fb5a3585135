package io.electionbench.results.cli;

import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.StoredRun;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.compare.ComparisonJson;
import io.electionbench.results.compare.ComparisonText;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code electionbench compare A B}: the regression gate. Exit codes: 0 no regression, 1 at least
 * one significant regression of at least the threshold, 2 bad input (one line on stderr).
 */
@Command(
    name = "compare",
    mixinStandardHelpOptions = true,
    description = {
        "Compare two runs or commits cell by cell, with a regression gate.",
        "A and B are each a run file, a directory of runs, a stored commit prefix or a git revision (HEAD~1);"
            + " several runs of one commit are pooled. Each row: medians with confidence intervals, change,"
            + " Mann-Whitney U p-value, Holm-Bonferroni adjusted over the rows tested. ZooKeeper cells are controls"
            + " whose shift is the machine drift; runs from different machines (CPU, cores, memory) get no verdicts.",
        "Exit 0: no regression; 1: a significant regression of at least the threshold, beyond the drift; 2: bad"
            + " input or different machines."})
public final class CompareCommand implements Callable<Integer> {
    /** Exit code when a row is a regression. */
    public static final int EXIT_REGRESSION = 1;
    /** Exit code for bad input. */
    public static final int EXIT_BAD_INPUT = 2;

    @Parameters(index = "0", paramLabel = "A", description = "Old side.")
    private String oldSpec;

    @Parameters(index = "1", paramLabel = "B", description = "New side.")
    private String newSpec;

    @Mixin
    private ComparisonOptions comparison;

    @Option(names = "--json", description = "Print JSON: {\"rows\": [...], \"geomean\": [...], \"warnings\": [...]}.")
    private boolean isJson;

    @Mixin
    private RootOption root;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try {
            final Comparison.Options options = comparison.options();
            final RunStore store = new RunStore(root.repo());
            final Comparison c =
                Comparison.of("A " + oldSpec, runs(store, oldSpec), "B " + newSpec, runs(store, newSpec), options);
            return print(c, isJson, out, err, "compare");
        } catch (final ResultsException ex) {
            err.println("electionbench compare: " + ex.getMessage());
            err.flush();
            return EXIT_BAD_INPUT;
        }
    }

    /**
     * Prints the comparison and gives the gate's exit code; refused verdicts (different machines)
     * are exit 2 with one line on stderr, since a gate that could not judge must not pass.
     */
    static int print(final Comparison c, final boolean isJson, final PrintWriter out, final PrintWriter err,
        final String command) {
        out.print(isJson ? ComparisonJson.toTree(c).toPrettyString() + "\n" : ComparisonText.render(c));
        out.flush();
        if (c.isRefused()) {
            err.println("electionbench " + command + ": the sides ran on different machines (" + c.hostMismatch()
                + "): no verdicts; --allow-host-mismatch to judge anyway");
            err.flush();
            return EXIT_BAD_INPUT;
        }
        return c.hasRegression() ? EXIT_REGRESSION : 0;
    }

    private static List<RunResult> runs(final RunStore store, final String spec) {
        return store.resolve(spec).stream().map(StoredRun::run).collect(Collectors.toList());
    }
}
