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
        String problem = String.valueOf(ex.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !cmd.getSubcommands().isEmpty()
            && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            // A word where a command belongs: name the commands there are (picocli only says "unmatched").
            problem = "unknown command '" + unmatched.getUnmatched().get(0) + "'; the commands are "
                + String.join(", ", cmd.getSubcommands().keySet()) + " (--help says what each does)";
        }
        cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + problem);
        cmd.getErr().flush();
        return EXIT_BAD_INPUT;
    }
}
