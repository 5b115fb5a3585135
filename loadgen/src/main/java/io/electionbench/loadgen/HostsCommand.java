package io.electionbench.loadgen;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.electionbench.loadgen.hosts.Fleet;
import io.electionbench.loadgen.hosts.Inventory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code electionbench hosts clean}: removes what runs of {@code run --target hosts} left on the hosts of an
 * inventory.
 */
@Command(name = "hosts",
    description = "Manage the servers of a --hosts inventory (docs/loadgen.md, \"Running on your own machines\").",
    subcommands = HostsCommand.Clean.class)
final class HostsCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    @Command(name = "clean",
        description = {"Connect to every host of the inventory and remove every process, firewall chain and run"
        + " directory that runs of the hosts target created there (identified by their run tags: processes whose"
        + " command line carries -Delectionbench.run=TAG, chains EBI-TAG and EBO-TAG, directories"
        + " DIR/electionbench-TAG with their marker),"
        + " and nothing else. Prints what it removed; exit 0 when every host was cleaned."})
    static final class Clean implements Callable<Integer> {
        @Option(names = "--hosts", paramLabel = "FILE", required = true, description = "The inventory.")
        Path hostsFile;

        @Option(names = "--tag", paramLabel = "TAG", description = "Only this run's (default: every run's).")
        String tag;

        @Override
        public Integer call() throws Exception {
            final Inventory inventory;
            try {
                inventory = Inventory.parse(hostsFile);
            } catch (final IllegalArgumentException | java.io.IOException ex) {
                return Cli.fail("hosts clean", ex.getMessage());
            }
            if (tag != null && !tag.matches("eb[0-9a-f]{8}")) {
                return Cli.fail("hosts clean", "--tag '" + tag + "' is not a run tag (eb and eight hex digits)");
            }
            final Map<Long, String> removed;
            try {
                removed = Fleet.cleanAll(inventory, tag);
            } catch (final java.io.IOException ex) {
                return Cli.fail("hosts clean", ex.getMessage());
            }
            for (final Map.Entry<Long, String> e : removed.entrySet()) {
                final Inventory.Server s = inventory.server(e.getKey());
                System.out.println("server " + e.getKey() + " (" + s.ssh() + "): " + (e.getValue().isEmpty()
                    ? "nothing to remove"
                    : e.getValue().replace("\n", "; ")));
            }
            return 0;
        }
    }
}
