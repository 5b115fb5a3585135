package io.electionbench.transport.node;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electionbench node --config FILE --id N}: runs one ensemble member until SIGTERM/SIGINT
 * (a shutdown hook closes it cleanly) or {@code POST /fault/crash}. Prints one line
 * {@code node N admin http://host:port} on stdout once started. Exit codes: 0 after a clean stop,
 * 2 for a bad config or argument, 1 if the node cannot start (a port in use, a corrupt txn log, a txn log
 * whose index does not fit in the heap, or an unreadable, out-of-range or inconsistent epoch file: one
 * {@code error:} line on stderr naming the file and the value, and nothing changed), 3 if the node halted
 * because the epoch space is exhausted (one ERROR line says so).
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one ensemble member (election and quorum ports, admin endpoint).")
public final class NodeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "zoo.cfg-shaped ensemble config")
    private Path config;

    @Option(names = "--id", required = true, paramLabel = "N", description = "this member's server id")
    private long id;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        final PrintWriter err = spec.commandLine().getErr();
        final NodeConfig parsed;
        try {
            parsed = NodeConfigParser.parse(config);
        } catch (final ConfigException ex) {
            err.println("error: " + ex.getMessage());
            err.flush();
            return 2;
        }
        if (parsed.server(id) == null) {
            err.println("error: " + config + ": no server." + id + " line; --id must name a member");
            err.flush();
            return 2;
        }
        final ElectionNode node = new ElectionNode(parsed, id);
        final CountDownLatch stopped = new CountDownLatch(1);
        try {
            node.start();
        } catch (final Exception ex) {
            err.println("error: " + ex.getMessage());
            err.flush();
            node.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "node-shutdown"));
        System.out.println("node " + id + " admin http://" + node.adminAddress().getHostString() + ":" + node.adminAddress().getPort());
        System.out.flush();
        try {
            stopped.await();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Runs the command standalone (the process target and tests use this). */
    public static void main(final String[] args) {
        System.exit(new CommandLine(new NodeCommand()).execute(args));
    }
}
