package io.electionbench.loadgen.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.loadgen.write.TrialWrites;
import io.electionbench.loadgen.write.WriteDriver;

/**
 * A lost acknowledged write reaches the cell's violations, warm-up trials included, and every trial
 * with writes is checked: the simulator target with a check that reports a loss in its second trial.
 */
class WriteSafetyTest {
    private static final NodeTiming TIMING = new NodeTiming(200, 10, 5);

    @Test
    void aLostWriteIsAViolationOfItsTrial(@TempDir final Path dir) throws Exception {
        final int[] checks = new int[1];
        final CellRunner.CellOutcome o = new CellRunner(TargetKind.SIM, 3, Pattern.LEADER_CRASH, ElectionPolicy.FAST,
            TIMING, 1, "64m", dir).writeRate(1_000).targetFactory(() -> new LosingTarget(new SimTarget(3,
            ElectionPolicy.FAST, TIMING, 1), checks)).run(1, 2, TimeUnit.SECONDS.toNanos(30), done -> { });
        assertEquals(3, checks[0], "every trial's writes were checked, the warm-up's too");
        assertEquals(List.of("trial 1: acknowledged write 7 at zxid 1:7 is missing (made up by the test)"),
            o.violations());
        assertEquals(2, o.writes().size(), "measured trials only");
        assertTrue(o.writes().get(0).committed() > 100, "the real check passed for the others: " + o.writes().get(0)
            .committed());
    }

    /** The simulator target whose write check, after the real one, reports a loss in the second trial. */
    private static final class LosingTarget implements Target {
        private final SimTarget sim;
        private final int[] checks;

        LosingTarget(final SimTarget sim, final int[] checks) {
            this.sim = sim;
            this.checks = checks;
        }

        @Override
        public WriteDriver writes(final double ratePerS, final long answerTimeoutNs) {
            final WriteDriver real = sim.writes(ratePerS, answerTimeoutNs);
            return new WriteDriver() {
                @Override
                public void begin() throws Exception {
                    real.begin();
                }

                @Override
                public long startNs() {
                    return real.startNs();
                }

                @Override
                public long maxCommittedIntendedNs() {
                    return real.maxCommittedIntendedNs();
                }

                @Override
                public TrialWrites end(final long drainNs) throws Exception {
                    return real.end(drainNs);
                }

                @Override
                public String missingAcknowledged(final TrialWrites writes) throws Exception {
                    final String found = real.missingAcknowledged(writes);
                    return ++checks[0] == 2 && found == null
                        ? "acknowledged write 7 at zxid 1:7 is missing (made up by the test)" : found;
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        @Override
        public String name() {
            return sim.name();
        }

        @Override
        public Ensemble ensemble() {
            return sim.ensemble();
        }

        @Override
        public void start(final long sid) {
            sim.start(sid);
        }

        @Override
        public void crash(final long sid) {
            sim.crash(sid);
        }

        @Override
        public boolean pause(final long sid) {
            return sim.pause(sid);
        }

        @Override
        public void resume(final long sid) {
            sim.resume(sid);
        }

        @Override
        public void partition(final long[][] sides) {
            sim.partition(sides);
        }

        @Override
        public void heal() {
            sim.heal();
        }

        @Override
        public long nowNs() {
            return sim.nowNs();
        }

        @Override
        public void idle(final long durationNs) {
            sim.idle(durationNs);
        }

        @Override
        public Map<Long, NodeView> snapshot() {
            return sim.snapshot();
        }

        @Override
        public List<TrialEvent> drainEvents() {
            return sim.drainEvents();
        }

        @Override
        public List<SyncEvent> drainSyncs() {
            return sim.drainSyncs();
        }

        @Override
        public long notificationsSent() {
            return sim.notificationsSent();
        }

        @Override
        public boolean awaitStable(final long timeoutNs) {
            return sim.awaitStable(timeoutNs);
        }

        @Override
        public void close() {
            sim.close();
        }
    }
}
