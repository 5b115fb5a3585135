package io.electionbench.loadgen;

import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.electionbench.loadgen.run.CellRunner;
import io.electionbench.loadgen.run.Pattern;
import io.electionbench.loadgen.run.ServerReports;
import io.electionbench.loadgen.run.TargetKind;
import io.electionbench.loadgen.run.TrialRunner;
import io.electionbench.results.Better;
import io.electionbench.results.Cell;
import io.electionbench.results.HostClock;
import io.electionbench.results.Metric;

/**
 * Collects a run's finished cells into result cells for the run file and a table (or JSON lines) on stdout:
 * the table's columns, the notes under it (skipped cells, safety violations, unrecovered trials) and the
 * lines that say how it was measured. docs/loadgen.md, "Reading the table", explains the columns.
 */
final class RunSummary {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Columns every table has, then the write and sync columns, shown only when some row has a value. */
    private static final String[] HEADERS = {"target", "n", "pattern", "policy", "trials", "detect p50", "leader p50",
        "ready p50", "ready p99", "ready max", "rounds", "msgs", "failed", "w p50", "w p99", "w max", "unavail",
        "commits", "unknown", "sync tx/s", "sync ms", "cl disc", "cl r-un", "cl w-un", "expired"};
    private static final int FIXED_COLUMNS = 13;
    private static final String NONE = "-";

    private final boolean isJson;
    private final boolean isWriting;
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Per cell of the hosts target, the fault uncertainty shown under the table. */
    private final List<String> uncertainty = new ArrayList<>();
    private final List<ReadyP50> readyP50 = new ArrayList<>();
    /** Per server of the hosts target, its first clock estimate of the run and its last. */
    private final Map<Long, HostClock> firstClock = new java.util.TreeMap<>();
    private final Map<Long, HostClock> lastClock = new java.util.TreeMap<>();
    private final Map<String, String> mechanisms = new java.util.TreeMap<>();

    /** A cell's ready p50 for the ratios under the table; {@code group} is its size, pattern and params. */
    private record ReadyP50(String group, TargetKind kind, String policy, double ms) {
        /** What the ratio line calls this cell: its params after {@code base}'s, its target and policy. */
        String label(final ReadyP50 base) {
            return (group + " " + kind.cliName() + " " + policy).substring(base.group.length() + 1);
        }
    }

    RunSummary(final boolean isJson, final boolean isWriting) {
        this.isJson = isJson;
        this.isWriting = isWriting;
    }

