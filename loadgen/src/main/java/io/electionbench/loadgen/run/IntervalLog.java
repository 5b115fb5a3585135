package io.electionbench.loadgen.run;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Writes a cell's time-to-ready as an HdrHistogram interval log (one interval per trial, values in
 * nanoseconds, which HdrHistogram's tools show in milliseconds), the format HistogramLogAnalyzer and HdrHistogram's HistogramLogProcessor read.
 */
public final class IntervalLog {
    private IntervalLog() {
    }

    /** Writes {@code file}; trials that did not recover are left out (the run file counts them). */
    public static void write(final Path file, final String cell, final List<TrialRunner.Sample> samples) throws IOException {
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
                h.setTag(cell.replace(' ', '_').replace(',', '_'));
                log.outputIntervalHistogram(h);
            }
        }
    }
}
