package io.electionbench.results.cli;

import io.electionbench.results.ResultsException;
import io.electionbench.results.RunStore;
import io.electionbench.results.StoredRun;
import io.electionbench.results.compare.Comparison;
import io.electionbench.results.continuous.ContinuousRun;
import io.electionbench.results.continuous.Interleaving;
import io.electionbench.results.continuous.LoadgenBuild;
import io.electionbench.results.continuous.LoadgenRoundRunner;
import io.electionbench.results.continuous.Side;
import io.electionbench.results.continuous.Worktrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code electionbench continuous BASE HEAD [run options]}: builds both commits in temporary git
 * worktrees, runs the same {@code electionbench run} on each with their rounds interleaved
 * (A B A B ...) so machine drift cancels, stores one merged run per side and prints the
 * comparison. Exit codes as for compare: 0 no regression, 1 a significant regression, 2 bad
 * input or a build or round that failed (one line on stderr).
 */
@Command(
    name = "continuous",
    mixinStandardHelpOptions = true,
    customSynopsis = "electionbench continuous [-hV] [--json] [--offline] [--rounds=N] [--warmup-rounds=N]"
        + " [--threshold=PCT] [--alpha=A] [--correction=none|holm] [--allow-host-mismatch] [--root=DIR]"
        + " BASE HEAD [run options]",
    description = {
        "Build two commits, run their load tests interleaved A B A B, store and compare them.",
        "BASE and HEAD (git revisions) are built in temporary worktrees; 'electionbench run [run options]' runs on"
            + " each in rounds, and one merged run per commit is stored and compared as compare does. Run options go"
            + " to 'run' unchanged; --trials 1 --warmup 0 --json --out are set by this command, and each side of each"
            + " round gets its own --seed (from --seed S, default 1: A S+2(k-1), B one more).",
        "Exit 0: no regression; 1: a significant regression of at least the threshold; 2: bad input or failure."})
public final class ContinuousCommand implements Callable<Integer> {
    /** Run options this command sets itself for every round; the user may not give them. */
    static final Set<String> OWNED_RUN_OPTIONS = Set.of("--trials", "--warmup", "--out", "--json", "--no-store",
        "--help", "-h", "--version", "-V");

    @Parameters(index = "0", paramLabel = "BASE",
        description = "Old side: a git revision (HEAD~1, a branch, a tag, a sha).")
    private String baseRevision;

