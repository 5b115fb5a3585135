package io.electionbench.loadgen;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import io.electionbench.results.GitInfo;
import io.electionbench.results.HostInfo;
import io.electionbench.results.Kind;
import io.electionbench.results.RunResult;
import io.electionbench.results.RunStore;
import io.electionbench.results.RunWriter;
import picocli.CommandLine.Option;

/**
 * Where a measuring command stores its run (a picocli mixin): {@code --out} and {@code --no-store},
 * and the run file's envelope (commit, machine, start time, config).
 */
final class StoreOptions {
    @Option(names = {"--root", "--out"}, paramLabel = "DIR", description = "Results root, as --root of the results"
        + " commands: runs go to DIR/results/runs/<commit>/ (default: the git top level). --out is its older name,"
        + " which continuous passes to builds of older commits.")
    private Path out;

    @Option(names = "--no-store", description = "Do not write a run file.")
    private boolean isNoStore;

    /** The results root: {@code --root} (or {@code --out}), absolute, or the git top level of the working directory. */
    Path root() {
        return out != null ? out.toAbsolutePath() : RunStore.defaultRoot();
    }

    /** A writer for a new load-generator run with this config, or null under {@code --no-store}. */
    RunWriter open(final Map<String, Object> config) throws IOException {
        if (isNoStore) {
            return null;
        }
        final Path root = root();
        return RunWriter.create(root, RunResult.builder(Kind.LOADGEN).git(GitInfo.ofRun(root))
            .host(HostInfo.detect()).started(Instant.now()).config(config).build());
    }
}