    /** Adds a finished cell to the table (or prints its JSON line); null for a skipped cell, else the result cell. */
    Cell add(final TargetKind kind, final int size, final Pattern pattern, final String policyName,
        final Map<String, String> params, final CellRunner.CellOutcome o) throws Exception {
        final String target = kind.cliName();
        final String data = (params.containsKey("preload") ? " preload=" + params.get("preload") : "")
            + (params.containsKey("observe") ? " observe=" + params.get("observe") : "");
        final String name = target + " n=" + size + " " + pattern.flag() + " " + policyName + data;
        if (o.skipped() != null) {
            notes.add(name + ": skipped, " + o.skipped());
            return null;
        }
        o.violations().forEach(v -> notes.add(name + ": SAFETY " + v));
        if (o.failed() > 0) {
            notes.add(name + ": " + o.failed() + " trial(s) did not recover within the timeout");
            o.failures().forEach(f -> notes.add(name + ": " + f));
        }
        final Metric detection = ms(o, s -> s.outcome().detectionNs());
        final Metric leader = ms(o, s -> s.outcome().leaderNs());
        final Metric ready = ms(o, s -> s.outcome().readyNs());
        final Metric rounds = count(o, s -> s.outcome().rounds(), "rounds");
        final Metric messages = count(o, s -> s.notifications(), "messages");
        final Cell.Builder cell = Cell.loadgen(target, size, pattern.flag(), policyName,
            params.isEmpty() ? Map.of() : new java.util.TreeMap<>(params));
        if (detection.n() > 0) {
            cell.metric("detection_ms", detection);
        }
        cell.metric("time_to_leader_ms", leader).metric("time_to_ready_ms", ready).metric("election_rounds", rounds)
            .metric("failed_trials", Metric.perRun("trials", Better.LOWER, o.failed()));
        final Metric.Builder reported = Metric.builder("ms", Better.LOWER);
        o.reports().forEach(r -> r.electionsMs().forEach(reported::add));
        final Metric zkReported = reported.build();
        if (zkReported.n() > 0) {
            cell.metric("zk_reported_election_ms", zkReported);
        }
        if (!o.faultUncertaintyNs().isEmpty()) {
            final double[] ms = o.faultUncertaintyNs().stream().mapToDouble(ns -> ns / 1e6).toArray();
            cell.metric("fault_uncertainty_ms", Metric.perRun("ms", Better.LOWER, ms));
            final double[] sorted = ms.clone();
            java.util.Arrays.sort(sorted);
            uncertainty.add(String.format(Locale.ROOT, "%s: p50 %.1f ms, max %.1f ms over %d trials", name,
                sorted[(sorted.length - 1) / 2], sorted[sorted.length - 1], sorted.length));
        }
        if (!o.hostClocks().isEmpty()) {
            cell.hostClocks(o.hostClocks());
            for (final HostClock c : o.hostClocks()) {
                firstClock.putIfAbsent(c.sid(), c);
                lastClock.put(c.sid(), c);
            }
        }
        if (!o.faultMechanisms().isEmpty()) {
            cell.faultMechanisms(o.faultMechanisms());
            mechanisms.putAll(o.faultMechanisms());
        }
        if (!o.preloadMs().isEmpty()) {
            cell.metric("preload_ms", Metric.perRun("ms", Better.LOWER,
                o.preloadMs().stream().mapToDouble(Long::doubleValue).toArray()));
        }
        if (o.reports().stream().anyMatch(r -> r.diffs() + r.truncs() + r.snaps() > 0)) {
            cell.metric("zk_syncs_diff", Metric.perRun("learners", Better.HIGHER,
                o.reports().stream().mapToDouble(ServerReports::diffs).toArray()));
            cell.metric("zk_syncs_trunc", Metric.perRun("learners", Better.LOWER,
                o.reports().stream().mapToDouble(ServerReports::truncs).toArray()));
            cell.metric("zk_syncs_snap", Metric.perRun("learners", Better.LOWER,
                o.reports().stream().mapToDouble(ServerReports::snaps).toArray()));
            final Metric.Builder gaps = Metric.builder("txns", Better.UNKNOWN);
            o.reports().forEach(r -> r.syncGaps().forEach(gaps::add));
            final Metric syncTxns = gaps.build();
            if (syncTxns.n() > 0) {
                cell.metric("zk_sync_txns", syncTxns);
            }
        }
        final boolean hasMessages = o.samples().stream().allMatch(s -> s.notifications() >= 0);
        if (hasMessages) {
            cell.metric("messages_per_election", messages);
        }
        final CellWriteMetrics w = isWriting ? new CellWriteMetrics(o) : null;
        if (w != null) {
            w.addTo(cell);
        }
        final CellClientMetrics c = o.clients().isEmpty() ? null : new CellClientMetrics(o.clients());
        if (c != null) {
            c.addTo(cell, kind.hasZooKeeperSessions());
            if (c.unrecovered > 0) {
                notes.add(name + ": " + c.unrecovered + " client session trial(s) without a read or write success"
                    + " after the fault by the trial's end (left out of the client metrics)");
            }
        }
        if (ready.n() > 0) {
            readyP50.add(new ReadyP50(size + " " + pattern.flag() + data, kind, policyName, ready.p50()));
        }
        if (isJson) {
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("target", target);
            m.put("size", size);
            m.put("pattern", pattern.flag());
            m.put("preload", params.containsKey("preload") ? Long.parseLong(params.get("preload")) : 0);
            m.put("observe", params.getOrDefault("observe", kind.observation().name().toLowerCase(Locale.ROOT)));
            m.put("preload_ms", o.preloadMs().isEmpty() ? null : o.preloadMs().get(0));
            m.put("policy", policyName);
            m.put("n", ready.n());
            m.put("failed", o.failed());
            m.put("failures", o.failures());
            m.put("violations", o.violations());
            m.put("detection_p50_ms", detection.n() > 0 ? detection.p50() : null);
            m.put("time_to_leader_p50_ms", leader.p50());
            m.put("time_to_ready_p50_ms", ready.p50());
            m.put("time_to_ready_p99_ms", ready.p99());
            m.put("time_to_ready_max_ms", ready.max());
            m.put("messages_per_election_p50", hasMessages ? messages.p50() : null);
            m.put("zk_reported_election_p50_ms", zkReported.n() > 0 ? zkReported.p50() : null);
            final int[] syncsSent = new int[3];
            o.reports().forEach(r -> {
                syncsSent[0] += r.diffs();
                syncsSent[1] += r.truncs();
                syncsSent[2] += r.snaps();
            });
            final List<Long> syncGaps = new ArrayList<>();
            o.reports().forEach(r -> syncGaps.addAll(r.syncGaps()));
            m.put("zk_syncs", Map.of("diff", syncsSent[0], "trunc", syncsSent[1], "snap", syncsSent[2],
                "txns", syncGaps));
            if (!o.hostClocks().isEmpty()) {
                final List<Map<String, Object>> clocks = new ArrayList<>();
                for (final HostClock h : o.hostClocks()) {
                    final Map<String, Object> clock = new LinkedHashMap<>();
                    clock.put("sid", h.sid());
                    clock.put("host", h.host());
                    clock.put("when", h.when());
                    clock.put("at", h.at().toString());
                    clock.put("offset_ms", h.offsetMs());
                    clock.put("error_ms", h.errorMs());
                    clocks.add(clock);
                }
                m.put("host_clocks", clocks);
            }
            if (!o.faultMechanisms().isEmpty()) {
                m.put("fault_mechanism", o.faultMechanisms());
            }
            if (w != null) {
                w.putJson(m);
            }
            if (c != null) {
                c.putJson(m, kind.hasZooKeeperSessions());
            }
            System.out.println(JSON.writeValueAsString(m));
        } else {
            rows.add(new String[] {target, Integer.toString(size), pattern.flag() + data, policyName,
                Integer.toString(ready.n()), fmt(detection, 0.5), fmt(leader, 0.5), fmt(ready, 0.5), p99(ready),
                fmt(ready, 1.0), count(rounds), hasMessages ? count(messages) : NONE, Integer.toString(o.failed()),
                w == null ? NONE : fmt(w.latency, 0.5), w == null ? NONE : fmt(w.latency, 0.99),
                w == null ? NONE : fmt(w.latency, 1.0), w == null ? NONE : fmt(w.unavailability, 0.5),
                w == null ? NONE : Long.toString(w.committedTotal), w == null ? NONE : Long.toString(w.unknownTotal),
                w == null ? NONE : fmt(w.syncTxnsPerS, 0.5), w == null ? NONE : fmt(w.syncMs, 0.5),
                c == null ? NONE : fmt(c.disconnected, 0.5), c == null ? NONE : fmt(c.readUnavailable, 0.5),
                c == null ? NONE : fmt(c.writeUnavailable, 0.5),
                c == null || !kind.hasZooKeeperSessions() ? NONE : Long.toString(c.expiredTotal)});
        }
        return cell.build();
    }

