package io.electionbench.loadgen;

import io.electionbench.results.cli.ResultsCommands;
import io.electionbench.transport.node.NodeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code electionbench} command line. */
@Command(
    name = "electionbench",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Measures and load-tests leader election in ZooKeeper-style ensembles.",
    subcommands = {
        CommandLine.HelpCommand.class,
        ScenarioCommand.class,
        SimulateCommand.class,
        NodeCommand.class,
    })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** Builds the command line with every subcommand and the project's error handling. */
    public static CommandLine newCommandLine() {
        final CommandLine cli = new CommandLine(new Main());
        ResultsCommands.all().forEach(cli::addSubcommand);
        cli.setParameterExceptionHandler(Main::onBadArguments);
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    private static int onBadArguments(final CommandLine.ParameterException ex, final String[] args) {
        final CommandLine cmd = ex.getCommandLine();
        cmd.getErr().println("electionbench: " + ex.getMessage());
        cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        return 2;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"electionbench " + (v == null ? "dev" : v)};
        }
    }
}
