package io.electionbench.results.cli;

import io.electionbench.results.GitInfo;
import io.electionbench.results.HostInfo;
import io.electionbench.results.JmhImport;
import io.electionbench.results.ResultsException;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;
import io.electionbench.results.StoredRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code electionbench import-jmh FILE}: stores JMH {@code -rf json} output as a run of kind "jmh"
 * for the current commit and this machine. Exit 0 when stored, 2 on bad input.
 */
@Command(
    name = "import-jmh",
    mixinStandardHelpOptions = true,
    description = {
        "Store a JMH -rf json file as a run of kind jmh.",
        "It goes under results/runs/<commit>/ with the current commit and this machine (the JVM as JMH recorded"
            + " it), and the file is kept beside it. Run it where the benchmarks ran. A file already imported is not"
            + " stored again."})
public final class ImportJmhCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "JMH result file written with -rf json.")
    private Path jmhFile;

    @Mixin
    private RootOption root;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        try {
            final Path repo = root.repo();
            final Instant started =
                Files.isRegularFile(jmhFile) ? Files.getLastModifiedTime(jmhFile).toInstant() : Instant.now();
            final RunResult run = JmhImport.read(jmhFile, GitInfo.detect(repo), HostInfo.detect(), started);
            final Optional<StoredRun> before = JmhImport.findImported(new RunStore(repo).all(), run);
            if (before.isPresent()) {
                out.println("already imported as " + before.get().file() + "; nothing stored");
                out.flush();
                return 0;
            }
            final RunWriter writer = RunWriter.create(repo, run);
            Files.copy(jmhFile, RunStore.jmhResultFile(writer.file()), StandardCopyOption.REPLACE_EXISTING);
            out.println("stored " + writer.file() + " (" + run.cells().size() + " cells; JMH's own JSON beside it as "
                + RunStore.jmhResultFile(writer.file()).getFileName() + ")");
            out.flush();
            return 0;
        } catch (final ResultsException ex) {
            err.println("electionbench import-jmh: " + ex.getMessage());
            err.flush();
            return CompareCommand.EXIT_BAD_INPUT;
        } catch (final IOException ex) {
            err.println("electionbench import-jmh: cannot write the run: " + ex.getMessage());
            err.flush();
            return CompareCommand.EXIT_BAD_INPUT;
        }
    }
}