    /** Prints the table with {@code plan}'s footer (or, for JSON, only the notes, on stderr). */
    void print(final RunPlan plan) {
        final List<String> footer = footer(plan);
        if (isJson) {
            notes.forEach(System.err::println);
            return;
        }
        final List<Integer> shown = new ArrayList<>();
        for (int c = 0; c < HEADERS.length; c++) {
            final int column = c;
            if (c < FIXED_COLUMNS || rows.stream().anyMatch(r -> !NONE.equals(r[column]))) {
                shown.add(c);
            }
        }
        System.out.println();
        final int patternWidth = Math.max(22, rows.stream().mapToInt(r -> r[2].length()).max().orElse(0));
        final int policyWidth = Math.max(9, rows.stream().mapToInt(r -> r[3].length()).max().orElse(0));
        System.out.println(line(HEADERS, shown, patternWidth, policyWidth));
        rows.forEach(r -> System.out.println(line(r, shown, patternWidth, policyWidth)));
        System.out.println("times in ms from the fault; rounds and msgs are medians per election; trials:"
            + " elections measured");
        if (hasShortP99) {
            System.out.println("*: from fewer than " + P99_MIN_SAMPLES + " samples the p99 lies between the two largest"
                + " (interpolated, numpy's default): read it as a max");
        }
        final String sim = TargetKind.SIM.cliName();
        if (rows.stream().anyMatch(r -> sim.equals(r[0])) && rows.stream().anyMatch(r -> !sim.equals(r[0]))) {
            System.out.println("sim cells run --sim-trials (default 200: virtual time is cheap), the others --trials");
        }
        footer.forEach(System.out::println);
        if (!uncertainty.isEmpty()) {
            System.out.println("fault uncertainty (hosts: each trial's widest gap from sending a fault's command"
                + " to its host's confirmation; the fault took effect within it; fault_uncertainty_ms in the run"
                + " file):");
            uncertainty.forEach(u -> System.out.println("  " + u));
        }
        printHostClocks();
        printRatios();
        notes.forEach(n -> System.out.println("note: " + n));
    }

