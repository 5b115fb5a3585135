package io.electionbench.core.scenario;

/** A malformed scenario: the message reads {@code FILE:LINE: what is wrong}. */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public ScenarioException(final String file, final int line, final String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
