package io.electionbench.results.continuous;

import io.electionbench.results.ResultsException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds a worktree with Maven and finds its load-generator jar. */
public final class LoadgenBuild {
    /** Where the loadgen module's shade plugin writes the runnable jar, relative to the worktree. */
    public static final String JAR = "loadgen/target/electionbench.jar";

    private LoadgenBuild() {
    }

    /**
     * Runs {@code mvn -B -q -DskipTests package} (with {@code -o} when offline) in the worktree.
     *
     * @param worktree  checkout of the commit.
     * @param commit    the commit, for messages.
     * @param isOffline pass {@code -o} to Maven.
     * @param log       file receiving Maven's output.
     * @return the built jar.
     * @throws ResultsException when the build fails or produces no jar; the message names the
     *         commit and the log.
     * @throws IOException when Maven cannot be started.
     * @throws InterruptedException when interrupted; Maven is then killed.
     */
    public static Path build(final Path worktree, final String commit, final boolean isOffline, final Path log)
        throws IOException, InterruptedException {
        final List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "-DskipTests"));
        if (isOffline) {
            command.add("-o");
        }
        command.add("package");
        final int exit = Processes.logged(worktree, command, log);
        if (exit != 0) {
            throw new ResultsException("build of commit " + commit + " failed (" + String.join(" ", command)
                + " exited " + exit + "); log: " + log);
        }
        final Path jar = worktree.resolve(JAR);
        if (!Files.isRegularFile(jar)) {
            throw new ResultsException("build of commit " + commit + " produced no " + JAR + "; log: " + log);
        }
        return jar;
    }
}