    /**
     * The hosts' clocks once: each host's offset from the load generator's real-time clock at its first estimate of
     * the run and at its last, with their error bounds, and what made its firewall faults.
     */
    private void printHostClocks() {
        if (firstClock.isEmpty()) {
            return;
        }
        System.out.println("host clocks (each host's real-time clock minus the load generator's, +- the error bound;"
            + " every time above is on the load generator's clock; host_clocks and fault_mechanism in the run file):");
        firstClock.forEach((sid, first) -> {
            final HostClock last = lastClock.get(sid);
            System.out.printf(Locale.ROOT, "  server %d (%s): %+.3f +- %.3f ms at %s, %+.3f +- %.3f ms at %s;"
                + " firewall faults by %s%n", sid, first.host(), first.offsetMs(), first.errorMs(), first.at(),
                last.offsetMs(), last.errorMs(), last.at(), mechanisms.getOrDefault(Long.toString(sid), "-"));
        });
    }

    /** Left-aligned text columns, right-aligned numbers; pattern and policy as wide as their longest name. */
    private static String line(final String[] cells, final List<Integer> shown, final int patternWidth,
        final int policyWidth) {
        final StringBuilder sb = new StringBuilder();
        for (final int c : shown) {
            final int width = c == 3 ? policyWidth : c == 0 ? 9 : c == 1 ? 3 : c == 2 ? patternWidth : c == 4 ? 5
                : c == 10 ? 7 : c == 11 ? 8 : c == 12 ? 6 : 10;
            final boolean isLeft = c == 0 || c == 2 || c == 3;
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(isLeft ? String.format("%-" + width + "s", cells[c])
                : String.format("%" + width + "s", cells[c]));
        }
        return sb.toString().stripTrailing();
    }

