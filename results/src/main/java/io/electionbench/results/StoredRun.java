package io.electionbench.results;

import java.nio.file.Path;

/**
 * A run and the file it was read from.
 *
 * @param file the run file.
 * @param run  its content.
 */
public record StoredRun(Path file, RunResult run) {
}
