package io.electionbench.results.continuous;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs external commands (git, mvn, java) for continuous runs. */
final class Processes {
    private Processes() {
    }

    /**
     * The exit status and output of a finished command.
     *
     * @param exit   exit status.
     * @param output standard output and error interleaved, trimmed.
     */
    record Result(int exit, String output) {
    }

    /**
     * Runs a short command and captures its output (git plumbing).
     *
     * @param dir     working directory.
     * @param command the command.
     * @return exit status and output.
     * @throws IOException when the command cannot be started.
     * @throws InterruptedException when interrupted; the command is then killed.
     */
    static Result capture(final Path dir, final List<String> command) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        final String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        return new Result(waitFor(p), out);
    }

    /**
     * Runs a long command with its output appended to a log file (a build, a benchmark round).
     *
     * @param dir     working directory.
     * @param command the command.
     * @param log     file receiving standard output and error.
     * @return the exit status.
     * @throws IOException when the command cannot be started.
     * @throws InterruptedException when interrupted; the command and its children are then killed.
     */
    static int logged(final Path dir, final List<String> command, final Path log)
        throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
        return waitFor(p);
    }

    private static int waitFor(final Process p) throws InterruptedException {
        try {
            return p.waitFor();
        } catch (final InterruptedException ex) {
            // A build or benchmark left running would compete with whatever the user runs next.
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw ex;
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
