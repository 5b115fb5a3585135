package io.electionbench.loadgen.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A small tmpfs this process mounts itself ({@code mount -t tmpfs -o size=N tmpfs DIR}, so it needs
 * root), to give one node a disk that can be filled on purpose: {@link #fill} writes a filler file
 * until the kernel answers ENOSPC, so every later write that needs a new page fails as on a full
 * disk, and {@link #free} deletes it again. {@link #close} unmounts, also from a shutdown hook while
 * another thread still uses the mount (idempotent, thread-safe).
 */
public final class Tmpfs implements AutoCloseable {
    /** The filler's name, at the top of the mount. */
    public static final String FILLER = "electionbench-filler";
    private static final long COMMAND_TIMEOUT_MS = 10_000;
    private static final long UNMOUNT_RETRY_MS = 5_000;
    private static final int BIG_CHUNK = 1 << 20;
    private static final int SMALL_CHUNK = 4096;

    private final Path dir;
    private final long sizeBytes;
    private final AtomicBoolean isClosed = new AtomicBoolean();

    private Tmpfs(final Path dir, final long sizeBytes) {
        this.dir = dir;
        this.sizeBytes = sizeBytes;
    }

    /** True when this process runs as root (uid 0), the precondition of {@link #mount}. */
    public static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex) {
            return false;
        }
    }

    /**
     * Creates {@code dir} and mounts a tmpfs of {@code sizeBytes} on it.
     *
     * @throws IOException with mount's own one-line reason when the mount fails
     */
    public static Tmpfs mount(final Path dir, final long sizeBytes) throws IOException {
        Files.createDirectories(dir);
        final String out = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, "tmpfs", dir.toString()));
        if (out != null) {
            throw new IOException("mount -t tmpfs -o size=" + sizeBytes + " tmpfs " + dir + " failed: " + out);
        }
        return new Tmpfs(dir, sizeBytes);
    }

    public Path dir() {
        return dir;
    }

    /**
     * Writes the filler until the disk is full: 1 MiB chunks, then 4 KiB ones, each until ENOSPC.
     *
     * @return the filler's size in bytes
     * @throws IOException on any other failure, or when the disk took more than its size
     */
    public long fill() throws IOException {
        long written = 0;
        try (FileChannel ch = FileChannel.open(dir.resolve(FILLER), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
            for (final int chunk : new int[] {BIG_CHUNK, SMALL_CHUNK}) {
                final ByteBuffer zeros = ByteBuffer.allocateDirect(chunk);
                while (true) {
                    if (written > sizeBytes + BIG_CHUNK) {
                        throw new IOException(dir + " took " + written + " bytes of filler without filling up");
                    }
                    zeros.clear();
                    try {
                        written += ch.write(zeros);
                    } catch (final IOException ex) {
                        if (!isNoSpace(ex)) {
                            throw ex;
                        }
                        break;
                    }
                }
            }
        }
        return written;
    }

    /** Deletes the filler, so the disk has room again. */
    public void free() throws IOException {
        Files.deleteIfExists(dir.resolve(FILLER));
    }

    /** Whether {@link #dir} is still a mount point of this machine ({@code /proc/self/mounts}). */
    public boolean isMounted() throws IOException {
        return isMountPoint(dir);
    }

    /** Whether {@code dir} is a mount point ({@code /proc/self/mounts}). */
    public static boolean isMountPoint(final Path dir) throws IOException {
        final String wanted = dir.toAbsolutePath().normalize().toString();
        for (final String line : Files.readAllLines(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8)) {
            final String[] fields = line.split(" ");
            if (fields.length > 1 && fields[1].replace("\\040", " ").equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Unmounts, retrying for a few seconds while the mount is busy (a node just killed may hold files
     * until the kernel reaped it), then detaches it lazily; removes the mount point. Reports a failure
     * on stderr once.
     */
    @Override
    public void close() {
        if (!isClosed.compareAndSet(false, true)) {
            return;
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(UNMOUNT_RETRY_MS);
        String why = run(List.of("umount", dir.toString()));
        while (why != null && System.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            why = run(List.of("umount", dir.toString()));
        }
        if (why != null) {
            final String lazy = run(List.of("umount", "-l", dir.toString()));
            if (lazy != null) {
                System.err.println("electionbench: could not unmount the tmpfs at " + dir + ": " + why + "; umount -l: "
                    + lazy);
                return;
            }
        }
        try {
            Files.deleteIfExists(dir);
        } catch (final IOException ignored) {
            // The mount point is an empty directory in a scratch tree that is deleted later anyway.
        }
    }

    private static boolean isNoSpace(final IOException ex) {
        return ex.getMessage() != null && ex.getMessage().contains("No space left");
    }

    /** Runs a command; null when it exited 0, else its output (one line) or why it could not run. */
    private static String run(final List<String> command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(COMMAND_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT_MS + " ms";
            }
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                .replaceAll("\\s*\\R\\s*", "; ");
            return p.exitValue() == 0 ? null : (out.isEmpty() ? "exit status " + p.exitValue() : out);
        } catch (final IOException ex) {
            return ex.getMessage();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