    /**
     * For every size and pattern measured on ZooKeeper and on real servers of another target (with the same
     * params or more): ZooKeeper's ready p50 over theirs.
     */
    private void printRatios() {
        for (final ReadyP50 zk : readyP50) {
            if (!zk.kind().runsZooKeeperReleases()) {
                continue;
            }
            final String version = zk.policy().substring("zk-".length());
            for (final ReadyP50 ours : readyP50) {
                if ((ours.group() + " ").startsWith(zk.group() + " ") && !ours.kind().runsZooKeeperReleases()
                    && !ours.kind().isSimulated() && ours.ms() > 0) {
                    System.out.printf("ratio: n=%s ZooKeeper %s ready p50 %.1f ms / %s ready p50 %.2f ms = %.1fx%n",
                        zk.group(), version, zk.ms(), ours.label(zk), ours.ms(), zk.ms() / ours.ms());
                }
            }
        }
    }

    /** Below this many samples a p99 is only the largest one, and the table says so with a mark. */
    static final int P99_MIN_SAMPLES = 100;

    private boolean hasShortP99;

    /** A p99 from fewer than {@link #P99_MIN_SAMPLES} samples is their max: marked {@code *}, explained below. */
    private String p99(final Metric m) {
        if (m.n() > 0 && m.n() < P99_MIN_SAMPLES) {
            hasShortP99 = true;
            return fmt(m, 0.99) + "*";
        }
        return fmt(m, 0.99);
    }

    /** A median of counts: a whole number as one ({@code 5}, not {@code 5.00}); a median between two as .5. */
    private static String count(final Metric m) {
        if (m.n() == 0) {
            return "-";
        }
        final double v = m.quantile(0.5);
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmt(final Metric m, final double q) {
        if (m.n() == 0) {
            return "-";
        }
        final double v = q >= 1.0 ? m.max() : m.quantile(q);
        return v >= 100 ? String.format("%.0f", v) : String.format("%.2f", v);
    }

    /** Milliseconds of the samples where the value was reached. */
    private static Metric ms(final CellRunner.CellOutcome o, final ToLongFunction<TrialRunner.Sample> f) {
        final Metric.Builder b = Metric.builder("ms", Better.LOWER);
        for (final TrialRunner.Sample s : o.samples()) {
            final long ns = f.applyAsLong(s);
            if (ns >= 0) {
                b.add(ns / 1e6);
            }
        }
        return b.build();
    }

    private static Metric count(final CellRunner.CellOutcome o, final ToLongFunction<TrialRunner.Sample> f,
        final String unit) {
        final Metric.Builder b = Metric.builder(unit, Better.LOWER);
        for (final TrialRunner.Sample s : o.samples()) {
            b.add(f.applyAsLong(s));
        }
        return b.build();
    }

    /** The lines under the table: what was written, and with which fsync policy. */
    private static List<String> footer(final RunPlan plan) {
        final List<String> lines = new ArrayList<>();
        final StringBuilder fs = new StringBuilder("txn log fsync:");
        plan.fsyncByTarget().forEach((t, f) -> fs.append(' ').append(t).append('=').append(f));
        lines.add(fs.toString().replace("=n/a (in-memory log)", "=n/a"));
        final RunPlan.Load load = plan.load();
        if (load.isWriting()) {
            lines.add(String.format(Locale.ROOT, "writes: %s/s open loop, 128 bytes each; w p50/p99/max: latency from"
                + " each write's intended time; unavail: p50 of the longest stretch without a commit around the fault;"
                + " commits/unknown: totals", new DecimalFormat("0.###").format(load.writeRate())));
        }
        if (load.clients().sessions() > 0) {
            lines.add(String.format(Locale.ROOT, "clients: %d sessions per cell, %s operations/s each (half reads),"
                + " open loop; cl disc, cl r-un, cl w-un: p50 ms per session from the fault (disconnected, read and"
                + " write unavailable); expired: total", load.clients().sessions(),
                new DecimalFormat("0.###").format(load.clients().ratePerS())));
        }
        return lines;
    }
}