    @Parameters(index = "1", paramLabel = "HEAD", description = "New side: a git revision.")
    private String headRevision;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "10",
        description = "Measured rounds; each runs A then B once (default: ${DEFAULT-VALUE}).")
    private int rounds;

    @Option(names = "--warmup-rounds", paramLabel = "N", defaultValue = "1",
        description = "Unmeasured rounds first, interleaved the same way (default: ${DEFAULT-VALUE}).")
    private int warmupRounds;

    @Option(names = "--offline", description = "Build with mvn -o (default: online).")
    private boolean isOffline;

    @Mixin
    private ComparisonOptions comparison;

    @Option(names = "--json", description = "Print the comparison as JSON, as compare --json does.")
    private boolean isJson;

    @Mixin
    private RootOption root;

    @Unmatched
    private List<String> runOptions = new ArrayList<>();

    @Spec
    private CommandSpec spec;

    /** The seed of A's first round: the user's {@code --seed}, taken out of the run options, or 1 as for run. */
    private long seedBase = 1;

    /** Set when a failed run kept its logs, so the error line can be followed by where they are. */
    private Path keptLogs;

    @Override
    public Integer call() {
        final PrintWriter err = spec.commandLine().getErr();
        try {
            validate();
            final Path repo = root.repo();
            final Map<Side, String> revisions = new EnumMap<>(Map.of(Side.BASE, baseRevision, Side.HEAD, headRevision));
            final Map<Side, String> shas = new EnumMap<>(Side.class);
            for (final Side side : Side.values()) {
                shas.put(side, Worktrees.resolve(repo, revisions.get(side)));
            }
            final ContinuousRun run = new ContinuousRun(repo, revisions, shas, rounds, warmupRounds, seedBase,
                runOptions);
            err.printf("each side of each round runs with its own --seed (%d to %d; A odd steps, B even), so the"
                + " simulator's rounds are independent samples%n", seedBase,
                Interleaving.seed(seedBase, rounds + warmupRounds, Side.HEAD));
            final Map<Side, StoredRun> stored = measure(repo, run, shas, err);
            return printComparison(repo, stored);
        } catch (final ResultsException | IOException ex) {
            return fail(err, ex.getMessage());
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return fail(err, "interrupted");
        }
    }

    /** @return the options passed through to {@code run}, as parsed (for tests). */
    List<String> runOptions() {
        return List.copyOf(runOptions);
    }

    private void validate() {
        if (rounds < 1 || warmupRounds < 0) {
            throw new ResultsException("--rounds must be at least 1 and --warmup-rounds at least 0, got " + rounds
                + " and " + warmupRounds);
        }
        comparison.options();
        takeSeed();
        for (final String option : runOptions) {
            final String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            if (OWNED_RUN_OPTIONS.contains(name)) {
                throw new ResultsException(name + " is set by continuous for every round (--trials 1 --warmup 0 --json"
                    + " --out <scratch>); use --rounds and --warmup-rounds");
            }
        }
    }

    /** Removes {@code --seed S} or {@code --seed=S} from the run options into {@link #seedBase}. */
    private void takeSeed() {
        final List<String> rest = new ArrayList<>();
        for (int i = 0; i < runOptions.size(); i++) {
            final String option = runOptions.get(i);
            String value = null;
            if (option.equals("--seed")) {
                if (i + 1 >= runOptions.size()) {
                    throw new ResultsException("--seed needs a value");
                }
                value = runOptions.get(++i);
            } else if (option.startsWith("--seed=")) {
                value = option.substring("--seed=".length());
            } else {
                rest.add(option);
                continue;
            }
            try {
                seedBase = Long.parseLong(value);
            } catch (final NumberFormatException ex) {
                throw new ResultsException("--seed must be an integer, got '" + value + "'");
            }
        }
        runOptions = rest;
    }

    /**
     * Builds both commits in worktrees under a temporary directory and runs the rounds. The
     * worktrees are removed whatever happens (also on Ctrl-C, by a shutdown hook); the temporary
     * directory with the logs is kept when something failed, so the message can point into it.
     */
    private Map<Side, StoredRun> measure(final Path repo, final ContinuousRun run, final Map<Side, String> shas,
        final PrintWriter err) throws IOException, InterruptedException {
        final Path tmp = Files.createTempDirectory("electionbench-continuous-");
        final Path logs = Files.createDirectories(tmp.resolve("logs"));
        final ContinuousProgress progress = new ContinuousProgress(err, rounds, warmupRounds, shas);
        boolean isDone = false;
        final Worktrees worktrees = new Worktrees(repo);
        final Thread hook = new Thread(worktrees::close, "continuous-remove-worktrees");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            final Map<Side, Path> jars = build(worktrees, shas, tmp, logs, progress);
            final LoadgenRoundRunner runner = new LoadgenRoundRunner(jars, runOptions, logs);
            final Map<Side, StoredRun> stored = run.run(runner, progress, tmp.resolve("scratch"));
            runner.warnings().forEach(w -> err.println("warning: " + w));
            run.warnings().forEach(w -> err.println("warning: " + w));
            stored.values().forEach(s -> err.println("stored " + repo.relativize(s.file().toAbsolutePath())));
            err.flush();
            isDone = true;
            return stored;
        } finally {
            worktrees.close();
            removeHook(hook);
            if (isDone) {
                deleteTree(tmp);
            } else {
                keptLogs = logs;
            }
        }
    }

    private Map<Side, Path> build(final Worktrees worktrees, final Map<Side, String> shas, final Path tmp,
        final Path logs, final ContinuousProgress progress) throws IOException, InterruptedException {
        final Map<Side, Path> jars = new EnumMap<>(Side.class);
        for (final Side side : Side.values()) {
            final String sha = shas.get(side);
            final Side same = side == Side.HEAD && sha.equals(shas.get(Side.BASE)) ? Side.BASE : null;
            if (same != null) {
                jars.put(side, jars.get(same)); // A/A comparison: one build serves both sides
                continue;
            }
            final Path log = logs.resolve("build-" + side.label() + "-" + sha.substring(0, 12) + ".log");
            progress.building(side, log);
            final Path dir = worktrees.add(tmp.resolve("worktree-" + side.label()), sha);
            jars.put(side, LoadgenBuild.build(dir, sha, isOffline, log));
            progress.built(side);
        }
        return jars;
    }

    private int printComparison(final Path repo, final Map<Side, StoredRun> stored) {
        final Comparison c = Comparison.of("A " + stored.get(Side.BASE).file(), List.of(stored.get(Side.BASE).run()),
            "B " + stored.get(Side.HEAD).file(), List.of(stored.get(Side.HEAD).run()), comparison.options());
        return CompareCommand.print(c, isJson, spec.commandLine().getOut(), spec.commandLine().getErr(), "continuous");
    }

    private int fail(final PrintWriter err, final String message) {
        err.println("electionbench continuous: " + message);
        if (keptLogs != null) {
            err.println("electionbench continuous: logs kept in " + keptLogs);
        }
        err.flush();
        return CompareCommand.EXIT_BAD_INPUT;
    }

    private static void removeHook(final Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException ex) {
            // Already shutting down: the hook runs (or ran) and close() is idempotent.
        }
    }

    private static void deleteTree(final Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (final IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            });
        } catch (final UncheckedIOException ex) {
            throw ex.getCause();
        }
    }
}
