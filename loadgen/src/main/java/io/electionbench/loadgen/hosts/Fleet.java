package io.electionbench.loadgen.hosts;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import io.electionbench.results.HostClock;

/**
 * The hosts of an {@link Inventory}, driven over one {@link SshHost} master connection each, for one run tag: every
 * file the run installs sits in {@code DIR/electionbench-TAG/} on its host, every process it starts carries
 * {@code -Delectionbench.run=TAG} and has a pid file there, and every firewall rule sits in the iptables chains
 * {@code EBI-TAG} and {@code EBO-TAG} (jumped to from INPUT and OUTPUT) or, on a host whose {@link Firewall} is nft,
 * in the nftables table {@code inet electionbench_TAG}. {@link #close} removes exactly these,
 * also from a shutdown hook (Ctrl-C); {@link #cleanAll} removes those of every tag, for a load generator that died
 * ({@code electionbench hosts clean}). Each fault returns a {@link Bracket}: when the command was sent and when the
 * host confirmed it, on the load generator's clock.
 */
public final class Fleet implements AutoCloseable {
    /** The marker file of a run directory; {@link #cleanAll} removes only directories that hold it. */
    public static final String MARKER = ".electionbench-run";
    private static final long COMMAND_TIMEOUT_MS = 30_000;
    private static final long COPY_TIMEOUT_MS = 300_000;

    private final Inventory inventory;
    private final String tag;
    private final Path controlDir;
    private final Map<Long, SshHost> hosts = new LinkedHashMap<>();
    private final Map<Long, String> firewallProblem = new HashMap<>();
    private final Map<Long, Firewall> firewalls = new HashMap<>();
    private final ExecutorService pool;
    private final Thread hook;
    private final AtomicBoolean isClosed = new AtomicBoolean();
    /**
     * Held shared by every command that creates something on a host (a file, a process, a rule) and exclusively by
     * {@link #close}: its clean-up runs after any such command in flight, and none runs after it. Without it a run
     * stopped by SIGTERM had its main thread add chains after the shutdown hook had removed them.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock creating =
        new java.util.concurrent.locks.ReentrantReadWriteLock();

    /**
     * When a command was sent and when its host confirmed it, both on the load generator's monotonic clock: the
     * fault happened somewhere in between.
     */
    public record Bracket(long sentNs, long confirmedNs) {
        public long uncertaintyNs() {
            return confirmedNs - sentNs;
        }
    }

    private Fleet(final Inventory inventory, final String tag, final Path controlDir) {
        this.inventory = inventory;
        this.tag = tag;
        this.controlDir = controlDir;
        this.pool = Executors.newFixedThreadPool(inventory.size(), r -> {
            final Thread t = new Thread(r, "fleet-" + tag);
            t.setDaemon(true);
            return t;
        });
        this.hook = new Thread(this::close, "fleet-clean-" + tag);
    }

    /** A fresh run tag: {@code eb} and eight hex digits (short enough for an iptables chain name). */
    public static String newTag() {
        return String.format("eb%08x", new java.security.SecureRandom().nextInt());
    }

    /** What makes a host's firewall faults: the iptables command (legacy or iptables-nft) or nftables' nft. */
    public enum Firewall {
        IPTABLES("iptables", "iptables -w -S OUTPUT"),
        NFT("nft", "nft list tables");

        private final String command;
        private final String check;

        Firewall(final String command, final String check) {
            this.command = command;
            this.check = check;
        }

        /** The name the inventory's {@code firewall} key and the run file's {@code fault_mechanism} use. */
        public String mechanism() {
            return command;
        }

        /** A shell fragment that prints {@code ok NAME}, or {@code no: WHY} when this host cannot use it. */
        String probe() {
            return "if ! command -v " + command + " >/dev/null 2>&1; then echo 'no: no " + command + " command';"
                + " elif " + check + " >/dev/null 2>&1; then echo 'ok " + command + "'; else echo \"no: " + command
                + " needs root or CAP_NET_ADMIN (user $(id -un))\"; fi";
        }
    }

