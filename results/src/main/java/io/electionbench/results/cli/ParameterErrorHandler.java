package io.electionbench.results.cli;

import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;

/**
 * Reports a command-line parse error (unknown option, bad value, missing argument) as the one
 * line every electionbench command uses for bad input, {@code electionbench <command>: <problem>},
 * and exits 2. Installed on the root command line, it serves every subcommand.
 */
public final class ParameterErrorHandler implements IParameterExceptionHandler {
    /** Exit code of a parse error: bad input, as for {@code compare}. */
    public static final int EXIT_BAD_INPUT = CompareCommand.EXIT_BAD_INPUT;

    @Override
    public int handleParseException(final ParameterException ex, final String[] args) {
        final CommandLine cmd = ex.getCommandLine();
        final String problem = String.valueOf(ex.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + problem);
        cmd.getErr().flush();
        return EXIT_BAD_INPUT;
    }
}
