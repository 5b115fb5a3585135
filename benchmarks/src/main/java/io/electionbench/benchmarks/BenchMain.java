package io.electionbench.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.Main;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.ProfilersFailedException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

import io.electionbench.results.GitInfo;
import io.electionbench.results.HostInfo;
import io.electionbench.results.JmhImport;
import io.electionbench.results.Kind;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;

/**
 * The benchmarks jar's main class: JMH's own command line, and every run is stored.
 *
 * <p>Takes exactly JMH's arguments ({@link CommandLineOptions}); {@code -h}, {@code -l}, {@code -lp},
 * {@code -lprof}, {@code -lrf} and bad arguments behave as in {@code org.openjdk.jmh.Main}. A run
 * has JMH write its JSON results straight into the store, beside the run file to come
 * ({@code results/runs/<commit>/<stem>.jmh-result.json}, so the path JMH prints is where the file
 * stays), or, when the user gave {@code -rf}/{@code -rff}, JMH writes what they asked for and the
 * JSON beside the run is a copy of theirs or rendered from the returned results. That JSON is
 * wrapped with the results module's {@link JmhImport} into a run of kind "jmh" for the current
 * commit and host and stored under {@code results/runs/<commit>/} in the git working tree the
 * command runs in (or the working directory outside git). Both files are printed.
 *
 * <p>Forked JVMs need {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} for Agrona; the
 * benchmarks ask for it in {@code @Fork(jvmArgsAppend)}, and a {@code -jvmArgsAppend} given on the
 * command line, which replaces the annotation's, gets it added.
 */
public final class BenchMain {
    /** Exit status when benchmarks fail, options are bad, or the run cannot be stored. */
    static final int EXIT_FAILURE = 1;

    private BenchMain() {
    }

    public static void main(final String[] args) throws IOException {
        final int status = run(args, RunStore.defaultRoot(), System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs JMH with {@code args} and stores the results under {@code root}.
     *
     * @return the process exit status
     */
    /** Exit status of a bad JMH option: bad input, as for every other command. */
    static final int EXIT_BAD_INPUT = 2;

    static int run(final String[] args, final Path root, final PrintStream out, final PrintStream err)
        throws IOException {
        final CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (final CommandLineOptionException ex) {
            // One line and exit 2, as every electionbench command answers a bad flag.
            err.println("electionbench jmh: " + ex.getMessage().strip() + " (jmh -h lists JMH's options)");
            return EXIT_BAD_INPUT;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
            || cmd.shouldListResultFormats()) {
            Main.main(args);
            return 0;
        }
        final boolean isUserResult = cmd.getResult().hasValue() || cmd.getResultFormat().hasValue();
        final Instant started = Instant.now();
        // The commit the jar was built from (else the tree as it is when the benchmarks start); edits
        // made while a long run goes on must not mark it dirty (a load test does the same).
        final GitInfo git = GitInfo.ofRun(root);
        final Path runDir = RunStore.runsDir(root).resolve(git.commit());
        final boolean isNewDir = !Files.isDirectory(runDir);
        Files.createDirectories(runDir);
        final Path kept = runDir.resolve(RunWriter.fileStem(started, Kind.JMH) + RunStore.JMH_RESULT_SUFFIX);
        boolean hasResults = false;
        try {
            final Collection<RunResult> results = runJmh(options(cmd, isUserResult ? null : kept), cmd, err);
            if (results == null) {
                return EXIT_FAILURE;
            }
            if (results.isEmpty()) {
                err.println("electionbench: no benchmark produced a result; nothing stored");
                return EXIT_FAILURE;
            }
            hasResults = true;
            return store(jsonResults(cmd, isUserResult, kept, results), kept, root, git, started, out, err);
        } finally {
            if (!hasResults) {
                Files.deleteIfExists(kept);
                if (isNewDir) {
                    deleteIfEmpty(runDir);
                }
            }
        }
    }

    private static void deleteIfEmpty(final Path dir) throws IOException {
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(dir);
            }
        }
    }