    /**
     * The probe for a host whose inventory says {@code firewall} (auto, iptables, nft): auto takes iptables where the
     * command exists, nft where only it does.
     */
    static String firewallProbe(final String firewall) {
        return switch (firewall) {
            case "iptables" -> Firewall.IPTABLES.probe();
            case "nft" -> Firewall.NFT.probe();
            default -> "if command -v iptables >/dev/null 2>&1; then " + Firewall.IPTABLES.probe()
                + "; elif command -v nft >/dev/null 2>&1; then " + Firewall.NFT.probe()
                + "; else echo 'no: neither iptables nor nft'; fi";
        };
    }

    /**
     * Connects to every host at once, checks each has its java and creates the run directory; records per host
     * whether firewall faults can be made there and with what (root or CAP_NET_ADMIN, and iptables or nft as the
     * inventory's {@code firewall} asks), so a partition fails with that reason instead of a command's error.
     */
    public static Fleet open(final Inventory inventory, final String tag) throws Exception {
        final Path control = Files.createTempDirectory(Path.of("/tmp"), "eb-ssh-");
        final Fleet fleet = new Fleet(inventory, tag, control);
        Runtime.getRuntime().addShutdownHook(fleet.hook);
        try {
            fleet.each(s -> {
                final SshHost host = SshHost.open(s.ssh(), inventory.sshConfig(), control, "server " + s.sid() + " ("
                    + s.ssh() + ")");
                synchronized (fleet.hosts) {
                    fleet.hosts.put(s.sid(), host);
                }
                final String d = fleet.runDir(s);
                host.check("checking java and creating " + d, "command -v " + q(s.java()) + " >/dev/null || { echo 'no "
                    + s.java() + " on PATH' >&2; exit 1; } && mkdir -p " + q(d) + "/lib " + q(d) + "/pids " + q(d)
                        + "/logs && echo "
                    + q(tag) + " > " + q(d + "/" + MARKER), COMMAND_TIMEOUT_MS);
                final String fw = host.run(firewallProbe(s.firewall()), COMMAND_TIMEOUT_MS).out().strip();
                synchronized (fleet.firewallProblem) {
                    if (fw.equals("ok iptables") || fw.equals("ok nft")) {
                        fleet.firewalls.put(s.sid(), fw.endsWith("nft") ? Firewall.NFT : Firewall.IPTABLES);
                    } else {
                        fleet.firewallProblem.put(s.sid(), fw.startsWith("no: ") ? fw.substring(4)
                            : "the firewall check printed '" + fw + "'");
                    }
                }
                return null;
            });
        } catch (final Exception ex) {
            fleet.close();
            throw ex;
        }
        return fleet;
    }

    public Inventory inventory() {
        return inventory;
    }

    public String tag() {
        return tag;
    }

    /** The run's directory on server {@code s}'s host. */
    public String runDir(final Inventory.Server s) {
        return s.dir() + "/electionbench-" + tag;
    }

    /**
     * Copies the class path entries to every host's {@code lib/} (a directory is packed into a jar first) and
     * returns the remote class path, the same on every host relative to its run directory.
     */
    public String install(final List<Path> classpath) throws Exception {
        final Path staging = Files.createTempDirectory(controlDir, "lib-");
        final List<Path> files = new ArrayList<>();
        final List<String> remote = new ArrayList<>();
        int i = 0;
        for (final Path entry : classpath) {
            final Path file = Files.isDirectory(entry) ? jar(entry, staging.resolve(String.format("%02d-classes.jar",
                i))) : entry;
            final String name = String.format("%02d-%s", i++, file.getFileName());
            final Path named = staging.resolve(name);
            if (!file.equals(named)) {
                Files.createSymbolicLink(named, file.toAbsolutePath());
            }
            files.add(named);
            remote.add("lib/" + name);
        }
        each(s -> {
            host(s.sid()).copy(files, runDir(s) + "/lib", COPY_TIMEOUT_MS);
            return null;
        });
        return String.join(":", remote);
    }

