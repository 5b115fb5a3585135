package io.electionbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PooledHostsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aCommitHoldingAJmhRunAndALoadTestIsOneMachine() {
        final RunResult loadgen = Fixtures.loadgenRun("aa".repeat(20), T0, 1, 8, 1.0);
        final RunResult jmh =
            withHost(loadgen, Kind.JMH, hostWithFlags(List.of("-Xms1g", "-Xmx1g", "--add-exports=x")));
        assertEquals(Optional.empty(), PooledHosts.mixed(List.of(loadgen, jmh)), "JVM flags differ by kind, by design");
        assertEquals(List.of(loadgen.host(), loadgen.host()),
            PooledHosts.representatives(List.of(jmh, loadgen), List.of(loadgen)),
            "across sides, runs of a kind both have are compared");
    }

    @Test
    void twoLoadTestsFromDifferentMachinesAreStillReported() {
        final RunResult a = Fixtures.loadgenRun("aa".repeat(20), T0, 1, 8, 1.0);
        final HostInfo other = new HostInfo("Other CPU", 2, 4L << 30, "Linux", "6.1.0", "6.1.0", "Eclipse Adoptium",
            "OpenJDK 64-Bit Server VM", "17.0.15", List.of("-Xmx1g"));
        final RunResult b = withHost(a, Kind.LOADGEN, other);
        final Optional<String> mixed = PooledHosts.mixed(List.of(a, b));
        assertTrue(mixed.isPresent() && mixed.get().contains("cpu: Test CPU @ 3.0GHz vs Other CPU"), mixed.toString());
    }

    private static HostInfo hostWithFlags(final List<String> flags) {
        final HostInfo h = Fixtures.HOST;
        return new HostInfo(h.cpuModel(), h.cores(), h.memoryBytes(), h.os(), h.osVersion(), h.kernel(), h.jvmVendor(),
            h.jvmName(), h.jvmVersion(), flags);
    }

    private static RunResult withHost(final RunResult run, final Kind kind, final HostInfo host) {
        return new RunResult(run.schema(), kind, run.commit(), run.isDirty(), run.branch(), run.started(), host,
            run.config(), List.of());
    }
}
