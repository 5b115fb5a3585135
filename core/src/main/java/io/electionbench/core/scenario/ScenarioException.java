package io.electionbench.core.scenario;

/**
 * A malformed scenario: the message reads {@code FILE:LINE: what is wrong} ({@code FILE: ...} for the file as a
 * whole, line 0).
 */
public final class ScenarioException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;

    public ScenarioException(final String file, final int line, final String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
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
