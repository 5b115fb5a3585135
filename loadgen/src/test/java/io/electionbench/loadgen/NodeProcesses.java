package io.electionbench.loadgen;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;

import picocli.CommandLine;

/**
 * {@code electionbench node} for tests: in this JVM (its exit code and error line) or as a child JVM
 * of {@link NodeCommand} on this classpath (what it prints, its admin endpoint), and condition waits
 * with deadlines, never bare sleeps.
 */
final class NodeProcesses {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private NodeProcesses() {
    }

    /**
     * Runs the command in this JVM with {@code args} and returns its one {@code error:} line, checking
     * the exit code and that nothing else was printed.
     */
    static String errorLine(final int expectedExit, final String... args) {
        final StringWriter err = new StringWriter();
        final int exit = new CommandLine(new NodeCommand()).setErr(new PrintWriter(err)).execute(args);
        assertEquals(expectedExit, exit, err.toString());
        final String[] lines = err.toString().strip().split("\n");
        assertEquals(1, lines.length, err.toString());
        return lines[0];
    }

    /** {@code java [jvmFlags] -cp CLASSPATH NodeCommand args}, stdout and stderr to {@code log}. */
    static Process launch(final Path log, final List<String> jvmFlags, final String... args) throws IOException {
        final List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.addAll(List.of("--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), NodeCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The file's text, or "" while it does not exist. */
    static String read(final Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (final IOException ex) {
            return "";
        }
    }

    /** The body of a GET, or "" when the endpoint does not answer (yet). */
    static String get(final String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        } catch (final IOException ex) {
            return "";
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The value of a top-level JSON field (number, boolean or string without quotes), or null. */
    static String field(final String json, final String name) {
        final Matcher m = java.util.regex.Pattern.compile("\"" + name + "\"\\s*:\\s*\"?([^\",}]*)").matcher(json);
        return m.find() ? m.group(1).trim() : null;
    }

    /** Polls {@code condition} every 10 ms until it holds, failing after {@code timeoutMs}. */
    static void await(final long timeoutMs, final String what, final BooleanSupplier condition) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
