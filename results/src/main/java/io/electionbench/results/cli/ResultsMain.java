package io.electionbench.results.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Stand-alone entry point with the same subcommands as {@code electionbench}, for scripts and
 * tests of this module that must not depend on the loadgen jar.
 */
@Command(name = "electionbench", mixinStandardHelpOptions = true, description = "electionbench results tools.")
public final class ResultsMain {
    /**
     * @param args {@code compare ...}, {@code report ...}, {@code import-jmh ...} or {@code continuous ...}.
     */
    public static void main(final String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** @return a command line with every results command registered and one-line parse errors. */
    public static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(new ResultsMain());
        ResultsCommands.all().forEach(cl::addSubcommand);
        cl.setParameterExceptionHandler(new ParameterErrorHandler());
        return cl;
    }
}
