package io.electionbench.loadgen;

import io.electionbench.loadgen.run.Pattern;
import io.electionbench.results.cli.ParameterErrorHandler;
import io.electionbench.results.cli.ResultsCommands;
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
        RunCommand.class,
        SoakCommand.class,
        ScenarioCommand.class,
        SimulateCommand.class,
        SyncBenchCommand.class,
        NodeCommand.class,
        JmhCommand.class,
        HostsCommand.class,
    })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(final String[] args) {
        if (args.length > 0 && "node".equals(args[0])) {
            // A node is restarted in every follower-crash trial: it starts without building (and class-loading)
            // every other command, with the same error handling.
            final CommandLine node = new CommandLine(new NodeCommand()).setCommandName("electionbench node");
            node.setParameterExceptionHandler(new ParameterErrorHandler());
            System.exit(node.execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
        }
        System.exit(newCommandLine().execute(args));
    }

    /** Builds the command line with every subcommand and the project's error handling. */
    public static CommandLine newCommandLine() {
        final CommandLine cli = new CommandLine(new Main());
        ResultsCommands.all().forEach(cli::addSubcommand);
        final CommandLine run = cli.getSubcommands().get("run");
        final CommandLine.Model.UsageMessageSpec usage = run.getCommandSpec().usageMessage();
        usage.description(appendPatterns(usage.description()));
        cli.setParameterExceptionHandler(new ParameterErrorHandler());
        // Paragraphs are wrapped to the terminal (80 columns off one), not by hand.
        cli.setUsageHelpAutoWidth(true);
        cli.setUsageHelpLongOptionsMaxWidth(30);
        // JMH's arguments (-f 1, -h, a regexp) are unknown to picocli: the first one ends parsing, and it
        // and every argument after it go to JmhCommand.jmhArgs unchanged.
        cli.getSubcommands().get("jmh").setStopAtUnmatched(true);
        return cli;
    }

    private static String[] appendPatterns(final String[] description) {
        final String[] lines = Pattern.help().split("\n");
        final String[] out = java.util.Arrays.copyOf(description, description.length + lines.length);
        System.arraycopy(lines, 0, out, description.length, lines.length);
        return out;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Main.class.getPackage().getImplementationVersion();
            final String built = io.electionbench.results.GitInfo.build()
                .map(g -> "commit " + g.commit() + (g.isDirty() ? " (dirty tree)" : "") + ", branch " + g.branch())
                .orElse("commit unknown (not built by Maven from a git repository)");
            final String version = v != null ? v : io.electionbench.results.GitInfo.buildVersion().orElse("dev");
            return new String[] {"electionbench " + version + ", " + built};
        }
    }
}
