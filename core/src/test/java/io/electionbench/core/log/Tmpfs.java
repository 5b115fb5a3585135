package io.electionbench.core.log;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * A small tmpfs mounted on a test directory, so writes to it fail with ENOSPC as on a full disk (the
 * transport module's full-disk ensemble tests use it too, through core's test jar). Needs
 * root ({@code mount -t tmpfs}). Where it cannot be mounted the test is skipped with the reason, unless
 * {@value #REQUIRE_ENV} is {@code 1} (CI sets it in {@code .ci/run}): then it fails, so CI never skips it.
 * {@link #close()} unmounts (lazily when busy); call it in {@code finally} or {@code @AfterEach}.
 */
public final class Tmpfs implements AutoCloseable {
    /** Environment variable (or system property) that turns "cannot mount" into a failure. */
    public static final String REQUIRE_ENV = "ELECTIONBENCH_REQUIRE_TMPFS";
    private static final long COMMAND_TIMEOUT_MS = 10_000;

    private final Path dir;
    private boolean isMounted;

    private Tmpfs(final Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code size} ({@code 2m}: mount's syntax) on {@code dir}, creating it; skips or fails. */
    public static Tmpfs mount(final Path dir, final String size) throws IOException {
        Files.createDirectories(dir);
        final Tmpfs tmpfs = new Tmpfs(dir);
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        if (failure != null) {
            final String reason = "cannot mount a " + size + " tmpfs on " + dir + " (needs root and mount(8)): "
                + failure;
            if ("1".equals(System.getenv(REQUIRE_ENV)) || "1".equals(System.getProperty(REQUIRE_ENV))) {
                fail(reason + "; " + REQUIRE_ENV + "=1 forbids skipping this test");
            }
            Assumptions.abort(reason);
        }
        tmpfs.isMounted = true;
        return tmpfs;
    }

    /** Resizes the mounted tmpfs (the disk "gets space back"). */
    public void resize(final String size) throws IOException {
        final String failure = run("mount", "-o", "remount,size=" + size, dir.toString());
        if (failure != null) {
            throw new IOException("cannot resize the tmpfs on " + dir + " to " + size + ": " + failure);
        }
    }

    public Path dir() {
        return dir;
    }

    /** Unmounts; if the mount is still busy (a file left open), detaches it lazily so nothing stays mounted. */
    @Override
    public void close() throws IOException {
        if (!isMounted) {
            return;
        }
        final String failure = run("umount", dir.toString());
        if (failure != null) {
            final String lazy = run("umount", "-l", dir.toString());
            if (lazy != null) {
                throw new IOException("cannot unmount the tmpfs on " + dir + ": " + failure + "; umount -l: " + lazy);
            }
        }
        isMounted = false;
    }

    /**
     * Runs a command with a deadline; null on success, else what went wrong (exit code and output). An
     * interrupt ends the wait (the command is killed) and is kept for the caller.
     */
    private static String run(final String... command) {
        final Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (final IOException ex) {
            return ex.toString();
        }
        try {
            if (!process.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_MS + " ms";
            }
        } catch (final InterruptedException ex) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            return String.join(" ", command) + " was interrupted";
        }
        if (process.exitValue() == 0) {
            return null;
        }
        final List<String> out = new ArrayList<>();
        try {
            out.add(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (final IOException ex) {
            out.add(ex.toString());
        }
        return String.join(" ", command) + " exited with " + process.exitValue() + ": " + String.join(" ", out);
    }
}