    /** Writes {@code text} to {@code name} in server {@code sid}'s run directory (parents created). */
    public void writeFile(final long sid, final String name, final String text) throws IOException,
        InterruptedException {
        final Inventory.Server s = inventory.server(sid);
        final String path = runDir(s) + "/" + name;
        enterCreating("writing " + path);
        final SshHost.Result r;
        try {
            r = host(sid).runWithInput("mkdir -p \"$(dirname " + q(path) + ")\" && cat > " + q(path),
            text.getBytes(StandardCharsets.UTF_8), COMMAND_TIMEOUT_MS);
        } finally {
            creating.readLock().unlock();
        }
        if (!r.isOk()) {
            throw new IOException(host(sid).label() + ": writing " + path + " failed: " + SshHost.lastLine(r.err()));
        }
    }

    /**
     * Starts {@code java -Xmx -Xms <flags> -Delectionbench.run=TAG <args>} detached in server {@code sid}'s run
     * directory ({@code setsid nohup}, output to {@code logs/NAME.log}, pid to {@code pids/NAME.pid}).
     *
     * @return the remote pid
     */
    public long start(final long sid, final String name, final List<String> flags, final List<String> args)
        throws IOException, InterruptedException {
        final Inventory.Server s = inventory.server(sid);
        final StringBuilder cmd = new StringBuilder(q(s.java())).append(" -Xmx").append(s.heap()).append(" -Xms")
            .append(s.heap());
        for (final String f : flags) {
            cmd.append(' ').append(q(f));
        }
        cmd.append(" -Delectionbench.run=").append(tag);
        for (final String a : args) {
            cmd.append(' ').append(q(a));
        }
        // Only the java command goes to the background, with every descriptor redirected, so the ssh channel closes
        // at once; not being a process group leader, setsid execs instead of forking, so $! is the JVM's pid.
        enterCreating("starting " + name);
        final String out;
        try {
            out = host(sid).check("starting " + name, "cd " + q(runDir(s)) + " || exit 1; setsid nohup "
            + cmd + " >> logs/"
            + name + ".log 2>&1 < /dev/null & echo $! > " + q(runDir(s) + "/pids/" + name + ".pid") + " && echo $!",
                COMMAND_TIMEOUT_MS);
        } finally {
            creating.readLock().unlock();
        }
        return Long.parseLong(out.strip());
    }

    /** Takes {@link #creating} shared, or refuses {@code what} once the fleet is closing. */
    private void enterCreating(final String what) {
        creating.readLock().lock();
        if (isClosed.get()) {
            creating.readLock().unlock();
            throw new IllegalStateException("run " + tag + " is closed (stopped or cleaned up): not " + what);
        }
    }

    /** A shell prelude: {@code ours PID} is true for a live process of this tag, {@code gone PID} once it is dead. */
    private static String prelude(final String tag) {
        return "ours() { [ -r /proc/$1/cmdline ] && tr '\\0' ' ' < /proc/$1/cmdline"
            + " | grep -q -- '-Delectionbench.run=" + tag
            + " '; }; gone() { [ ! -e /proc/$1 ] || grep -q '^State:[[:space:]]*Z' /proc/$1/status 2>/dev/null; }; ";
    }

    /**
     * kill -9 of process {@code name} of server {@code sid}, confirmed once it is dead (its sockets closed, so its
     * ports are free for a restart); nothing when it does not run.
     */
    public Bracket kill(final long sid, final String name) throws IOException, InterruptedException {
        final Inventory.Server s = inventory.server(sid);
        final String pidFile = q(runDir(s) + "/pids/" + name + ".pid");
        final long sentNs = System.nanoTime();
        host(sid).check("kill -9 of " + name, prelude(tag) + "p=$(cat " + pidFile
            + " 2>/dev/null) || exit 0; ours $p && kill -9 $p;"
            + " i=0; while ! gone $p && [ $i -lt 2000 ]; do sleep 0.005; i=$((i+1)); done; rm -f " + pidFile
                + "; gone $p",
            COMMAND_TIMEOUT_MS);
        return new Bracket(sentNs, System.nanoTime());
    }

