package io.electionbench.results;

/**
 * A problem with user input to the results tools: an argument that names no run, an ambiguous
 * commit prefix, runs that cannot be compared. The message is one line meant for the user.
 */
public class ResultsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message one line naming the argument or file and what is wrong.
     */
    public ResultsException(final String message) {
        super(message);
    }

    /**
     * @param message one line naming the argument or file and what is wrong.
     * @param cause   the underlying failure.
     */
    public ResultsException(final String message, final Throwable cause) {
        super(message, cause);
    }
}
