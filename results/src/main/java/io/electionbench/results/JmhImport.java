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

/**
 * Wraps JMH's {@code -rf json} output in a run of kind "jmh".
 *
 * <p>One cell per benchmark and params. The primary metric is named after the mode
 * ({@code thrpt}, {@code avgt}, {@code sample}, {@code ss}); its samples are the iteration scores
 * of every fork ({@code rawData} flattened), its unit is {@code scoreUnit}, and higher is better
 * only for {@code thrpt}. For {@code sample} mode without rawData, each iteration's sample is the
 * mean of its {@code rawDataHistogram}. Secondary metrics keep their name without JMH's leading
 * "·" (e.g. {@code gc.alloc.rate.norm}); lower is better unless the unit is a throughput
 * ({@code ops/...}). A metric without raw data keeps its score as its only sample, marked
 * per-run (a summary of the whole run, see {@link Metric#isPerRun()}). When one
 * benchmark appears in several modes, secondary metrics after the first get {@code @mode} appended.
 * The host's JVM fields are what JMH recorded (see {@code jvmOf} for the vendor).
 */
public final class JmhImport {
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
        try {
            root = RunCodec.MAPPER.readTree(Files.readString(jmhJson));
        } catch (final NoSuchFileException ex) {
            throw new RunFileException(jmhJson, "no such file");
        } catch (final JsonProcessingException ex) {
            throw new RunFileException(jmhJson, "malformed JSON at line " + ex.getLocation().getLineNr() + ": "
                + ex.getOriginalMessage(), ex);
        } catch (final IOException ex) {
            throw new RunFileException(jmhJson, "cannot read: " + ex.getMessage(), ex);
        }
        return convert(root, jmhJson, git, host, started);
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
                final Better better = e.getValue().path("scoreUnit").asText("").startsWith("ops/") ? Better.HIGHER : Better.LOWER;
                cell.metric(name, metric(e.getValue(), name, better, path + ".secondaryMetrics", source));
            });
            entries.add(entryConfig(entry));
        }
        final RunResult.Builder run = RunResult.builder(Kind.JMH).git(git).started(started)
            .host(jvmOf(root.get(0), host)).config(config(root.get(0), source, entries));
        cells.values().forEach(c -> run.cell(c.build()));
        return run.build();
    }

    private static Metric metric(final JsonNode m, final String name, final Better better, final String path, final Path source) {
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
        return b.build();
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
            "warmupTime", "warmupBatchSize", "measurementIterations", "measurementTime", "measurementBatchSize", "params"}) {
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
