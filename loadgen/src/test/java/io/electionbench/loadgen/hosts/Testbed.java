package io.electionbench.loadgen.hosts;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import io.electionbench.loadgen.fs.Tmpfs;

/**
 * The network-namespace testbed of {@code testbed/testbed.sh} for tests: N "hosts", each a namespace with its own
 * address, firewall and sshd. Where root, {@code ip netns} or sshd are missing the test is skipped with the reason;
 * with {@code ELECTIONBENCH_REQUIRE_TESTBED=1} (CI) it fails instead. {@link #close} removes everything and checks
 * nothing of it is left: namespaces, bridge, sshds, tagged processes, control masters.
 */
public final class Testbed implements AutoCloseable {
    public static final String REQUIRE = "ELECTIONBENCH_REQUIRE_TESTBED";
    private static final long SCRIPT_TIMEOUT_S = 60;

    private final Path script;
    private final Path state;
    private final String prefix;
    private final int size;

    private Testbed(final Path script, final Path state, final String prefix, final int size) {
        this.script = script;
        this.state = state;
        this.prefix = prefix;
        this.size = size;
    }

    /**
     * Brings up {@code n} hosts, or skips (fails under {@link #REQUIRE}) the calling test with the reason it cannot.
     */
    public static Testbed up(final int n) throws Exception {
        final String missing = !Tmpfs.isRoot() ? "not root (network namespaces and firewall rules need it)"
            : !Files.isExecutable(Path.of("/usr/sbin/sshd")) ? "no /usr/sbin/sshd (apt-get install openssh-server)"
            : !Files.isExecutable(Path.of("/usr/sbin/iptables")) ? "no /usr/sbin/iptables (apt-get install iptables)"
            : run(List.of("ip", "netns", "list"), 10) != 0 ? "ip netns does not work here" : null;
        if (missing != null) {
            final String reason = "the hosts testbed needs root, ip netns, sshd and iptables: " + missing;
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(reason + " (but " + REQUIRE + "=1: CI must run it)");
            }
            Assumptions.abort(reason);
        }
        final Path script = Path.of(Testbed.class.getResource("/testbed/testbed.sh").toURI());
        final Path state = Files.createTempDirectory("eb-testbed-");
        final String prefix = String.format("eb%04x", new java.util.Random().nextInt(1 << 16));
        final Testbed bed = new Testbed(script, state, prefix, n);
        final Process up = new ProcessBuilder("bash", script.toString(), "up", state.toString(), Integer.toString(n),
            prefix)
            .redirectErrorStream(true).redirectOutput(state.resolve("up.log").toFile()).start();
        if (!up.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS) || up.exitValue() != 0) {
            up.destroyForcibly();
            final String log = Files.exists(state.resolve("up.log")) ? Files.readString(state.resolve("up.log")) : "";
            bed.close();
            fail("testbed.sh up failed: " + log);
        }
        return bed;
    }

    private static int run(final List<String> cmd, final long timeoutS) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /**
     * Skips the calling test (fails it under {@link #REQUIRE}) where {@code /usr/sbin/nft} is missing: the nft
     * firewall's tests need it in every namespace (they share the root's binaries).
     */
    public static void requireNft() {
        if (!Files.isExecutable(Path.of("/usr/sbin/nft"))) {
            final String reason = "no /usr/sbin/nft (apt-get install nftables)";
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(reason + " (but " + REQUIRE + "=1: CI must run it)");
            }
            Assumptions.abort(reason);
        }
    }

    /** The address of host {@code i} (1-based). */
    public static String address(final int i) {
        return "10.200.0." + (10 + i);
    }

    /** An inventory of hosts 1..count running {@code runs}, with {@code extra} lines. */
    public Path inventory(final String runs, final int count, final String... extra) throws IOException {
        assertTrue(count <= size, "the testbed has " + size + " hosts");
        final List<String> lines = new ArrayList<>(List.of("runs = " + runs, "ssh.config = "
            + state.resolve("ssh_config"),
            "heap = 64m"));
        lines.addAll(List.of(extra));
        for (int i = 1; i <= count; i++) {
            lines.add("server." + i + " = " + address(i));
            lines.add("server." + i + ".ssh = h" + i);
            lines.add("server." + i + ".dir = " + hostDir(i));
        }
        final Path file = state.resolve("inventory-" + runs.replace(' ', '-') + "-" + count
            + (extra.length == 0 ? "" : "-" + Integer.toHexString(List.of(extra).hashCode())) + ".cfg");
        Files.write(file, lines);
        return file;
    }

    /** Host {@code i}'s working directory. */
    public Path hostDir(final int i) {
        return state.resolve("h" + i);
    }

    /**
     * Runs {@code script} with bash on host {@code i} over a fresh ssh connection of the test's own (not the code under
     * test's); returns its exit status and output.
     */
    public SshHost.Result ssh(final int i, final String script) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("ssh", "-F", state.resolve("ssh_config").toString(), "h" + i, "--",
            "bash", "-c",
            SshQuote.q(script)).redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("ssh h" + i + " " + script + " did not finish");
        }
        return new SshHost.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), "");
    }

    /**
     * What runs of the hosts target left behind: processes carrying a run tag, ssh control masters of the fleet,
     * EB chains in any host's iptables, electionbench_ tables in its nftables, run directories in any host's working
     * directory.
     */
    public List<String> leftovers() throws IOException, InterruptedException {
        final List<String> out = new ArrayList<>(processesWith("-Delectionbench.run=eb", "ControlPath=/tmp/eb-ssh-"));
        for (int i = 1; i <= size; i++) {
            final SshHost.Result rules = ssh(i, "iptables -w -S | grep -- '-N EB' || true");
            if (!rules.out().isBlank()) {
                out.add("h" + i + " firewall: " + rules.out().strip());
            }
            final SshHost.Result tables = ssh(i, "if command -v nft >/dev/null; then nft list tables"
                + " | grep -- ' electionbench_' || true; fi");
            if (!tables.out().isBlank()) {
                out.add("h" + i + " nftables: " + tables.out().strip());
            }
            if (Files.isDirectory(hostDir(i))) {
                try (var dirs = Files.list(hostDir(i))) {
                    dirs.filter(d -> Files.exists(d.resolve(Fleet.MARKER))).forEach(d -> out.add("directory " + d));
                }
            }
        }
        return out;
    }

    /** Live processes whose command line contains any of {@code needles}. */
    private static List<String> processesWith(final String... needles) throws IOException {
        final List<String> out = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (final Path p : (Iterable<Path>)procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                final String cmd;
                try {
                    cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0',
                        ' ');
                } catch (final IOException ex) {
                    continue; // gone meanwhile
                }
                for (final String needle : needles) {
                    if (cmd.contains(needle) && !isZombie(p)) {
                        out.add("process " + p.getFileName() + ": " + cmd.substring(0, Math.min(120, cmd.length())));
                        break;
                    }
                }
            }
        }
        return out;
    }

    private static boolean isZombie(final Path proc) {
        try {
            return Files.readAllLines(proc.resolve("status")).stream().anyMatch(l -> l.startsWith("State:")
                && l.contains("Z"));
        } catch (final IOException ex) {
            return true;
        }
    }

    /** Takes the testbed down and checks that none of its namespaces, links or sshds are left. */
    @Override
    public void close() throws Exception {
        final int down = run(List.of("bash", script.toString(), "down", state.toString()), SCRIPT_TIMEOUT_S);
        final int check = run(List.of("bash", script.toString(), "check", prefix), SCRIPT_TIMEOUT_S);
        final List<String> sshds = processesWith(state + "/sshd-h");
        try (var walk = Files.walk(state)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        assertTrue(down == 0 && check == 0 && sshds.isEmpty(), "the testbed " + prefix + " was not removed: down "
            + down + ", check "
            + check + ", sshds left " + sshds);
    }

    /** Shell quoting for the test's own ssh commands. */
    static final class SshQuote {
        static String q(final String s) {
            return Fleet.q(s);
        }
    }
}
