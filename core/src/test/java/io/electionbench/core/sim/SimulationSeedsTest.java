package io.electionbench.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.sim.fault.Fault;

/**
 * The CI run of the simulator: 2,000 seeds per ensemble size and policy with every fault, every
 * invariant checked. A failure names each bad seed with the command that replays it.
 */
class SimulationSeedsTest {
    private static final int SEEDS = Integer.getInteger("electionbench.simSeeds", 2000);

    @ParameterizedTest(name = "{1} policy, size {0}")
    @CsvSource({"3,fast", "5,fast", "7,fast", "9,fast", "3,zookeeper", "5,zookeeper", "7,zookeeper", "9,zookeeper"})
    void randomizedFaultSchedulesKeepEveryInvariant(final int size, final String policy) {
        final List<String> failures = new ArrayList<>();
        final Set<Fault> all = Fault.parse("all");
        long checked = 0;
        long skipped = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            final SimulationRun run = new SimulationRun(size, seed, ElectionPolicy.byName(policy), all).run(false);
            if (!run.isClean()) {
                failures.add("seed " + seed + ": " + run.violations() + "\n    replay: " + run.replayCommand());
            }
            checked += run.completenessChecked();
            skipped += run.completenessSkipped();
        }
        assertTrue(failures.isEmpty(),
            failures.size() + " of " + SEEDS + " seeds violated an invariant:\n" + String.join("\n", failures));
        // The completeness check may pass over only members whose counted vote was a FOLLOWING or
        // LEADING one (94-99.8% are compared); one that skipped every member no longer LOOKING when
        // the leader decided compared 11-34% and let most elections through unexamined.
        assertTrue(checked >= 9 * skipped,
            "the completeness check compared only " + checked + " of " + (checked + skipped) + " electing votes");
    }

    /**
     * Seeds that large sweeps (10,000 per size and policy) once found bad, beyond the CI range: a
     * completeness false alarm on a vote left from an earlier LOOKING period (19026, size 7), writes
     * refused after a short partition because serving learners restarted their sessions (31495), and
     * the livelock a first fix for that caused (35616), and followers serving without proposals they
     * lost in a cut because the reset due at the heal was itself cut off by the next partition (109482),
     * a voter refused for good by a leader whose epoch was below the one it had accepted (117966), and a
     * follower cut off while its leader crashed that went on following the leader's next incarnation
     * with a stale history, the reset lost in the cut (413061). And, the last six, once links held
     * little: followers serving a shorter history than their leader's, which had dropped them after a
     * refused proposal and told them so with a refusal that the full link refused too.
     */
    @ParameterizedTest(name = "seed {1}, size {0}, {2} policy")
    @CsvSource({"7,19026,fast", "3,31495,fast", "3,35616,fast", "9,109482,fast", "3,117966,fast", "3,413061,fast",
        "3,41,fast", "5,29,fast", "9,187,fast", "3,41,zookeeper", "5,29,zookeeper", "9,187,zookeeper"})
    void seedsThatOnceFailedStayClean(final int size, final long seed, final String policy) {
        final SimulationRun run =
            new SimulationRun(size, seed, ElectionPolicy.byName(policy), Fault.parse("all")).run(false);
        assertTrue(run.isClean(), run.violations() + "\n    replay: " + run.replayCommand());
    }

    @Test
    void theSameSeedGivesTheSameRunEventForEvent() {
        for (long seed = 1; seed <= 20; seed++) {
            final SimulationRun a = new SimulationRun(5, seed, ElectionPolicy.FAST, Fault.parse("all")).run(true);
            final SimulationRun b = new SimulationRun(5, seed, ElectionPolicy.FAST, Fault.parse("all")).run(true);
            assertEquals(a.trace(), b.trace());
            assertEquals(a.traceHash(), b.traceHash());
            assertEquals(a.schedule(), b.schedule());
            assertEquals(a.messages(), b.messages());
        }
    }

    @Test
    void differentSeedsExploreDifferentRuns() {
        final SimulationRun a = new SimulationRun(5, 1, ElectionPolicy.FAST, Fault.parse("all")).run(false);
        final SimulationRun b = new SimulationRun(5, 2, ElectionPolicy.FAST, Fault.parse("all")).run(false);
        assertNotEquals(a.traceHash(), b.traceHash());
    }

    @Test
    void aConnectedQuorumElectsWithinTheLivenessBound() {
        for (long seed = 1; seed <= 200; seed++) {
            final SimulationRun run = new SimulationRun(5, seed, ElectionPolicy.FAST, Fault.parse("all")).run(false);
            assertTrue(run.settleNs() >= 0 && run.settleNs() <= SimulationRun.LIVENESS_BOUND_NS, "seed " + seed);
        }
    }

    @Test
    void faultListsParseAndRejectUnknownNames() {
        assertEquals(Set.of(Fault.CRASH, Fault.DUPLICATE), Fault.parse("crash,dup"));
        assertEquals(7, Fault.parse("all").size());
        assertEquals(Set.of(Fault.ONE_WAY), Fault.parse("one-way"));
        assertEquals("one-way", Fault.ONE_WAY.flag());
        assertTrue(Fault.parse("none").isEmpty());
        final IllegalArgumentException ex = org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> Fault.parse("crash,meteor"));
        assertTrue(ex.getMessage().contains("unknown fault 'meteor'"));
    }
}
