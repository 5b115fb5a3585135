package io.electionbench.loadgen;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.log.FsyncPolicy;
import io.electionbench.loadgen.fs.FileTrees;
import io.electionbench.loadgen.fs.Tmpfs;
import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.IntervalLog;
import io.electionbench.loadgen.run.SoakFault;
import io.electionbench.loadgen.run.SoakRunner;
import io.electionbench.results.Cell;
import io.electionbench.results.RunWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code electionbench soak}: a long run of writes through one fault after another on real node
 * processes, checked for lost acknowledged writes at the end (docs/loadgen.md, "Soak"). The work is
 * {@link SoakRunner}'s; this class checks the flags, removes what the soak started on every way out
 * (a shutdown hook covers Ctrl-C), shows progress and prints the {@link SoakReport}.
 */
@Command(name = "soak", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Write to node processes for a long time through one fault after another; lose no acknowledged write.",
        "The faults come in a seeded order, each followed by a bounded wait for recovery and a settle pause; at the"
            + " end the serving leader's log and every node's must hold every acknowledged write:",
        "  leader-kill    kill -9 the leader; restart it once another leader serves",
        "  leader-pause   SIGSTOP the leader for 1-2 s, then SIGCONT",
        "  follower-kill  kill -9 a follower; restart it once the others serve",
        "  full-disk      fill node 1's tmpfs dataDir while it follows, hold, free it",
        "                 (needs root to mount the tmpfs; left out otherwise)",
        "Exit 0 when every fault recovered and nothing acknowledged is missing, 1 otherwise, 2 on a bad flag."
            + " See docs/loadgen.md, \"Soak\"."})
