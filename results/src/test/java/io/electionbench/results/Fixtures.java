package io.electionbench.results;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Deterministic runs for tests and for the report check script. */
public final class Fixtures {
    /** A fixed host so runs compare without a machine warning. */
    public static final HostInfo HOST = new HostInfo("Test CPU @ 3.0GHz", 8, 16L << 30, "Linux", "6.1.0", "6.1.0",
        "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", "17.0.15", List.of("-Xmx1g"));

    /** Another machine: a different CPU model, so compare gives no verdicts across it. */
    public static final HostInfo OTHER_HOST = new HostInfo("Other CPU @ 2.0GHz", 8, 16L << 30, "Linux", "6.1.0",
        "6.1.0", "Eclipse Adoptium", "OpenJDK 64-Bit Server VM", "17.0.15", List.of("-Xmx1g"));
    /** How many commits {@link #writeReportStore} writes. */
    public static final int REPORT_COMMITS = 5;
    /** The commit (index) of {@link #writeReportStore} that ran on {@link #OTHER_HOST}. */
    public static final int OTHER_HOST_COMMIT = 2;

    private Fixtures() {
    }

    /**
     * @param seed  random seed.
     * @param n     samples.
     * @param scale median of the lognormal-ish samples.
     * @return positive, continuous samples (no ties with overwhelming probability).
     */
    public static double[] samples(final long seed, final int n, final double scale) {
        final Random random = new Random(seed);
        final double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = scale * Math.exp(0.05 * random.nextGaussian());
        }
        return out;
    }

    /**
     * @param commit  commit sha.
     * @param started start time.
     * @param seed    random seed.
     * @param n       samples per metric.
     * @param scale   multiplier of every median (1 = baseline).
     * @return a loadgen run over sizes 3, 5, 7 and two patterns, two metrics each.
     */
    public static RunResult loadgenRun(final String commit, final Instant started, final long seed, final int n,
        final double scale) {
        final RunResult.Builder run = RunResult.builder(Kind.LOADGEN)
            .git(new GitInfo(commit, false, "main"))
            .host(HOST)
            .started(started)
            .config(Map.of("target", "sim", "trials", n, "sizes", List.of(3, 5, 7)));
        long s = seed;
        for (final String pattern : List.of("leader-crash", "cold-start")) {
            for (final int size : new int[]{3, 5, 7}) {
                run.cell(Cell.loadgen("sim", size, pattern, "zookeeper")
                    .metric("time_to_leader_ms",
                        Metric.of("ms", Better.LOWER, samples(s++, n, scale * (200 + 20 * size))))
                    .metric("messages_per_election",
                        Metric.of("msgs", Better.LOWER, samples(s++, n, size * size * 2.0)))
                    .build());
            }
        }
        return run.build();
    }

    /**
     * @param run a run.
     * @return the run without its cells.
     */
    public static RunResult envelope(final RunResult run) {
        return new RunResult(run.schema(), run.kind(), run.commit(), run.isDirty(), run.branch(), run.started(),
            run.host(), run.config(), List.of());
    }

    /**
     * Writes a store of {@code commits} commits (fake shas, time order), the last one 20% slower
     * in time_to_leader_ms, plus one JMH run at the last commit.
     *
     * @param root    repository root to write under.
     * @param commits how many commits, at least 2.
     * @return the shas oldest first.
     * @throws IOException when writing fails.
     */
    public static List<String> writeStore(final Path root, final int commits) throws IOException {
        final String[] shas = new String[commits];
        final Instant t0 = Instant.parse("2025-01-01T10:00:00Z");
        for (int i = 0; i < commits; i++) {
            shas[i] = String.format("%02x", i + 1).repeat(20);
            final double scale = i == commits - 1 ? 1.2 : 1.0;
            final RunResult full = loadgenRun(shas[i], t0.plusSeconds(3600L * i), 100L * i, 20, scale);
            final RunWriter writer = RunWriter.create(root, envelope(full));
            for (final Cell cell : full.cells()) {
                writer.addCell(cell);
            }
        }
        RunWriter.create(root, RunResult.builder(Kind.JMH).git(new GitInfo(shas[commits - 1], false, "main")).host(HOST)
            .started(t0.plusSeconds(3600L * commits))
            .cell(Cell.jmh("io.electionbench.benchmarks.VoteOrderBenchmark.compare", Map.of("size", "5"))
                .metric("avgt", Metric.of("ns/op", Better.LOWER, samples(7, 10, 12.5))).build())
            .build());
        return List.of(shas);
    }

    /**
     * The store the report check draws: {@link #REPORT_COMMITS} commits of our process target (tens
     * of ms), ZooKeeper 3.9.5 controls (hundreds of ms) and the simulator, commit
     * {@link #OTHER_HOST_COMMIT} on another machine, and a JMH run at the last two commits. At the
     * last commit the machine drifts (ZooKeeper +15%), ours moves +10% at size 3 (within the drift)
     * and +40% at size 5 (a regression), and JMH's gc.alloc.rate.norm rises (a secondary metric)
     * next to a counter whose direction is not declared.
     *
     * @param root repository root to write under.
     * @return the shas oldest first.
     * @throws IOException when writing fails.
     */
    public static List<String> writeReportStore(final Path root) throws IOException {
        final String[] shas = new String[REPORT_COMMITS];
        final Instant t0 = Instant.parse("2025-03-01T10:00:00Z");
        for (int i = 0; i < REPORT_COMMITS; i++) {
            shas[i] = String.format("%02x", 0xa1 + i).repeat(20);
            final boolean isLast = i == REPORT_COMMITS - 1;
            final double drift = isLast ? 1.15 : 1.0;
            final long seed = 1000L * i;
            final RunResult.Builder run = RunResult.builder(Kind.LOADGEN).git(new GitInfo(shas[i], false, "main"))
                .host(i == OTHER_HOST_COMMIT ? OTHER_HOST : HOST).started(t0.plusSeconds(3600L * i))
                .config(Map.of("target", "process,zookeeper,sim", "trials", 20));
            run.cell(reportCell("process", 3, "fast", seed + 1, 21.0 * (isLast ? 1.10 : 1.0)));
            run.cell(reportCell("process", 5, "fast", seed + 2, 38.0 * (isLast ? 1.40 : 1.0)));
            run.cell(reportCell("zookeeper", 3, "zk-3.9.5", seed + 3, 356.0 * drift));
            run.cell(reportCell("zookeeper", 5, "zk-3.9.5", seed + 4, 386.0 * drift));
            run.cell(reportCell("sim", 3, "zookeeper", seed + 5, 222.0));
            run.cell(reportCell("sim", 5, "zookeeper", seed + 6, 235.0));
            RunWriter.create(root, run.build());
            if (i >= REPORT_COMMITS - 2) {
                RunWriter.create(root, RunResult.builder(Kind.JMH).git(new GitInfo(shas[i], false, "main"))
                    .host(HOST).started(t0.plusSeconds(3600L * i + 600))
                    .cell(Cell.jmh("io.electionbench.benchmarks.VoteOrderBenchmark.compare", Map.of("size", "5"))
                        .metric("avgt", Metric.of("ns/op", Better.LOWER, samples(seed + 7, 10, 12.5)))
                        .metric("gc.alloc.rate.norm", Metric.of("B/op", Better.LOWER,
                            samples(seed + 8, 10, isLast ? 48.0 : 16.0)))
                        .metric("ringFull", Metric.of("ops/us", Better.UNKNOWN,
                            samples(seed + 9, 10, isLast ? 9.0 : 3.0)))
                        .build())
                    .build());
            }
        }
        return List.of(shas);
    }

    private static Cell reportCell(final String target, final int size, final String policy, final long seed,
        final double medianMs) {
        return Cell.loadgen(target, size, "leader-crash", policy)
            .metric("time_to_leader_ms", Metric.of("ms", Better.LOWER, samples(seed, 20, medianMs)))
            .metric("time_to_ready_ms", Metric.of("ms", Better.LOWER, samples(seed + 500, 20, medianMs + 2.0)))
            .build();
    }
}
