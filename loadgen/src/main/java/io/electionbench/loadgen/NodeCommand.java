package io.electionbench.loadgen;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import io.electionbench.transport.net.PortBindException;
import io.electionbench.transport.node.ConfigException;
import io.electionbench.transport.node.ElectionNode;
import io.electionbench.transport.node.NodeConfig;
import io.electionbench.transport.node.NodeConfigParser;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code electionbench node --config FILE [--id N]}: runs one ensemble member, the transport module's
 * {@link ElectionNode} (its id from {@code --id}, else from {@code dataDir/myid} as in ZooKeeper), until
 * SIGTERM/SIGINT (a shutdown hook closes it cleanly) or {@code POST /fault/crash}. Prints one line
 * {@code node N admin http://host:port} on stdout once started. Exit codes: 0 after a clean stop, 2 for
 * a bad config or argument or a port that cannot be bound (one {@code error:} line naming the port's
 * role, its config entry and the reason), 1 if the node cannot start otherwise (a corrupt txn log, a txn
 * log whose index does not fit in the heap, or an unreadable, out-of-range or inconsistent epoch file:
 * one {@code error:} line on stderr naming the file and the value, and nothing changed), 3 if the node
 * halted because the epoch space is exhausted (one ERROR line says so). docs/transport.md, "The node".
 */
@Command(name = "node", mixinStandardHelpOptions = true,
    description = "Run one ensemble member (election and quorum ports, admin endpoint).")
public final class NodeCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "zoo.cfg-shaped ensemble config")
    private Path config;

    @Option(names = "--id", paramLabel = "N", description = "this member's server id (default: the dataDir's myid"
        + " file, as ZooKeeper reads it)")
    private Long id;

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
        final String idProblem = resolveId(parsed);
        if (idProblem != null) {
            err.println("error: " + idProblem);
            err.flush();
            return 2;
        }
        if (parsed.server(id) == null) {
            err.println("error: " + config + ": no server." + id + " line; --id must name a member");
            err.flush();
            return 2;
        }
        if (parsed.dataDir(id) == null) {
            err.println("error: " + config + ": dataDir is not set");
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
            return ex.getCause() instanceof PortBindException ? 2 : 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }, "node-shutdown"));
        final InetSocketAddress admin = node.adminAddress();
        System.out.println("node " + id + " admin http://" + admin.getHostString() + ":" + admin.getPort());
        System.out.flush();
        try {
            stopped.await();
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Sets {@link #id} from {@code dataDir/myid} when {@code --id} is not given, as ZooKeeper's
     * {@code QuorumPeerConfig.setupMyId} does; with both, they must agree. Returns the problem, or null.
     */
    private String resolveId(final NodeConfig parsed) {
        final Path dataDir = parsed.dataDir(id == null ? 0 : id);
        final Path myid = dataDir == null ? null : dataDir.resolve("myid");
        if (id == null && myid == null) {
            return config + ": no dataDir, so no myid file; give --id";
        }
        if (id == null && parsed.dataDir(1).equals(parsed.dataDir(2))) {
            return readMyid(myid);
        }
        if (id == null) {
            return config + ": dataDir has %d (one directory per member), so it names no myid file; give --id";
        }
        if (myid != null && Files.isRegularFile(myid)) {
            final Long given = id;
            final String problem = readMyid(myid);
            if (problem != null) {
                return problem;
            }
            if (!given.equals(id)) {
                return "--id " + given + " but " + myid + " says " + id;
            }
        }
        return null;
    }

    private String readMyid(final Path myid) {
        final String text;
        try {
            text = Files.readString(myid, StandardCharsets.US_ASCII).trim();
        } catch (final NoSuchFileException ex) {
            return myid + " does not exist; write this member's server id there, or give --id";
        } catch (final IOException ex) {
            return "cannot read " + myid + ": " + ex.getMessage();
        }
        try {
            id = Long.parseLong(text);
        } catch (final NumberFormatException ex) {
            return myid + ": '" + text + "' is not a server id";
        }
        return null;
    }

    /** Runs the command standalone, without the rest of the command line (tests use this). */
    public static void main(final String[] args) {
        System.exit(new CommandLine(new NodeCommand()).execute(args));
    }
}
