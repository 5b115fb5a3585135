package io.electionbench.loadgen.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import io.electionbench.loadgen.write.TrialWrites;

/**
 * Writes a cell's time-to-ready, and with writes its write latencies, as HdrHistogram interval logs
 * (one interval per trial, values in nanoseconds, which HdrHistogram's tools show in milliseconds),
 * the format HistogramLogAnalyzer and HdrHistogram's HistogramLogProcessor read.
 *
 * <p>One file per cell, its intervals untagged: {@code HistogramLogProcessor -i FILE} reads only
 * untagged intervals unless given {@code -tag}, and fails on a log where every interval is tagged.
 * The cell is named in the log's leading comment instead.
 */
public final class IntervalLog {
    private IntervalLog() {
    }

    /** Writes {@code file}; trials that did not recover are left out (the run file counts them). */
    public static void write(final Path file, final String cell,
        final List<TrialRunner.Sample> samples) throws IOException {
        Files.createDirectories(file.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
            final HistogramLogWriter log = new HistogramLogWriter(out);
            final long baseMs = samples.isEmpty() ? System.currentTimeMillis() : samples.get(0).wallMs();
            log.outputComment("electionbench time_to_ready_ns " + cell);
            log.outputLogFormatVersion();
            log.outputStartTime(baseMs);
            log.setBaseTime(baseMs);
            log.outputLegend();
            for (final TrialRunner.Sample s : samples) {
                final long readyNs = s.outcome().readyNs();
                if (readyNs < 0) {
                    continue;
                }
                final Histogram h = new Histogram(3_600_000_000_000L, 3);
                h.recordValue(Math.max(1, readyNs));
                h.setStartTimeStamp(s.wallMs());
                h.setEndTimeStamp(s.wallMs() + Math.max(1, readyNs / 1_000_000));
                log.outputIntervalHistogram(h);
            }
        }
    }

    /**
     * Writes {@code file} with one interval per measured trial: the latencies of the client sessions'
     * successful reads, or writes, from each operation's intended time, in nanoseconds.
     */
    public static void writeClientLatencies(final Path file, final String cell, final List<ClientTrial> trials,
        final boolean isWrite) throws IOException {
        Files.createDirectories(file.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
            final HistogramLogWriter log = new HistogramLogWriter(out);
            final long baseMs = trials.isEmpty() ? System.currentTimeMillis() : trials.get(0).wallStartMs();
            log.outputComment("electionbench client_" + (isWrite ? "write" : "read") + "_latency_ns " + cell);
            log.outputLogFormatVersion();
            log.outputStartTime(baseMs);
            log.setBaseTime(baseMs);
            log.outputLegend();
            for (final ClientTrial t : trials) {
                final Histogram h = (isWrite ? t.writeLatency() : t.readLatency()).copy();
                h.setStartTimeStamp(t.wallStartMs());
                h.setEndTimeStamp(t.wallEndMs());
                log.outputIntervalHistogram(h);
            }
        }
    }

    /**
     * Writes {@code file} with one interval per measured trial: the latencies of its committed writes,
     * from each write's intended time (coordinated omission corrected), in nanoseconds.
     */
    public static void writeLatencies(final Path file, final String cell,
        final List<TrialWrites> trials) throws IOException {
        Files.createDirectories(file.getParent());
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
            final HistogramLogWriter log = new HistogramLogWriter(out);
            final long baseMs = trials.isEmpty() ? System.currentTimeMillis() : trials.get(0).wallStartMs();
            log.outputComment("electionbench write_latency_ns " + cell);
            log.outputLogFormatVersion();
            log.outputStartTime(baseMs);
            log.setBaseTime(baseMs);
            log.outputLegend();
            for (final TrialWrites w : trials) {
                final Histogram h = w.latencyHistogram();
                h.setStartTimeStamp(w.wallStartMs());
                h.setEndTimeStamp(w.wallEndMs());
                log.outputIntervalHistogram(h);
            }
        }
    }
}