    /** Sends {@code signal} (STOP, CONT) to process {@code name} of server {@code sid}; null when it does not run. */
    public Bracket signal(final long sid, final String name, final String signal) throws IOException,
        InterruptedException {
        final Inventory.Server s = inventory.server(sid);
        final long sentNs = System.nanoTime();
        final SshHost.Result r = host(sid).run(prelude(tag) + "p=$(cat " + q(runDir(s) + "/pids/" + name + ".pid")
            + " 2>/dev/null)"
            + " && ours $p && kill -" + signal + " $p", COMMAND_TIMEOUT_MS);
        return r.isOk() ? new Bracket(sentNs, System.nanoTime()) : null;
    }

    /** The last {@code lines} lines of process {@code name}'s log on server {@code sid}, for error messages. */
    public String tail(final long sid, final String name, final int lines) {
        try {
            return host(sid).run("tail -n " + lines + " " + q(runDir(inventory.server(sid)) + "/logs/" + name
                + ".log"), 10_000).out();
        } catch (final IOException ex) {
            return "(log unreadable: " + ex.getMessage() + ")";
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** How a firewall cut refuses packets. */
    public enum Cut {
        /** Packets vanish: the peer's connections see silence until their timeouts. */
        DROP("-j DROP", "drop"),
        /**
         * TCP packets are answered with a reset: the peer sees a refusal at once. Resets themselves pass, since the
         * reset a rule on INPUT sends back leaves through OUTPUT, where a rule against the same peer would drop it.
         */
        REJECT("-p tcp ! --tcp-flags RST RST -j REJECT --reject-with tcp-reset",
            "tcp flags & rst == 0 reject with tcp reset");

        private final String iptablesTarget;
        private final String nftVerdict;

        Cut(final String iptablesTarget, final String nftVerdict) {
            this.iptablesTarget = iptablesTarget;
            this.nftVerdict = nftVerdict;
        }
    }

    /** The nftables table of this run's rules on an nft host. */
    String nftTable() {
        return "inet electionbench_" + tag;
    }

    /**
     * Per server id, what makes its firewall faults ({@link Firewall#mechanism}), or {@code none: WHY} where none can
     * be made.
     */
    public Map<String, String> faultMechanisms() {
        final Map<String, String> out = new LinkedHashMap<>();
        for (final Inventory.Server s : inventory.servers()) {
            final Firewall f = firewalls.get(s.sid());
            out.put(Long.toString(s.sid()), f != null ? f.mechanism() : "none: " + firewallProblem.get(s.sid()));
        }
        return out;
    }

    /**
     * Adds firewall rules on server {@code sid}'s host: packets from {@code peers} are refused when {@code isInbound},
     * packets to them when {@code isOutbound}; both is a symmetric cut seen from this host.
     */
    public Bracket cut(final long sid, final List<String> peers, final boolean isInbound, final boolean isOutbound,
        final Cut how)
        throws IOException, InterruptedException {
        final String problem = firewallProblem.get(sid);
        if (problem != null) {
            throw new IllegalStateException(host(sid).label() + ": cannot make firewall faults: " + problem);
        }
        final String script = firewalls.get(sid) == Firewall.NFT ? nftCut(peers, isInbound, isOutbound, how)
            : iptablesCut(peers, isInbound, isOutbound, how);
        enterCreating("adding firewall rules");
        try {
            final long sentNs = System.nanoTime();
            host(sid).check("adding firewall rules", script, COMMAND_TIMEOUT_MS);
            return new Bracket(sentNs, System.nanoTime());
        } finally {
            creating.readLock().unlock();
        }
    }

    private String iptablesCut(final List<String> peers, final boolean isInbound, final boolean isOutbound,
        final Cut how) {
        final StringBuilder script = new StringBuilder(chains());
        for (final String peer : peers) {
            if (isInbound) {
                script.append(" && iptables -w -A EBI-").append(tag).append(" -s ").append(q(peer)).append(' ')
                    .append(how.iptablesTarget);
            }
            if (isOutbound) {
                script.append(" && iptables -w -A EBO-").append(tag).append(" -d ").append(q(peer)).append(' ')
                    .append(how.iptablesTarget);
            }
        }
        return script.toString();
    }

    /**
     * One nft command, applied as one transaction: the run's table and its two base chains (hooked at priority
     * filter - 10, before iptables-nft's filter chains; a packet any table drops is dropped) unless they exist, then
     * the rules.
     */
    private String nftCut(final List<String> peers, final boolean isInbound, final boolean isOutbound,
        final Cut how) {
        final String t = nftTable();
        final StringBuilder script = new StringBuilder("add table ").append(t).append("; add chain ").append(t)
            .append(" input { type filter hook input priority filter - 10; policy accept; }; add chain ").append(t)
            .append(" output { type filter hook output priority filter - 10; policy accept; }");
        for (final String peer : peers) {
            final String family = peer.indexOf(':') >= 0 ? "ip6" : "ip";
            if (isInbound) {
                script.append("; add rule ").append(t).append(" input ").append(family).append(" saddr ").append(peer)
                    .append(' ').append(how.nftVerdict);
            }
            if (isOutbound) {
                script.append("; add rule ").append(t).append(" output ").append(family).append(" daddr ")
                    .append(peer).append(' ').append(how.nftVerdict);
            }
        }
        return "nft " + q(script.toString());
    }

    /** Creates this tag's chains and their jumps unless they exist. */
    private String chains() {
        return "for c in I:INPUT O:OUTPUT; do n=EB${c%%:*}-" + tag + "; iptables -w -N $n 2>/dev/null;"
            + " iptables -w -C ${c#*:} -j $n 2>/dev/null || iptables -w -I ${c#*:} 1 -j $n || exit 1; done";
    }

    /** Removes every rule of this tag on every host where a cut was possible (the chains stay, empty). */
    public Bracket heal() throws Exception {
        final long sentNs = System.nanoTime();
        each(s -> {
            final Firewall f = firewalls.get(s.sid());
            if (f == Firewall.NFT) {
                host(s.sid()).check("flushing firewall rules", "nft flush table " + nftTable() + " 2>/dev/null || true",
                    COMMAND_TIMEOUT_MS);
            } else if (f == Firewall.IPTABLES) {
                host(s.sid()).check("flushing firewall rules", "for n in EBI-" + tag + " EBO-" + tag
                    + "; do iptables -w -F $n"
                    + " 2>/dev/null || true; done", COMMAND_TIMEOUT_MS);
            }
            return null;
        });
        return new Bracket(sentNs, System.nanoTime());
    }

    /**
     * Clock offset of server {@code sid}'s host against this one, NTP-style from {@code rounds} round trips of
     * {@code date +%s%N} (the host's real-time clock) through its resident shell: the round trip with the least delay
     * wins, the offset is its remote stamp minus the local real time at the round trip's midpoint, its error bound
     * half that round trip (the stamp was taken somewhere inside it). The local real time is one {@link Instant} read
     * carried forward on {@link System#nanoTime}, so the rounds share one anchor.
     *
     * @return offset and error bound in ns
     */
    public long[] clockOffsetNs(final long sid, final int rounds) throws IOException, InterruptedException {
        final Instant anchor = Instant.now();
        final long anchorNs = System.nanoTime();
        final long anchorEpochNs = anchor.getEpochSecond() * 1_000_000_000L + anchor.getNano();
        long best = Long.MAX_VALUE;
        long offset = 0;
        for (int i = 0; i < rounds; i++) {
            final long t0 = System.nanoTime();
            final String out = host(sid).check("reading the clock", "date +%s%N", COMMAND_TIMEOUT_MS);
            final long rtt = System.nanoTime() - t0;
            final long remoteNs;
            try {
                remoteNs = Long.parseLong(out.strip());
            } catch (final NumberFormatException ex) {
                throw new IOException(host(sid).label() + ": date +%s%N printed '" + out.strip()
                    + "', not nanoseconds (GNU date is needed)", ex);
            }
            if (rtt < best) {
                best = rtt;
                offset = remoteNs - (anchorEpochNs + (t0 + rtt / 2 - anchorNs));
            }
        }
        return new long[] {offset, Math.max(1, best / 2)};
    }

    /** Round trips per host of {@link #clocks}: the least-delay one of these is kept. */
    public static final int CLOCK_ROUNDS = 8;

    /**
     * Every host's clock offset and error bound ({@link #clockOffsetNs}, {@link #CLOCK_ROUNDS} round trips), all
     * hosts at once, in sid order; {@code when} says where in the cell they were taken (start, end).
     */
    public List<HostClock> clocks(final String when) throws Exception {
        final List<HostClock> out = java.util.Collections.synchronizedList(new ArrayList<>());
        each(s -> {
            final Instant at = Instant.now();
            final long[] offset = clockOffsetNs(s.sid(), CLOCK_ROUNDS);
            out.add(new HostClock(s.sid(), s.ssh().toString(), when, at, offset[0] / 1e6, offset[1] / 1e6));
            return null;
        });
        final List<HostClock> sorted = new ArrayList<>(out);
        sorted.sort(java.util.Comparator.comparingLong(HostClock::sid));
        return sorted;
    }

    /** Runs {@code task} for every server at once and waits for all; the first failure is thrown. */
    public void each(final ServerTask task) throws Exception {
        final List<Future<Void>> futures = new ArrayList<>();
        for (final Inventory.Server s : inventory.servers()) {
            futures.add(pool.submit(() -> task.run(s)));
        }
        Exception first = null;
        for (final Future<Void> f : futures) {
            try {
                f.get();
            } catch (final java.util.concurrent.ExecutionException ex) {
                if (first == null) {
                    first = ex.getCause() instanceof Exception e ? e : new IOException(ex.getCause());
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Something done on one server's host. */
    @FunctionalInterface
    public interface ServerTask {
        Void run(Inventory.Server server) throws Exception;
    }

    private SshHost host(final long sid) {
        final SshHost h = hosts.get(sid);
        if (h == null) {
            throw new IllegalStateException("server " + sid + " is not connected");
        }
        return h;
    }

    /**
     * The script that removes everything of the tags whose run directories it finds under {@code dir}: their
     * processes (kill -9, only those whose command line carries the tag), iptables chains, nft table and
     * directories.
     * {@code onlyTag} limits it to one tag; null means every run directory holding the {@link #MARKER}.
     */
    static String cleanScript(final String dir, final String onlyTag) {
        final String glob = onlyTag == null ? q(dir) + "/electionbench-eb*" : q(dir + "/electionbench-" + onlyTag);
        return "for d in " + glob + "; do [ -f \"$d/" + MARKER + "\" ] || continue; t=${d##*/electionbench-};"
            + " case $t in eb[0-9a-f]*) ;; *) continue ;; esac;"
            // Every process whose command line carries the tag, pid file or not (a start cut off before writing it).
            + " for c in /proc/[0-9]*/cmdline; do p=${c#/proc/}; p=${p%/cmdline};"
            + " if tr '\\0' ' ' < $c 2>/dev/null | grep -q -- \"-Delectionbench.run=$t \"; then"
            + " kill -9 $p; i=0; while [ -e /proc/$p ] && ! grep -q '^State:[[:space:]]*Z' /proc/$p/status 2>/dev/null"
            + " && [ $i -lt 2000 ]; do sleep 0.005; i=$((i+1)); done; echo \"killed $p\"; fi; done;"
            + " if command -v iptables >/dev/null && iptables -w -S OUTPUT >/dev/null 2>&1; then"
            + " for c in I:INPUT O:OUTPUT; do n=EB${c%%:*}-$t; i=0; while iptables -w -D ${c#*:} -j $n 2>/dev/null"
            + " && [ $i -lt 100 ]; do i=$((i+1)); done;"
            + " if iptables -w -F $n 2>/dev/null; then iptables -w -X $n && echo \"removed chain $n\"; fi; done; fi;"
            // The nft table of the tag, on hosts that have nft (whichever the run used: nothing else has its name).
            + " if command -v nft >/dev/null && nft list tables 2>/dev/null | grep -qx \"table inet electionbench_$t\";"
            + " then nft delete table inet electionbench_$t && echo \"removed table inet electionbench_$t\"; fi;"
            + " rm -rf \"$d\" && echo \"removed $d\"; done; true";
    }

    /**
     * Removes this run's processes, rules and files on every host and closes the connections; idempotent, and run by
     * the shutdown hook when the load generator is stopped.
     */
    @Override
    public void close() {
        if (!isClosed.compareAndSet(false, true)) {
            return;
        }
        boolean isLocked = false;
        try {
            // A command in flight ends within its timeout (or at once, when the run's own hook killed its ssh).
            isLocked = creating.writeLock().tryLock(COMMAND_TIMEOUT_MS + 5_000,
                java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        try {
            each(s -> {
                final SshHost h = hosts.get(s.sid());
                if (h != null) {
                    try {
                        h.run(cleanScript(s.dir(), tag), COMMAND_TIMEOUT_MS);
                    } catch (final IOException ex) {
                        // The resident shell died under us (on Ctrl-C the run's own hook kills child processes, its
                        // ssh among them): once more, on a fresh one.
                        h.run(cleanScript(s.dir(), tag), COMMAND_TIMEOUT_MS);
                    }
                }
                return null;
            });
        } catch (final Exception ex) {
            System.err.println("hosts: cleaning up run " + tag + " failed (run 'electionbench hosts clean --hosts "
                + inventory.file() + "'): " + ex.getMessage());
        }
        if (isLocked) {
            creating.writeLock().unlock(); // whoever waits sees the fleet closed and refuses
        }
        hosts.values().forEach(SshHost::close);
        pool.shutdownNow();
        deleteTree(controlDir);
        if (Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException ex) {
                // The JVM is shutting down already.
            }
        }
    }

    /**
     * {@code electionbench hosts clean}: connects to every host of {@code inventory} and removes the processes,
     * firewall chains and run directories of every tag found there (or of {@code onlyTag}).
     *
     * @return per server, what was removed (one line per item)
     */
    public static Map<Long, String> cleanAll(final Inventory inventory, final String onlyTag) throws Exception {
        final Path control = Files.createTempDirectory(Path.of("/tmp"), "eb-ssh-");
        final Map<Long, String> out = new java.util.TreeMap<>();
        final List<SshHost> opened = new ArrayList<>();
        try {
            for (final Inventory.Server s : inventory.servers()) {
                final SshHost h = SshHost.open(s.ssh(), inventory.sshConfig(), control, "server " + s.sid() + " ("
                    + s.ssh() + ")");
                opened.add(h);
                out.put(s.sid(), h.check("cleaning " + s.dir(), cleanScript(s.dir(), onlyTag), COMMAND_TIMEOUT_MS)
                    .strip());
            }
        } finally {
            opened.forEach(SshHost::close);
            deleteTree(control);
        }
        return out;
    }

    private static Path jar(final Path dir, final Path jar) throws IOException {
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
            Stream<Path> walk = Files.walk(dir)) {
            for (final Path p : (Iterable<Path>)walk.sorted()::iterator) {
                if (Files.isRegularFile(p)) {
                    out.putNextEntry(new JarEntry(dir.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
        }
        return jar;
    }

    /**
     * Deletes {@code dir} and what is in it. A control master that exits meanwhile removes its own socket, so a
     * file may vanish under the walk (Files.walk then throws NoSuchFileException, unchecked): the walk starts
     * again, a few times at most.
     */
    private static void deleteTree(final Path dir) {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (final IOException | java.io.UncheckedIOException ex) {
                // Left in /tmp after the last attempt: control sockets and staged jars, nothing on the hosts.
            }
        }
    }

    /** Quotes {@code s} for a POSIX shell. */
    static String q(final String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
