package io.electionbench.transport.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * What a member prints about a failure that repeats: once in full, then counted (StorageAlarm for a
 * failing disk, ElectionNode.AgentErrorLog for anything that escapes the agent's duty cycle).
 */
class NodeErrorLogTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);

    /** The log lines proper (slf4j-simple's "[thread] LEVEL logger - message"), not the lines of a trace. */
    private static List<String> logLines(final StderrCapture capture) {
        return capture.lines().stream().filter(l -> l.contains("] ERROR ") || l.contains("] WARN "))
            .collect(Collectors.toList());
    }

    @Test
    void aFailingDiskIsReportedOnceWithItsPathThenCountedThenItsRecovery() {
        final StorageAlarm alarm = new StorageAlarm(7, Path.of("/data/node-7"));
        final UncheckedIOException cause = new UncheckedIOException("append of zxid 0x100000001 to "
            + "/data/node-7/version-2/log failed", new IOException("No space left on device"));
        final long t0 = 1_000 * S;
        try (StderrCapture stderr = StderrCapture.start()) {
            alarm.onFailure("cannot append to the log", cause, 1, S / 10, t0);
            for (int failure = 2; failure <= 1000; failure++) {
                alarm.onFailure("the storage still fails", cause, failure, S, t0 + failure * 1_000_000L);
            }
            final List<String> first = stderr.lines();
            assertEquals(1, first.size(), "one line, no stack trace: " + first);
            assertTrue(first.get(0).contains("ERROR") && first.get(0).contains("node 7: cannot append to the log")
                && first.get(0).contains("/data/node-7/version-2/log failed: No space left on device")
                && first.get(0).contains("a write to /data/node-7 succeeds"), first.get(0));
            alarm.onFailure("the storage still fails", cause, 1001, S, t0 + 61 * S);
            assertTrue(alarm.isFailing());
            alarm.onRecovered(1001, t0, t0 + 62 * S);
            final List<String> lines = stderr.lines();
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(1).contains("WARN") && lines.get(1).contains("1000 more failed tries in 61 s"),
                lines.get(1));
            assertTrue(lines.get(2).contains("storage accepts writes again after 1001 failed tries over 62000 ms"),
                lines.get(2));
        }
        assertEquals(1001, alarm.failures());
        assertFalse(alarm.isFailing());
    }

    /** Room for the probe, not for what follows: fail, recover, fail ... each second for two minutes. */
    @Test
    void aDiskThatKeepsFailingAgainAfterEachProbeGetsAtMostTwoLinesAMinute() {
        final StorageAlarm alarm = new StorageAlarm(2, Path.of("/data/node-2"));
        final UncheckedIOException cause = new UncheckedIOException("flush of /data/node-2/version-2/log failed",
            new IOException("No space left on device"));
        final long t0 = 1_000 * S;
        try (StderrCapture stderr = StderrCapture.start()) {
            for (int second = 0; second < 120; second += 2) {
                alarm.onFailure("cannot append to the log", cause, 1, S, t0 + second * S);
                alarm.onRecovered(1, t0 + second * S, t0 + (second + 1) * S);
            }
            final List<String> lines = stderr.lines();
            assertEquals(4, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("ERROR") && lines.get(0).contains("/data/node-2/version-2/log"),
                lines.get(0));
            assertTrue(lines.get(1).contains("storage accepts writes again"), lines.get(1));
            assertTrue(lines.get(2).contains("ERROR")
                && lines.get(2).contains("(29 failures not logged since the last line)"), lines.get(2));
            assertTrue(lines.get(3).contains("(29 earlier recoveries not logged)"), lines.get(3));
        }
        assertEquals(60, alarm.failures());
    }

    @Test
    void anAgentErrorRepeatedEveryDutyCycleIsLoggedWithItsTraceOnceThenCounted() {
        final long[] nowNs = {5 * S};
        final ElectionNode.AgentErrorLog log = new ElectionNode.AgentErrorLog(4, () -> nowNs[0]);
        try (StderrCapture stderr = StderrCapture.start()) {
            for (int i = 0; i < 1000; i++) {
                log.onError(new IllegalStateException("the same failure, cycle " + i));
            }
            assertEquals(1, logLines(stderr).size(), logLines(stderr).toString());
            assertTrue(stderr.lines().stream().anyMatch(l -> l.startsWith("\tat ")), "the first has its trace");
            final long traced = stderr.lineCount();
            nowNs[0] += 10 * S;
            log.onError(new IllegalStateException("the same failure, cycle 1000"));
            final List<String> lines = logLines(stderr);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(1).contains("node 4: agent error (1000 more since the last line)")
                && lines.get(1).contains("cycle 1000"), lines.get(1));
            assertEquals(traced + 1, stderr.lineCount(), "no trace the second time");
        }
    }
}