final class SoakCommand implements Callable<Integer> {
    /** Bytes a 128-byte write takes in a node's txn log: the payload and the record header. */
    private static final long LOG_BYTES_PER_WRITE = 128 + 16;
    private static final long DEFAULT_DISK_BYTES = 16L << 20;
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmg]?)");
    /** The exit status of a JVM ended by SIGINT, which the shutdown hook's soak gets. */
    private static final int INTERRUPTED = 130;

    @Option(names = "--size", paramLabel = "N", defaultValue = "3",
        description = "Ensemble size, 3 to 9 (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "5m",
        description = "How long faults go on: 300s, 5m, 1h, 90 (seconds) (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--write-rate", paramLabel = "R", defaultValue = "200",
        description = "Open-loop writes per second, 128 bytes each, for the whole soak (default: ${DEFAULT-VALUE}).")
    double writeRate;

    @Option(names = "--faults", paramLabel = "F,F", defaultValue = "all",
        description = "leader-kill, leader-pause, follower-kill, full-disk, or all (default: ${DEFAULT-VALUE}).")
    String faults;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1",
        description = "Seeds the fault order, the pause lengths and the followers killed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--cycles", paramLabel = "N", defaultValue = "0",
        description = "Stop after N cycles of every fault, if the duration has not ended first (default: no limit).")
    int cycles;

    @Option(names = "--tick-time", paramLabel = "MS", defaultValue = "200",
        description = "tickTime in ms: small, so that a soak sees many elections (default: ${DEFAULT-VALUE}).")
    int tickTimeMs;

    @Option(names = "--init-limit", paramLabel = "TICKS", defaultValue = "10",
        description = "initLimit (default: ${DEFAULT-VALUE}).")
    int initLimit;

    @Option(names = "--sync-limit", paramLabel = "TICKS", defaultValue = "5",
        description = "syncLimit (default: ${DEFAULT-VALUE}).")
    int syncLimit;

    @Option(names = "--policy", paramLabel = "P", defaultValue = "fast",
        description = "fast or zookeeper (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--fsync", paramLabel = "P", defaultValue = "batch",
        description = "The nodes' txn log fsync policy: always, batch or never (default: ${DEFAULT-VALUE}).")
    String fsync;

    @Option(names = "--heap", paramLabel = "SIZE", defaultValue = "64m",
        description = "Heap of each node process (default: ${DEFAULT-VALUE}).")
    String heap;

    @Option(names = "--jvm-flags", paramLabel = "FLAGS",
        description = "JVM flags for every node process, after the heap (default: as for run).")
    String jvmFlags;

    @Option(names = "--settle", paramLabel = "MS", defaultValue = "1000",
        description = "Quiet time on the recovered ensemble between faults (default: ${DEFAULT-VALUE}).")
    long settleMs;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "30",
        description = "Seconds the ensemble may take to recover from each fault, including two ticks without a state"
            + " change (default: ${DEFAULT-VALUE}).")
    int timeoutS;

    @Option(names = "--disk-hold", paramLabel = "MS", defaultValue = "3000",
        description = "How long the follower's disk stays full (default: ${DEFAULT-VALUE}).")
    long diskHoldMs;

    @Option(names = "--disk-size", paramLabel = "SIZE",
        description = "Size of the tmpfs (default: 16m, or twice the log the soak writes if that is more).")
    String diskSize;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
        final SoakRunner.Config config;
        try {
            config = config();
        } catch (final IllegalArgumentException ex) {
            return Cli.fail("soak", ex.getMessage());
        }
        CellRunner.childJvmFlags(jvmFlags == null ? CellRunner.DEFAULT_CHILD_JVM_FLAGS : jvmFlags);
        final Path work = Files.createTempDirectory("electionbench-soak");
        final String flags = String.join(",", config.faults().stream().map(SoakFault::flag).toList());
        System.out.println("soak: " + size + " node processes in " + work + ", " + SoakReport.number(writeRate)
            + " writes/s for " + duration + ", faults " + flags + ", seed " + seed);
        final Display display = new Display(System.out, System.err, System.console() != null, config.durationNs());
        final AtomicBoolean isInterrupted = new AtomicBoolean();
        final SoakRunner.Result result;
        try {
            result = runCleaningUp(new SoakRunner(config, work, display), work, display, isInterrupted);
        } catch (final Exception ex) {
            if (isInterrupted.get()) {
                return INTERRUPTED;
            }
            System.err.println("soak: failed: " + ex);
            System.err.println("soak: the nodes' data and logs are kept in " + work);
            return 1;
        }
        final SoakReport report = new SoakReport(result, config);
        report.print(System.out);
        store(report, config, result.notRun().keySet());
        if (result.isClean()) {
            FileTrees.deleteQuietly(work);
        } else {
            System.err.println("soak: the nodes' data and logs are kept in " + work);
        }
        return result.isClean() ? 0 : 1;
    }

    /**
     * Runs the soak and then kills its nodes and unmounts its tmpfs, whatever happens; a shutdown hook
     * does the same if the JVM is stopped (Ctrl-C) while it runs.
     */
    private static SoakRunner.Result runCleaningUp(final SoakRunner soak, final Path work, final Display display,
        final AtomicBoolean isInterrupted) throws Exception {
        final Thread hook = new Thread(() -> {
            isInterrupted.set(true);
            soak.close();
            display.clear();
            System.err.println("soak: stopped; every node process killed and the tmpfs unmounted; data kept in "
                + work);
        }, "soak-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return soak.run();
        } finally {
            soak.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (final IllegalStateException ignored) {
                // The JVM is shutting down: the hook runs (or ran) anyway.
            }
            display.clear();
        }
    }

    private SoakRunner.Config config() {
        if (size < 3 || size > 9) {
            throw new IllegalArgumentException("--size " + size + " is not in 3..9 (a quorum must survive each fault)");
        }
        if (!(writeRate > 0) || writeRate > RunCommand.MAX_WRITE_RATE) {
            throw new IllegalArgumentException("--write-rate " + writeRate + " is not above 0 and at most "
                + RunCommand.MAX_WRITE_RATE);
        }
        final long durationNs = durationNs(duration);
        final List<SoakFault> chosen = SoakFault.parseList(faults);
        if (cycles < 0 || settleMs < 0 || timeoutS < 1 || diskHoldMs < 0) {
            throw new IllegalArgumentException("--cycles, --settle and --disk-hold must be at least 0, --timeout at"
                + " least 1");
        }
        if (tickTimeMs < 1 || initLimit < 1 || syncLimit < 1) {
            throw new IllegalArgumentException("--tick-time, --init-limit and --sync-limit must be at least 1");
        }
        if (!SIZE.matcher(heap.trim().toLowerCase(Locale.ROOT)).matches()) {
            throw new IllegalArgumentException("--heap '" + heap + "' is not a size such as 64m");
        }
        final FsyncPolicy fsyncPolicy;
        try {
            fsyncPolicy = FsyncPolicy.valueOf(fsync.trim().toUpperCase(Locale.ROOT));
        } catch (final IllegalArgumentException ex) {
            throw new IllegalArgumentException("--fsync '" + fsync + "' is not always, batch or never", ex);
        }
        final ElectionPolicy electionPolicy = ElectionPolicy.byName(policy);
        if (chosen.equals(List.of(SoakFault.FULL_DISK)) && !Tmpfs.isRoot()) {
            throw new IllegalArgumentException("--faults full-disk needs root to mount a tmpfs; run as root or add"
                + " other faults");
        }
        return new SoakRunner.Config(size, electionPolicy, new NodeTiming(tickTimeMs, initLimit, syncLimit),
            fsyncPolicy, heap.trim(), writeRate, durationNs, cycles, chosen, seed,
            TimeUnit.MILLISECONDS.toNanos(settleMs), TimeUnit.SECONDS.toNanos(timeoutS),
            TimeUnit.MILLISECONDS.toNanos(diskHoldMs), diskBytes(chosen, durationNs));
    }

    /**
     * The tmpfs size: {@code --disk-size}, which must hold the node's whole log with room to spare
     * (else the disk fills by itself), or by default 16 MiB or twice the log, whichever is more.
     */
    private long diskBytes(final List<SoakFault> chosen, final long durationNs) {
        final long logBytes = (long)(writeRate * (durationNs / 1e9) * LOG_BYTES_PER_WRITE);
        if (diskSize == null) {
            return Math.max(DEFAULT_DISK_BYTES, 2 * logBytes);
        }
        final long bytes = bytes(diskSize, "--disk-size");
        final long needed = logBytes + (logBytes >> 1);
        if (chosen.contains(SoakFault.FULL_DISK) && bytes < needed) {
            throw new IllegalArgumentException("--disk-size " + diskSize + " is too small for the " + (logBytes >> 20)
                + " MiB of log that --write-rate " + SoakReport.number(writeRate) + " for --duration " + duration
                + " writes; give at least " + ((needed >> 20) + 1) + "m");
        }
        return bytes;
    }

    /** {@code 300s}, {@code 5m}, {@code 1h}, {@code 1500ms}, or plain seconds; from 1 ms to 7 days. */
    static long durationNs(final String text) {
        final Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("--duration '" + text + "' is not a duration such as 300s, 5m or 1h");
        }
        final double value = Double.parseDouble(m.group(1));
        final String unit = m.group(2) == null ? "s" : m.group(2);
        final double ns = value * switch (unit) {
            case "ms" -> 1e6;
            case "m" -> 60e9;
            case "h" -> 3600e9;
            default -> 1e9;
        };
        if (!(ns >= 1e6) || ns > 7 * 24 * 3600e9) {
            throw new IllegalArgumentException("--duration '" + text + "' is not between 1 ms and 7 days");
        }
        return (long)ns;
    }

    /** {@code 16m}, {@code 512k}, {@code 1g} or plain bytes; from 1 byte to 1 TiB. */
    private static long bytes(final String text, final String option) {
        final Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a size such as 16m");
        }
        final int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        final long value = Long.parseLong(m.group(1));
        if (value <= 0 || value > (1L << 40) >> shift) {
            throw new IllegalArgumentException(option + " '" + text + "' is not between 1 byte and 1 TiB");
        }
        return value << shift;
    }

    /** A run file like {@code run}'s, with the report's cell and its write-latency interval log, unless --no-store. */
    private void store(final SoakReport report, final SoakRunner.Config config, final java.util.Set<SoakFault> notRun)
        throws Exception {
        final Cell cell = report.cell();
        final Map<String, Object> c = new LinkedHashMap<>();
        c.put("command", "soak");
        c.put("targets", List.of("process"));
        c.put("sizes", List.of(size));
        c.put("duration_s", config.durationNs() / 1e9);
        c.put("faults", config.faults().stream().map(SoakFault::flag).toList());
        c.put("faults_not_run", notRun.stream().map(SoakFault::flag).toList());
        c.put("cycles", cycles);
        c.put("seed", seed);
        c.put("tickTime", tickTimeMs);
        c.put("initLimit", initLimit);
        c.put("syncLimit", syncLimit);
        c.put("settle_ms", settleMs);
        c.put("timeout_s", timeoutS);
        c.put("disk_hold_ms", diskHoldMs);
        c.put("disk_bytes", config.diskBytes());
        c.put("heap", config.heap());
        c.put("jvm_flags", jvmFlags == null ? CellRunner.DEFAULT_CHILD_JVM_FLAGS : jvmFlags);
        c.put("write_rate_per_s", writeRate);
        c.put("write_bytes", 128);
        c.put("fsync", config.fsync().name().toLowerCase(Locale.ROOT));
        final RunWriter writer = cell == null ? null : store.open(c);
        if (writer == null) {
            return;
        }
        writer.addCell(cell);
        final String stem = writer.file().getFileName().toString().replace(".json", "");
        final String file = stem + "-" + cell.id().replaceAll("[^A-Za-z0-9.=-]+", "_") + "-write_latency.hlog";
        IntervalLog.writeLatencies(writer.file().resolveSibling(file), cell.id(), List.of(report.writes()));
        System.out.println("stored " + store.root().relativize(writer.file()));
    }

    /**
     * The soak's output: on a terminal, one progress line on stderr redrawn in place (elapsed, faults,
     * acknowledged writes) and a fault line only for a fault that did not recover; otherwise a line
     * per fault on stdout. Notes go to stderr.
     */
    private static final class Display implements SoakRunner.Listener {
        private final PrintStream out;
        private final PrintStream err;
        private final boolean isTerminal;
        private final long durationNs;
        private boolean isDrawn;

        Display(final PrintStream out, final PrintStream err, final boolean isTerminal, final long durationNs) {
            this.out = out;
            this.err = err;
            this.isTerminal = isTerminal;
            this.durationNs = durationNs;
        }

        @Override
        public synchronized void onFault(final SoakRunner.FaultRecord f, final long elapsedNs, final long ackedSoFar) {
            if (isTerminal && f.failure() == null) {
                return;
            }
            clear();
            out.printf("[%s] #%d %s: %s; %,d writes acknowledged so far%n", SoakReport.clock(elapsedNs), f.number(),
                f.kind().flag(), f.detail(), ackedSoFar);
            if (f.failure() != null) {
                out.println("  FAILED: " + f.failure());
            }
        }

        @Override
        public synchronized void onNote(final String line) {
            clear();
            err.println(line);
        }

        @Override
        public synchronized void onTick(final long elapsedNs, final int faultsDone, final long ackedSoFar) {
            if (!isTerminal) {
                return;
            }
            err.printf("\rsoak %s / %s  faults %d  writes acknowledged %,d ", SoakReport.clock(elapsedNs),
                SoakReport.clock(durationNs), faultsDone, ackedSoFar);
            err.flush();
            isDrawn = true;
        }

        /** Erases the progress line, if drawn (the soak's thread or the shutdown hook). */
        synchronized void clear() {
            if (isDrawn) {
                err.print("\r" + " ".repeat(72) + "\r");
                err.flush();
                isDrawn = false;
            }
        }
    }
}
