package io.electionbench.results;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One measured configuration of a run and its metrics. A load-generator cell is identified by
 * target, ensemble size, crash pattern and election policy, and its params where it has any (the
 * data preloaded: {@code preload}, {@code value_bytes}); a JMH cell by benchmark and params. The
 * fields of the other kind are null.
 *
 * @param target    ensemble target (sim, inproc, process, zookeeper, remote), loadgen only.
 * @param size      ensemble size, loadgen only.
 * @param pattern   crash pattern, loadgen only.
 * @param policy    election policy, loadgen only.
 * @param benchmark fully qualified JMH benchmark method, jmh only.
 * @param params    JMH {@code @Param} values in file order; for a load-generator cell, further dimensions
 *                  of the matrix (empty when it has none).
 * @param metrics   metric name (e.g. {@code time_to_leader_ms}) to metric, in insertion order.
 * @param hostClocks the hosts target's clock estimates of each host at the cell's start and end (empty elsewhere).
 * @param faultMechanisms the hosts target's firewall mechanism per server id ({@code iptables}, {@code nft}), or
 *                  why it has none; empty elsewhere.
 */
public record Cell(
    String target,
    Integer size,
    String pattern,
    String policy,
    String benchmark,
    Map<String, String> params,
    Map<String, Metric> metrics,
    List<HostClock> hostClocks,
    Map<String, String> faultMechanisms) {
    /** The target whose cells are controls (see {@link #isControl()}). */
    public static final String CONTROL_TARGET = "zookeeper";

    /** Copies the maps so a cell never changes after construction. */
    public Cell {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params == null ? Map.of() : params));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(metrics, "metrics")));
        hostClocks = List.copyOf(hostClocks == null ? List.of() : hostClocks);
        faultMechanisms = Collections.unmodifiableMap(new LinkedHashMap<>(faultMechanisms == null ? Map.of()
            : faultMechanisms));
    }

    /** A cell without host diagnostics: every target but hosts, and every JMH cell. */
    public Cell(final String target, final Integer size, final String pattern, final String policy,
        final String benchmark, final Map<String, String> params, final Map<String, Metric> metrics) {
        this(target, size, pattern, policy, benchmark, params, metrics, List.of(), Map.of());
    }

    /**
     * Starts a load-generator cell.
     *
     * @param target  e.g. "sim".
     * @param size    ensemble size.
     * @param pattern e.g. "leader-crash".
     * @param policy  e.g. "zookeeper".
     * @return a builder to add metrics to.
     */
    public static Builder loadgen(final String target, final int size, final String pattern, final String policy) {
        return loadgen(target, size, pattern, policy, Map.of());
    }

    /** A load-generator cell with further dimensions ({@code preload=100000}), part of its identity. */
    public static Builder loadgen(final String target, final int size, final String pattern, final String policy,
        final Map<String, String> params) {
        return new Builder(Objects.requireNonNull(target, "target"), size, Objects.requireNonNull(pattern, "pattern"),
            Objects.requireNonNull(policy, "policy"), null, params);
    }

    /**
     * Starts a JMH cell.
     *
     * @param benchmark fully qualified benchmark method.
     * @param params    {@code @Param} values, may be empty.
     * @return a builder to add metrics to.
     */
    public static Builder jmh(final String benchmark, final Map<String, String> params) {
        return new Builder(null, null, null, null, Objects.requireNonNull(benchmark, "benchmark"), params);
    }

    /**
     * A stable name used to match cells between runs and to label them, in benchstat's
     * sub-benchmark style: {@code target=sim/size=5/pattern=leader-crash/policy=zookeeper} or
     * {@code pkg.Bench.method/param=value/...}.
     *
     * @return the cell's identity.
     */
    public String id() {
        final StringBuilder sb = new StringBuilder();
        if (benchmark != null) {
            sb.append(benchmark);
            params.forEach((k, v) -> sb.append('/').append(k).append('=').append(v));
            return sb.toString();
        }
        sb.append("target=").append(target).append("/size=").append(size).append("/pattern=").append(pattern)
            .append("/policy=").append(policy);
        params.forEach((k, v) -> sb.append('/').append(k).append('=').append(v));
        return sb.toString();
    }

    /**
     * A control is a cell of the real ZooKeeper target: it runs a released ZooKeeper that no commit
     * of this repository changes, so its shift between two runs is the machine's drift, not ours.
     *
     * @return true for a load-generator cell whose target is "zookeeper".
     */
    public boolean isControl() {
        return CONTROL_TARGET.equals(target);
    }

    /** @return true for a JMH cell. */
    public boolean isJmh() {
        return benchmark != null;
    }

    /** Accumulates metrics for one cell; not thread-safe. */
    public static final class Builder {
        private final String target;
        private final Integer size;
        private final String pattern;
        private final String policy;
        private final String benchmark;
        private final Map<String, String> params;
        private final Map<String, Metric> metrics = new LinkedHashMap<>();
        private final List<HostClock> hostClocks = new ArrayList<>();
        private final Map<String, String> faultMechanisms = new LinkedHashMap<>();

        private Builder(
            final String target,
            final Integer size,
            final String pattern,
            final String policy,
            final String benchmark,
            final Map<String, String> params) {
            this.target = target;
            this.size = size;
            this.pattern = pattern;
            this.policy = policy;
            this.benchmark = benchmark;
            this.params = params;
        }

        /**
         * @param name   metric name, e.g. {@code time_to_leader_ms}; a repeated name replaces.
         * @param metric the metric.
         * @return this.
         */
        public Builder metric(final String name, final Metric metric) {
            metrics.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(metric, "metric"));
            return this;
        }

        /** Adds clock estimates of the cell's hosts ({@link HostClock}). */
        public Builder hostClocks(final List<HostClock> clocks) {
            hostClocks.addAll(clocks);
            return this;
        }

        /** Records how faults were made on the cell's hosts: server id to mechanism. */
        public Builder faultMechanisms(final Map<String, String> mechanisms) {
            faultMechanisms.putAll(mechanisms);
            return this;
        }

        /** @return the cell. */
        public Cell build() {
            return new Cell(target, size, pattern, policy, benchmark, params, metrics, hostClocks, faultMechanisms);
        }
    }
}
