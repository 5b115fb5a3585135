package io.electionbench.results.cli;

import java.util.List;

/**
 * The commands this module contributes to {@code electionbench}. The loadgen's main registers
 * them with {@code ResultsCommands.all().forEach(commandLine::addSubcommand)}; each is annotated
 * with its name and returns its exit code from {@code call()}.
 */
public final class ResultsCommands {
    private ResultsCommands() {
    }

    /**
     * @return new instances of compare, report, import-jmh and continuous, in that order.
     */
    public static List<Object> all() {
        return List.of(new CompareCommand(), new ReportCommand(), new ImportJmhCommand(), new ContinuousCommand());
    }
}
