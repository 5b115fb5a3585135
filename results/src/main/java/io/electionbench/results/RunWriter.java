package io.electionbench.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * Writes one run file incrementally: {@link #create} writes the envelope with no cells, and every
 * {@link #addCell} rewrites the whole file atomically (temp file, fsync, ATOMIC_MOVE), so a run
 * that is interrupted keeps every cell it finished and a reader never sees a half-written file.
 *
 * <p>The file is {@code <root>/results/runs/<commit>/<yyyyMMdd'T'HHmmss'Z'>-<kind>.json}, with
 * {@code -2}, {@code -3}, ... before {@code .json} when that name is taken. Thread-safe: cells
 * finished by several threads are appended in the order {@code addCell} is called.
 */
public final class RunWriter {
    /** File-name timestamp: sortable and free of ':' so the name is valid on every file system. */
    static final DateTimeFormatter FILE_TIME =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path file;
    private RunResult run;

    private RunWriter(final Path file, final RunResult run) {
        this.file = file;
        this.run = run;
    }

    /**
     * Claims a new file in the store under {@code root} and writes the run (usually with no cells yet).
     *
     * @param root repository root holding results/runs/.
     * @param run  the envelope and any cells already finished.
     * @return the writer.
     * @throws IOException when the file cannot be created or written.
     */
    public static RunWriter create(final Path root, final RunResult run) throws IOException {
        final Path dir = RunStore.runsDir(root).resolve(run.commit());
        Files.createDirectories(dir);
        final String stem = fileStem(run.started(), run.kind());
        for (int attempt = 1; ; attempt++) {
            final Path candidate = dir.resolve(stem + (attempt == 1 ? "" : "-" + attempt) + ".json");
            try {
                Files.createFile(candidate);
            } catch (final FileAlreadyExistsException ex) {
                continue;
            }
            final RunWriter writer = new RunWriter(candidate, run);
            writeAtomically(candidate, run);
            return writer;
        }
    }

    /**
     * @param started when the run started.
     * @param kind    its kind.
     * @return the name {@link #create} tries first, without {@code .json}: {@code 20250401T080000Z-jmh}.
     */
    public static String fileStem(final Instant started, final Kind kind) {
        return FILE_TIME.format(started) + "-" + kind.json();
    }

    /**
     * Appends a finished cell and rewrites the file.
     *
     * @param cell the cell.
     * @throws IOException when the file cannot be rewritten; the previous content is then intact.
     */
    public synchronized void addCell(final Cell cell) throws IOException {
        final RunResult next = run.withCell(Objects.requireNonNull(cell, "cell"));
        writeAtomically(file, next);
        run = next;
    }

    /** @return the run as last written. */
    public synchronized RunResult current() {
        return run;
    }

    /** @return the run file. */
    public Path file() {
        return file;
    }

    /**
     * Replaces {@code file} with the run's JSON so that readers see either the old or the new
     * content: write a sibling temp file (hidden, not *.json, so the store never reads it), force
     * it to disk, then rename over the target.
     *
     * @param file target file.
     * @param run  the run.
     * @throws IOException when writing or renaming fails; the temp file is removed.
     */
    public static void writeAtomically(final Path file, final RunResult run) throws IOException {
        final Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.write(tmp, RunCodec.write(run).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (final AtomicMoveNotSupportedException ex) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
