package io.electionbench.results;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs the git command line. Every failure (git absent, not a repository, unknown revision,
 * timeout) is an empty result: callers decide what that means.
 */
final class Git {
    private static final long TIMEOUT_SECONDS = 30;

    private Git() {
    }

    /**
     * @param dir  working directory.
     * @param args git arguments.
     * @return trimmed standard output when git exits 0.
     */
    static Optional<String> run(final Path dir, final String... args) {
        final List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        try {
            final Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            process.getOutputStream().close();
            final String out;
            try (InputStream in = process.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
            return process.exitValue() == 0 ? Optional.of(out.trim()) : Optional.empty();
        } catch (final IOException ex) {
            return Optional.empty();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
