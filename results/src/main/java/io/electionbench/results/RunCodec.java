package io.electionbench.results;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes run files (schema {@value RunResult#SCHEMA}) through Jackson's tree model so
 * that every missing or mistyped field is reported with its JSON path. Summary fields of a metric
 * (p50 ... n) are written for people and other tools; on reading they are recomputed from the
 * samples, which are the only source of truth.
 */
public final class RunCodec {
    /** Shared mapper: indented output, otherwise Jackson defaults. */
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private static final TypeReference<LinkedHashMap<String, Object>> MAP_TYPE = new TypeReference<>() {
    };

    private RunCodec() {
    }

    /**
     * @param file a run file.
     * @return the run.
     * @throws RunFileException when the file is missing, unreadable, not JSON or not a valid run.
     */
    public static RunResult read(final Path file) {
        final String text;
        try {
            text = Files.readString(file);
        } catch (final NoSuchFileException ex) {
            throw new RunFileException(file, "no such file");
        } catch (final IOException ex) {
            throw new RunFileException(file, "cannot read: " + ex.getMessage(), ex);
        }
        return parse(text, file);
    }

    /**
     * @param json the file's text.
     * @param file the file it came from, for messages.
     * @return the run.
     * @throws RunFileException when the text is not JSON or not a valid run.
     */
    public static RunResult parse(final String json, final Path file) {
        final JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (final JsonProcessingException ex) {
            throw new RunFileException(file, "malformed JSON at line " + ex.getLocation().getLineNr()
                + ", column " + ex.getLocation().getColumnNr() + ": " + ex.getOriginalMessage(), ex);
        }
        return new Reader(file).run(root);
    }

    /**
     * @param run a run.
     * @return its JSON text, indented, ending in a newline.
     */
    public static String write(final RunResult run) {
        try {
            return MAPPER.writeValueAsString(toTree(run)) + "\n";
        } catch (final JsonProcessingException ex) {
            throw new IllegalArgumentException("run config is not JSON-serialisable: " + ex.getOriginalMessage(), ex);
        }
    }

    /**
     * @param run a run.
     * @return its JSON tree.
     */
    public static ObjectNode toTree(final RunResult run) {
        final ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", run.schema());
        root.put("kind", run.kind().json());
        root.put("commit", run.commit());
        root.put("dirty", run.isDirty());
        root.put("branch", run.branch());
        root.put("started", run.started().toString());
        root.set("host", MAPPER.valueToTree(hostMap(run.host())));
        root.set("config", MAPPER.valueToTree(run.config()));
        final ArrayNode cells = root.putArray("cells");
        for (final Cell cell : run.cells()) {
            cells.add(cellTree(cell));
        }
        return root;
    }

    private static Map<String, Object> hostMap(final HostInfo h) {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("cpuModel", h.cpuModel());
        m.put("cores", h.cores());
        m.put("memoryBytes", h.memoryBytes());
        m.put("os", h.os());
        m.put("osVersion", h.osVersion());
        m.put("kernel", h.kernel());
        m.put("jvmVendor", h.jvmVendor());
        m.put("jvmName", h.jvmName());
        m.put("jvmVersion", h.jvmVersion());
        m.put("jvmFlags", h.jvmFlags());
        return m;
    }

    private static ObjectNode cellTree(final Cell cell) {
        final ObjectNode node = MAPPER.createObjectNode();
        if (cell.isJmh()) {
            node.put("benchmark", cell.benchmark());
            final ObjectNode params = node.putObject("params");
            cell.params().forEach(params::put);
        } else {
            node.put("target", cell.target());
            node.put("size", cell.size());
            node.put("pattern", cell.pattern());
            node.put("policy", cell.policy());
            if (!cell.params().isEmpty()) {
                final ObjectNode params = node.putObject("params");
                cell.params().forEach(params::put);
            }
        }
        final ObjectNode metrics = node.putObject("metrics");
        cell.metrics().forEach((name, metric) -> metrics.set(name, metricTree(metric)));
        if (!cell.hostClocks().isEmpty()) {
            final ArrayNode clocks = node.putArray("host_clocks");
            for (final HostClock c : cell.hostClocks()) {
                final ObjectNode clock = clocks.addObject();
                clock.put("sid", c.sid());
                clock.put("host", c.host());
                clock.put("when", c.when());
                clock.put("at", c.at().toString());
                putNumber(clock, "offset_ms", c.offsetMs());
                putNumber(clock, "error_ms", c.errorMs());
            }
        }
        if (!cell.faultMechanisms().isEmpty()) {
            final ObjectNode mechanisms = node.putObject("fault_mechanism");
            cell.faultMechanisms().forEach(mechanisms::put);
        }
        return node;
    }

    private static ObjectNode metricTree(final Metric m) {
        final ObjectNode node = MAPPER.createObjectNode();
        node.put("unit", m.unit());
        node.put("better", m.better().json());
        if (m.isPerRun()) {
            node.put("per_run", true);
        }
        final ArrayNode samples = node.putArray("samples");
        for (final double v : m.samples()) {
            addNumber(samples, v);
        }
        putNumber(node, "p50", m.p50());
        putNumber(node, "p90", m.p90());
        putNumber(node, "p99", m.p99());
        putNumber(node, "p999", m.p999());
        putNumber(node, "max", m.max());
        putNumber(node, "mean", m.mean());
        node.put("n", m.n());
        if (m.jmh() != null) {
            final ObjectNode jmh = node.putObject("jmh");
            putNumber(jmh, "score", m.jmh().score());
            putNumber(jmh, "scoreError", m.jmh().scoreError());
            final ArrayNode ci = jmh.putArray("scoreConfidence");
            for (final double v : new double[]{m.jmh().confidenceLo(), m.jmh().confidenceHi()}) {
                if (Double.isFinite(v)) {
                    addNumber(ci, v);
                } else {
                    ci.addNull();
                }
            }
            final ObjectNode percentiles = jmh.putObject("scorePercentiles");
            m.jmh().percentiles().forEach((k, v) -> putNumber(percentiles, k, v));
        }
        return node;
    }

    /**
     * Reads JMH's summary as JMH writes it ({@code "NaN"} as a string) or as the store does
     * ({@code null}); anything not a number is NaN.
     *
     * @param m a JMH {@code primaryMetric} or secondary metric, or a stored metric's {@code jmh}.
     * @return the summary, or null when {@code m} has no {@code score}.
     */
    public static JmhScore jmhScore(final JsonNode m) {
        if (m == null || !m.has("score")) {
            return null;
        }
        final JsonNode ci = m.path("scoreConfidence");
        final Map<String, Double> percentiles = new LinkedHashMap<>();
        m.path("scorePercentiles").properties().forEach(e -> percentiles.put(e.getKey(), numberOrNaN(e.getValue())));
        return new JmhScore(numberOrNaN(m.get("score")), numberOrNaN(m.get("scoreError")), numberOrNaN(ci.get(0)),
            numberOrNaN(ci.get(1)), percentiles);
    }

    private static double numberOrNaN(final JsonNode v) {
        return v != null && v.isNumber() ? v.doubleValue() : Double.NaN;
    }

    /** Whole numbers are written without a fraction so integer samples (ns, bytes) stay readable. */
    private static void addNumber(final ArrayNode array, final double v) {
        if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            array.add((long)v);
        } else {
            array.add(v);
        }
    }

    private static void putNumber(final ObjectNode node, final String name, final double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            node.putNull(name);
        } else if (v == Math.rint(v) && Math.abs(v) < 0x1p53) {
            node.put(name, (long)v);
        } else {
            node.put(name, v);
        }
    }

    /** Validating tree reader; every error names the file and the JSON path. */
    private static final class Reader {
        private final Path file;
        private boolean hasPerRunField;

        Reader(final Path file) {
            this.file = file;
        }

        RunResult run(final JsonNode root) {
            if (!root.isObject()) {
                throw error("top level is not a JSON object");
            }
            final JsonNode schema = require(root, "schema", "");
            if (!schema.isInt() || schema.intValue() != RunResult.SCHEMA) {
                throw error("unsupported schema " + schema + " (this version reads schema " + RunResult.SCHEMA + ")");
            }
            final String kindText = text(root, "kind", "");
            final Kind kind = Kind.parse(kindText);
            if (kind == null) {
                throw error("kind: expected \"loadgen\" or \"jmh\", got \"" + kindText + "\"");
            }
            final JsonNode dirty = require(root, "dirty", "");
            if (!dirty.isBoolean()) {
                throw error("dirty: expected true or false");
            }
            final List<Cell> cells = new ArrayList<>();
            final JsonNode cellsNode = array(root, "cells", "");
            for (int i = 0; i < cellsNode.size(); i++) {
                cells.add(cell(cellsNode.get(i), "cells[" + i + "]"));
            }
            if (kind == Kind.LOADGEN && !hasPerRunField) {
                cells.replaceAll(Reader::inferPerRun);
            }
            return new RunResult(RunResult.SCHEMA, kind, text(root, "commit", ""), dirty.booleanValue(),
                text(root, "branch", ""), instant(root), host(object(root, "host", "")),
                MAPPER.convertValue(object(root, "config", ""), MAP_TYPE), cells);
        }

        /**
         * Every load-generator cell written since the "per_run" field exists marks failed_trials,
         * so a load-generator file without the field predates it. There, a metric with one sample
         * in a cell where another metric has several is a per-run total (failed_trials is the one
         * the load generator wrote).
         */
        private static Cell inferPerRun(final Cell cell) {
            if (cell.metrics().values().stream().noneMatch(m -> m.n() > 1)) {
                return cell;
            }
            final Map<String, Metric> metrics = new LinkedHashMap<>();
            cell.metrics().forEach((name, m) -> metrics.put(name, m.n() == 1 ? m.asPerRun() : m));
            return new Cell(cell.target(), cell.size(), cell.pattern(), cell.policy(), cell.benchmark(), cell.params(),
                metrics, cell.hostClocks(), cell.faultMechanisms());
        }

        private Instant instant(final JsonNode root) {
            final String s = text(root, "started", "");
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (final DateTimeParseException ex) {
                throw error("started: not an ISO-8601 time with offset: \"" + s + "\"");
            }
        }

        /**
         * Before "jvmName" existed, import-jmh stored JMH's vmName ("OpenJDK 64-Bit Server VM")
         * as the vendor; such a vendor without a jvmName is read as the VM name, vendor unknown.
         */
        private HostInfo host(final JsonNode h) {
            final List<String> flags = new ArrayList<>();
            if (h.path("jvmFlags").isArray()) {
                h.get("jvmFlags").forEach(f -> flags.add(f.asText()));
            }
            String vendor = h.path("jvmVendor").asText(null);
            String name = h.path("jvmName").asText(null);
            if (name == null && vendor != null && vendor.endsWith(" VM")) {
                name = vendor;
                vendor = null;
            }
            return new HostInfo(h.path("cpuModel").asText(null), h.path("cores").asInt(0),
                h.path("memoryBytes").asLong(0L), h.path("os").asText(null), h.path("osVersion").asText(null),
                h.path("kernel").asText(null), vendor, name, h.path("jvmVersion").asText(null), flags);
        }

        /** A cell with a "benchmark" field is a JMH cell, otherwise a load-generator cell. */
        private Cell cell(final JsonNode node, final String path) {
            if (!node.isObject()) {
                throw error(path + ": expected an object");
            }
            final Cell.Builder builder;
            final Map<String, String> params = new LinkedHashMap<>();
            if (node.has("params")) {
                object(node, "params", path).properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            }
            if (node.has("benchmark")) {
                builder = Cell.jmh(text(node, "benchmark", path), params);
            } else {
                final JsonNode size = require(node, "size", path);
                if (!size.canConvertToInt() || !size.isIntegralNumber()) {
                    throw error(path + ".size: expected an integer");
                }
                builder = Cell.loadgen(text(node, "target", path), size.intValue(), text(node, "pattern", path),
                    text(node, "policy", path), params);
            }
            object(node, "metrics", path).properties()
                .forEach(e -> builder.metric(e.getKey(), metric(e.getValue(), path + ".metrics." + e.getKey())));
            if (node.has("host_clocks")) {
                final JsonNode clocks = array(node, "host_clocks", path);
                final List<HostClock> out = new ArrayList<>();
                for (int i = 0; i < clocks.size(); i++) {
                    out.add(hostClock(clocks.get(i), path + ".host_clocks[" + i + "]"));
                }
                builder.hostClocks(out);
            }
            if (node.has("fault_mechanism")) {
                final Map<String, String> mechanisms = new LinkedHashMap<>();
                object(node, "fault_mechanism", path).properties()
                    .forEach(e -> mechanisms.put(e.getKey(), e.getValue().asText()));
                builder.faultMechanisms(mechanisms);
            }
            return builder.build();
        }

        private HostClock hostClock(final JsonNode node, final String path) {
            if (!node.isObject()) {
                throw error(path + ": expected an object");
            }
            final JsonNode sid = require(node, "sid", path);
            if (!sid.isIntegralNumber()) {
                throw error(path + ".sid: expected an integer");
            }
            final Instant at;
            try {
                at = Instant.parse(text(node, "at", path));
            } catch (final DateTimeParseException ex) {
                throw error(path + ".at: not an ISO-8601 instant: " + ex.getParsedString());
            }
            return new HostClock(sid.longValue(), text(node, "host", path), text(node, "when", path), at,
                number(node, "offset_ms", path), number(node, "error_ms", path));
        }

        private Metric metric(final JsonNode node, final String path) {
            if (!node.isObject()) {
                throw error(path + ": expected an object");
            }
            final String unit = text(node, "unit", path);
            final String betterText = text(node, "better", path);
            final Better better = Better.parse(betterText);
            if (better == null) {
                throw error(path + ".better: expected \"lower\", \"higher\" or \"unknown\", got \""
                    + betterText + "\"");
            }
            final JsonNode samples = array(node, "samples", path);
            final double[] values = new double[samples.size()];
            for (int i = 0; i < values.length; i++) {
                if (!samples.get(i).isNumber()) {
                    throw error(path + ".samples[" + i + "]: expected a number, got " + samples.get(i));
                }
                values[i] = samples.get(i).doubleValue();
            }
            final JsonNode jmh = node.get("jmh");
            if (jmh != null && !jmh.isNull() && !jmh.isObject()) {
                throw error(path + ".jmh: expected an object");
            }
            final JsonNode perRun = node.get("per_run");
            if (perRun == null || perRun.isNull()) {
                return Metric.of(unit, better, values).withJmh(jmhScore(jmh));
            }
            if (!perRun.isBoolean()) {
                throw error(path + ".per_run: expected true or false");
            }
            hasPerRunField = true;
            final Metric m = perRun.booleanValue() ? Metric.perRun(unit, better, values) : Metric.of(unit, better,
                values);
            return m.withJmh(jmhScore(jmh));
        }

        private JsonNode require(final JsonNode node, final String field, final String path) {
            final JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw error("missing field '" + (path.isEmpty() ? "" : path + ".") + field + "'");
            }
            return value;
        }

        private double number(final JsonNode node, final String field, final String path) {
            final JsonNode value = require(node, field, path);
            if (!value.isNumber()) {
                throw error(path + "." + field + ": expected a number, got " + value);
            }
            return value.doubleValue();
        }

        private String text(final JsonNode node, final String field, final String path) {
            final JsonNode value = require(node, field, path);
            if (!value.isTextual()) {
                throw error(qualified(path, field) + ": expected a string, got " + value);
            }
            return value.textValue();
        }

        private JsonNode object(final JsonNode node, final String field, final String path) {
            final JsonNode value = require(node, field, path);
            if (!value.isObject()) {
                throw error(qualified(path, field) + ": expected an object");
            }
            return value;
        }

        private JsonNode array(final JsonNode node, final String field, final String path) {
            final JsonNode value = require(node, field, path);
            if (!value.isArray()) {
                throw error(qualified(path, field) + ": expected an array");
            }
            return value;
        }

        private static String qualified(final String path, final String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        private RunFileException error(final String problem) {
            return new RunFileException(file, problem);
        }
    }
}