    /** The user's options, with JSON results into {@code jsonFile} when not null and the Agrona export ensured. */
    private static Options options(final CommandLineOptions cmd, final Path jsonFile) {
        final ChainedOptionsBuilder builder = new OptionsBuilder().parent(cmd);
        if (jsonFile != null) {
            builder.resultFormat(ResultFormatType.JSON).result(jsonFile.toString());
        }
        if (cmd.getJvmArgsAppend().hasValue()) {
            final List<String> append = new ArrayList<>(cmd.getJvmArgsAppend().get());
            if (!String.join(" ", append).contains(ForkJvm.JDK_INTERNAL_MISC)) {
                append.add(ForkJvm.ADD_EXPORTS);
                append.add(ForkJvm.JDK_INTERNAL_MISC);
            }
            builder.jvmArgsAppend(append.toArray(new String[0]));
        }
        return builder.build();
    }

    /** Runs JMH, reporting failures as {@code org.openjdk.jmh.Main} does; null when it failed. */
    private static Collection<RunResult> runJmh(final Options options, final CommandLineOptions cmd,
        final PrintStream err) {
        final Runner runner = new Runner(options);
        try {
            return runner.run();
        } catch (final NoBenchmarksException ex) {
            err.println("No matching benchmarks. Miss-spelled regexp?");
            if (cmd.verbosity().orElse(Defaults.VERBOSITY) != VerboseMode.EXTRA) {
                err.println("Use " + VerboseMode.EXTRA + " verbose mode to debug the pattern matching.");
            } else {
                runner.list();
            }
        } catch (final ProfilersFailedException ex) {
            err.println(ex.getMessage());
            for (final Throwable suppressed : ex.getSuppressed()) {
                err.println(suppressed.getMessage());
            }
        } catch (final RunnerException ex) {
            err.print("ERROR: ");
            ex.printStackTrace(err);
        }
        return null;
    }

    /** The JSON results file: the one JMH wrote into the store, the user's when they asked for JSON, or rendered. */
    private static Path jsonResults(final CommandLineOptions cmd, final boolean isUserResult, final Path kept,
        final Collection<RunResult> results) {
        if (!isUserResult) {
            return kept;
        }
        final ResultFormatType format = cmd.getResultFormat().orElse(Defaults.RESULT_FORMAT);
        if (format == ResultFormatType.JSON) {
            return Path.of(cmd.getResult()
                .orElse(Defaults.RESULT_FILE_PREFIX + "." + format.toString().toLowerCase(Locale.ROOT)));
        }
        ResultFormatFactory.getInstance(ResultFormatType.JSON, kept.toString()).writeOut(results);
        return kept;
    }

    /**
     * Stores the run and leaves JMH's JSON beside it as {@code <run stem>.jmh-result.json}: moved
     * there when the run file had to take another name than planned (two runs in one second), copied
     * when it is the user's own file.
     */
    private static int store(final Path json, final Path kept, final Path root, final GitInfo git,
        final Instant started, final PrintStream out, final PrintStream err) {
        try {
            final io.electionbench.results.RunResult run = JmhImport.read(json, git, HostInfo.detect(), started);
            final RunWriter writer = RunWriter.create(root, run);
            final Path beside = RunStore.jmhResultFile(writer.file());
            if (json.equals(kept)) {
                if (!kept.equals(beside)) {
                    Files.move(kept, beside, StandardCopyOption.REPLACE_EXISTING);
                }
            } else {
                Files.copy(json, beside, StandardCopyOption.REPLACE_EXISTING);
            }
            out.println("electionbench: stored " + writer.file() + " (" + run.cells().size() + " cells);"
                + " JMH's own JSON: " + beside);
            return 0;
        } catch (final ResultsException ex) {
            err.println("electionbench: results not stored: " + ex.getMessage() + "; JMH's JSON is at " + json);
        } catch (final IOException ex) {
            err.println("electionbench: results not stored: cannot write under " + RunStore.runsDir(root) + ": "
                + ex.getMessage() + "; JMH's JSON is at " + json);
        }
        return EXIT_FAILURE;
    }
}
