package io.electionbench.results;

import java.nio.file.Path;

/**
 * A run file that is missing, unreadable, not JSON, of another schema version or lacking a
 * required field. The message is {@code "<file>: <problem>"}.
 */
public final class RunFileException extends ResultsException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /**
     * @param file    the offending file.
     * @param problem what is wrong, naming the JSON path where it helps.
     */
    public RunFileException(final Path file, final String problem) {
        this(file, problem, null);
    }

    /**
     * @param file    the offending file.
     * @param problem what is wrong, naming the JSON path where it helps.
     * @param cause   the underlying failure, or null.
     */
    public RunFileException(final Path file, final String problem, final Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /**
     * @return the offending file.
     */
    public Path file() {
        return file;
    }

    /**
     * @return what is wrong, without the file name.
     */
    public String problem() {
        return problem;
    }
}
