package io.electionbench.results.cli;

import java.nio.file.Path;

import io.electionbench.results.RunStore;
import picocli.CommandLine.Option;

/** The {@code --root} option every results command takes (a picocli mixin). */
public final class RootOption {
    @Option(names = "--root", paramLabel = "DIR",
        description = "Repository root holding results/runs (default: git top-level).")
    private Path root;

    /** The given root, absolute and normalized, or the git top level of the working directory. */
    Path repo() {
        return root != null ? root.toAbsolutePath().normalize() : RunStore.defaultRoot();
    }
}
