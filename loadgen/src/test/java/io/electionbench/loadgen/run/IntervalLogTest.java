package io.electionbench.loadgen.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.HistogramLogProcessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.electionbench.loadgen.write.TrialWrites;

/** The interval logs are read by HdrHistogram's own HistogramLogProcessor with its default options. */
class IntervalLogTest {
    private static final String CELL = "target=sim/size=3/pattern=leader-crash/policy=fast";

    @TempDir
    Path dir;

    /** Runs {@code java -cp <HdrHistogram jar> org.HdrHistogram.HistogramLogProcessor -i FILE}, as a user would. */
    private static String processor(final Path log) throws IOException, InterruptedException {
        final String jar = Path.of(HistogramLogProcessor.class.getProtectionDomain().getCodeSource().getLocation()
            .getPath()).toString();
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Path output = log.resolveSibling(log.getFileName() + ".out");
        final Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", jar, HistogramLogProcessor.class.getName(),
            "-i", log.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("HistogramLogProcessor still running after 60 s");
        }
        final String out = Files.readString(output, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theStockProcessorReadsATimeToReadyLogWithDefaultOptions() throws Exception {
        final List<TrialRunner.Sample> samples = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final long readyNs = (200 + 10 * i) * 1_000_000L;
            final TrialAnalysis.Outcome outcome =
                new TrialAnalysis.Outcome(1_000_000L, readyNs - 5_000_000L, readyNs, 1, 1);
            samples.add(new TrialRunner.Sample(outcome, 8, null, 1_700_000_000_000L + 1000L * i, 0, -1, null));
        }
        final Path log = dir.resolve("cell.hlog");
        IntervalLog.write(log, CELL, samples);
        final String out = processor(log);
        assertTrue(out.contains("Value     Percentile TotalCount 1/(1-Percentile)"), out);
        assertTrue(out.contains("#[Max     =      240.124, Total count    =            5]"), out);
        assertTrue(Files.readString(log).contains(CELL), "the comment names the cell");
    }

    @Test
    void theStockProcessorReadsAWriteLatencyLogWithDefaultOptions() throws Exception {
        final List<TrialWrites> trials = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
            final org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3_600_000_000_000L, 3);
            for (int i = 1; i <= 100; i++) {
                h.recordValue(i * 10_000L * (t + 1));
            }
            trials.add(new TrialWrites(100, 100, 0, 0, 0, new long[0], new long[0], new long[0], new long[0], h,
                1_700_000_000_000L + 5000L * t, 1_700_000_000_000L + 5000L * t + 1000));
        }
        final Path log = dir.resolve("cell-write_latency.hlog");
        IntervalLog.writeLatencies(log, CELL, trials);
        final String out = processor(log);
        assertTrue(out.contains("#[Max     =        2.001, Total count    =          200]"), out);
    }
}
