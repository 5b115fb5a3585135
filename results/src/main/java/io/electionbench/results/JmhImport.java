package io.electionbench.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Wraps JMH's {@code -rf json} output in a run of kind "jmh".
 *
 * <p>One cell per benchmark and params. The primary metric is named after the mode
 * ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss}); its samples are the iteration scores
 * of every fork ({@code rawData} flattened), its unit is {@code scoreUnit}, and higher is better
 * only for {@code thrpt}. For {@code sample} mode without rawData, each iteration's sample is the
 * mean of its {@code rawDataHistogram}. Secondary metrics keep their name without JMH's leading
 * "·" (e.g. {@code gc.alloc.rate.norm}); their direction is declared for the GC profiler's
 * {@link #SECONDARY_DIRECTIONS} and {@link Better#UNKNOWN} for every other (an {@code @AuxCounters}
 * field or a group member's score is reported in ops/s whatever it counts). A metric without raw
 * data keeps its score as its only sample, marked per-run (a summary of the whole run, see
 * {@link Metric#isPerRun()}). When one benchmark appears in several modes, secondary metrics after
 * the first get {@code @mode} appended.
 * The host's JVM fields are what JMH recorded (see {@code jvmOf} for the vendor). Every metric also
 * keeps JMH's own score, score error, confidence interval and percentiles ({@link JmhScore}), and
 * the config records the file's SHA-256, by which {@code import-jmh} recognises a file it stored before.
 */
public final class JmhImport {
    /** The config key holding the hex SHA-256 of the imported JMH file. */
    public static final String SOURCE_SHA256 = "source_sha256";
    /** JMH's modes: the primary metric of an entry is named after its mode. */
    private static final Set<String> MODES = Set.of("thrpt", "avgt", "sample", "ss");
    /**
     * Directions of the secondary metrics whose meaning is known: JMH's GC profiler
     * ({@code org.openjdk.jmh.profile.GCProfiler}) reports allocation rates and GC time, which
     * cost; its {@code gc.count} stays unknown, since fewer collections can be longer ones.
     */
    static final Map<String, Better> SECONDARY_DIRECTIONS = Map.of(
        "gc.alloc.rate", Better.LOWER,
        "gc.alloc.rate.norm", Better.LOWER,
        "gc.time", Better.LOWER);

    private JmhImport() {
    }

    /**
     * @param jmhJson the file JMH wrote with {@code -rf json}.
     * @param git     the commit the benchmarks were built from.
     * @param host    the machine they ran on; its JVM fields are replaced by what JMH recorded.
     * @param started when the run started.
     * @return the run.
     * @throws RunFileException when the file is missing, not JSON or not JMH output.
     */
    public static RunResult read(final Path jmhJson, final GitInfo git, final HostInfo host, final Instant started) {
        final JsonNode root;
        final String sha256;
        try {
            final byte[] bytes = Files.readAllBytes(jmhJson);
            sha256 = sha256(bytes);
            root = RunCodec.MAPPER.readTree(bytes);
        } catch (final NoSuchFileException ex) {
            throw new RunFileException(jmhJson, "no such file");
        } catch (final JsonProcessingException ex) {
            throw new RunFileException(jmhJson, "malformed JSON at line " + ex.getLocation().getLineNr() + ": "
                + ex.getOriginalMessage(), ex);
        } catch (final IOException ex) {
            throw new RunFileException(jmhJson, "cannot read: " + ex.getMessage(), ex);
        }
        final RunResult run = convert(root, jmhJson, git, host, started);
        final Map<String, Object> config = new LinkedHashMap<>(run.config());
        config.put(SOURCE_SHA256, sha256);
        return new RunResult(run.schema(), run.kind(), run.commit(), run.isDirty(), run.branch(), run.started(),
            run.host(),
            config, run.cells());
    }

    /**
     * Finds a stored run that already holds this import: one whose source file had the same
     * SHA-256, or, for runs stored before the hash was recorded, a JMH run of the same commit with
     * the same cells and samples. Importing it again would pool the same iterations twice.
     *
     * @param stored every run in the store.
     * @param run    a run read by {@link #read}.
     * @return the stored run, if any.
     */
    public static java.util.Optional<StoredRun> findImported(final List<StoredRun> stored, final RunResult run) {
        final Object hash = run.config().get(SOURCE_SHA256);
        for (final StoredRun s : stored) {
            if (s.run().kind() != Kind.JMH) {
                continue;
            }
            final Object storedHash = s.run().config().get(SOURCE_SHA256);
            final boolean isSame = storedHash != null ? storedHash.equals(hash)
                : s.run().commit().equals(run.commit()) && sameSamples(s.run().cells(), run.cells());
            if (isSame) {
                return java.util.Optional.of(s);
            }
        }
        return java.util.Optional.empty();
    }

    private static boolean sameSamples(final List<Cell> a, final List<Cell> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            final Map<String, Metric> ma = a.get(i).metrics();
            final Map<String, Metric> mb = b.get(i).metrics();
            if (!a.get(i).id().equals(b.get(i).id()) || !ma.keySet().equals(mb.keySet())) {
                return false;
            }
            for (final String name : ma.keySet()) {
                if (!java.util.Arrays.equals(ma.get(name).samples(), mb.get(name).samples())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return the hex SHA-256 of the bytes: how a JMH file already imported is recognised. */
    static String sha256(final byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (final java.security.NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every Java platform has SHA-256", ex);
        }
    }

    /**
     * @param root    the parsed JMH output (a JSON array).
     * @param source  where it came from, for messages and the config.
     * @param git     the commit.
     * @param host    the machine.
     * @param started when the run started.
     * @return the run.
     * @throws RunFileException when the tree is not JMH output.
     */
    public static RunResult convert(
        final JsonNode root, final Path source, final GitInfo git, final HostInfo host, final Instant started) {
        if (!root.isArray() || root.isEmpty()) {
            throw new RunFileException(source, "not JMH -rf json output: expected a non-empty JSON array");
        }
        final Map<String, Cell.Builder> cells = new LinkedHashMap<>();
        final Map<String, Integer> modesSeen = new LinkedHashMap<>();
        final List<Object> entries = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            final JsonNode entry = root.get(i);
            final String path = "[" + i + "]";
            final String benchmark = requireText(entry, "benchmark", path, source);
            final String mode = requireText(entry, "mode", path, source);
            final Map<String, String> params = new LinkedHashMap<>();
            entry.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            final String key = Cell.jmh(benchmark, params).build().id();
            final Cell.Builder cell = cells.computeIfAbsent(key, k -> Cell.jmh(benchmark, params));
            final boolean isFirstMode = modesSeen.merge(key, 1, Integer::sum) == 1;
            final JsonNode primary = entry.path("primaryMetric");
            if (!primary.isObject()) {
                throw new RunFileException(source, path + ": missing field 'primaryMetric'");
            }
            cell.metric(mode, metric(primary, mode, "thrpt".equals(mode) ? Better.HIGHER : Better.LOWER, path, source));
            entry.path("secondaryMetrics").properties().forEach(e -> {
                final String name = e.getKey().replaceFirst("^\u00b7", "") + (isFirstMode ? "" : "@" + mode);
                final Better better = SECONDARY_DIRECTIONS.getOrDefault(e.getKey().replaceFirst("^\u00b7", ""),
                    Better.UNKNOWN);
                cell.metric(name, metric(e.getValue(), name, better, path + ".secondaryMetrics", source));
            });
            entries.add(entryConfig(entry));
        }
        final RunResult.Builder run = RunResult.builder(Kind.JMH).git(git).started(started)
            .host(jvmOf(root.get(0), host)).config(config(root.get(0), source, entries));
        cells.values().forEach(c -> run.cell(c.build()));
        return run.build();
    }

    /**
     * @param metricName a metric name of a JMH cell.
     * @return true for the primary metric (named after its mode), false for a secondary one
     *         (a profiler's, a counter's, or a group member's).
     */
    public static boolean isPrimaryMetric(final String metricName) {
        return MODES.contains(metricName);
    }

    private static Metric metric(final JsonNode m, final String name, final Better better, final String path,
        final Path source) {
        final JsonNode unit = m.get("scoreUnit");
        if (unit == null || !unit.isTextual()) {
            throw new RunFileException(source, path + "." + name + ": missing field 'scoreUnit'");
        }
        final Metric.Builder b = Metric.builder(unit.textValue(), better);
        if (m.path("rawData").isArray() && !m.get("rawData").isEmpty()) {
            m.get("rawData").forEach(fork -> fork.forEach(v -> b.add(v.asDouble())));
        } else if (m.path("rawDataHistogram").isArray() && !m.get("rawDataHistogram").isEmpty()) {
            m.get("rawDataHistogram").forEach(fork -> fork.forEach(iteration -> b.add(histogramMean(iteration))));
        } else if (m.path("score").isNumber()) {
            b.perRun(true).add(m.get("score").asDouble());
        } else {
            throw new RunFileException(source, path + "." + name + ": no rawData and no numeric score");
        }
        return b.build().withJmh(RunCodec.jmhScore(m));
    }

    /** Mean of one iteration's histogram, given as [[value, count], ...]. */
    private static double histogramMean(final JsonNode iteration) {
        double sum = 0.0;
        double count = 0.0;
        for (final JsonNode bucket : iteration) {
            sum += bucket.path(0).asDouble() * bucket.path(1).asDouble();
            count += bucket.path(1).asDouble();
        }
        return count == 0.0 ? 0.0 : sum / count;
    }

    /**
     * JMH records the JVM's version, VM name and arguments but not its vendor. The vendor is the
     * importing JVM's when version and VM name match it (JMH forks with the JVM that runs it, and
     * BenchMain imports in that JVM), otherwise unknown.
     */
    private static HostInfo jvmOf(final JsonNode first, final HostInfo host) {
        if (!first.has("jdkVersion")) {
            return host;
        }
        final List<String> flags = new ArrayList<>();
        first.path("jvmArgs").forEach(a -> flags.add(a.asText()));
        final String version = first.path("jdkVersion").asText();
        final String vmName = first.path("vmName").asText(host.jvmName());
        final boolean isImportingJvm = version.equals(host.jvmVersion()) && vmName.equals(host.jvmName());
        return host.withJvm(isImportingJvm ? host.jvmVendor() : null, vmName, version, flags);
    }

    private static Map<String, Object> config(final JsonNode first, final Path source, final List<Object> entries) {
        final Map<String, Object> config = new LinkedHashMap<>();
        config.put("tool", "jmh");
        config.put("source", String.valueOf(source.getFileName()));
        config.put("jmhVersion", first.path("jmhVersion").asText("unknown"));
        config.put("jvm", first.path("jvm").asText("unknown"));
        config.put("benchmarks", entries);
        return config;
    }

    /** What is needed to rerun one benchmark entry: its settings, not its results. */
    private static Object entryConfig(final JsonNode entry) {
        final Map<String, Object> c = new LinkedHashMap<>();
        for (final String field : new String[]{"benchmark", "mode", "threads", "forks", "warmupIterations",
            "warmupTime", "warmupBatchSize", "measurementIterations", "measurementTime", "measurementBatchSize",
            "params"}) {
            if (entry.has(field)) {
                c.put(field, RunCodec.MAPPER.convertValue(entry.get(field), Object.class));
            }
        }
        return c;
    }

    private static String requireText(final JsonNode node, final String field, final String path, final Path source) {
        final JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new RunFileException(source, path + ": missing field '" + field + "'");
        }
        return v.textValue();
    }
}
