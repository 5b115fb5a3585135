package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;

/** The rules each target kind carries, and that a cell follows them before it builds any ensemble. */
class TargetKindTest {
    private static final NodeTiming TIMING = new NodeTiming(200, 10, 5);

    /** Thrown by the test's target factory: the cell got past its checks and went on to build the target. */
    private static final class Built extends RuntimeException {
        Built() {
            super("target built");
        }
    }

    @Test
    void parsesTheNamesTheCliAcceptsAndRefusesOthersByName() {
        for (final TargetKind k : TargetKind.values()) {
            assertEquals(k, TargetKind.parse(" " + k.cliName().toUpperCase(java.util.Locale.ROOT) + " "));
        }
        assertEquals(List.of("sim", "inproc", "process", "zookeeper", "remote", "hosts"),
            java.util.Arrays.stream(TargetKind.values()).map(TargetKind::cliName).toList());
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> TargetKind.parse(" docker "));
        assertEquals("unknown target 'docker' (expected sim, inproc, process, zookeeper, remote or hosts)",
            ex.getMessage());
    }

    /** Which faults each target can make: pausing needs a process of its own; every target cuts one way. */
    @Test
    void everyTargetMakesEveryPatternButPausesItCannot() {
        final Set<TargetKind> pausing = Set.of(TargetKind.SIM, TargetKind.PROCESS, TargetKind.ZOOKEEPER,
            TargetKind.HOSTS);
        for (final TargetKind k : TargetKind.values()) {
            for (final Pattern p : Pattern.values()) {
                final boolean isMade = p != Pattern.LEADER_PAUSE || pausing.contains(k);
                assertEquals(isMade, k.canMake(p), k + " " + p);
            }
        }
        assertEquals("the inproc target cannot pause a server (use process, zookeeper or sim)",
            TargetKind.INPROC.refusal(Pattern.LEADER_PAUSE));
        assertEquals("the remote target cannot pause a server (use process, zookeeper or sim)",
            TargetKind.REMOTE.refusal(Pattern.LEADER_PAUSE));
    }

    /**
     * A cell skips exactly the patterns its kind refuses, with the kind's reason, before it builds an
     * ensemble, and goes on to build one for every other pattern.
     */
    @Test
    void aCellSkipsWhatItsKindRefusesAndBuildsTheRest(@TempDir final Path dir) throws Exception {
        final List<String> wrong = new ArrayList<>();
        for (final TargetKind k : TargetKind.values()) {
            for (final Pattern p : Pattern.values()) {
                final CellRunner cell = new CellRunner(k, 5, p, ElectionPolicy.FAST, TIMING, 1, "64m", dir)
                    .targetFactory(() -> {
                        throw new Built();
                    });
                String skipped;
                try {
                    skipped = cell.run(0, 1, 1_000_000_000L, t -> { }).skipped();
                } catch (final Built ex) {
                    skipped = null;
                }
                if (!java.util.Objects.equals(skipped, k.refusal(p))) {
                    wrong.add(k + " " + p + ": skipped " + skipped + ", refusal " + k.refusal(p));
                }
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void observationFollowsWhereTheTargetsClocksAre() {
        assertEquals(TargetKind.Observation.VIRTUAL, TargetKind.SIM.observation());
        assertEquals(TargetKind.Observation.POLL, TargetKind.ZOOKEEPER.observation());
        assertEquals(TargetKind.Observation.POLL, TargetKind.HOSTS.observation());
        for (final TargetKind k : List.of(TargetKind.INPROC, TargetKind.PROCESS, TargetKind.REMOTE)) {
            assertEquals(TargetKind.Observation.EVENTS, k.observation(), k.cliName());
        }
        final List<TargetKind> choosing = java.util.Arrays.stream(TargetKind.values())
            .filter(TargetKind::canChooseObservation).toList();
        assertEquals(List.of(TargetKind.INPROC, TargetKind.PROCESS, TargetKind.REMOTE), choosing);
    }
}
