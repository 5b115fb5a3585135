package io.electionbench.core.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.network.NetworkModel;

/**
 * A learner that decides for a leader which is already dead, because the voters still report it,
 * gives up within about a second of virtual time, as ZooKeeper's {@code Learner.connectToLeader}
 * does after its failed tries, instead of waiting initLimit for a leader it cannot reach.
 */
class DeadLeaderTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One state change of the observer: when, to what, why. */
    private record Change(long atNs, ServerState to, String reason) {
    }

    @ParameterizedTest
    @ValueSource(strings = {"zookeeper", "fast"})
    void anObserverThatChoseACrashedLeaderLooksAgainWithinASecond(final String policy) {
        final Ensemble ensemble = Ensemble.builder().participant(1).participant(2).participant(3).observer(4).build();
        try (Simulator sim = new Simulator(ensemble, ElectionPolicy.byName(policy), NodeTiming.DEFAULT,
            NetworkModel.LAN, 3)) {
            final List<Change> changes = new ArrayList<>();
            final List<Long> decisions = new ArrayList<>();
            sim.listener(new ElectionObserver() {
                @Override
                public void onDecision(final long sid, final long leader, final long zxid, final long electionEpoch,
                    final long peerEpoch, final long quorumMask, final long atNs) {
                    if (sid == 4) {
                        decisions.add(leader);
                    }
                }

                @Override
                public void onStateChange(final long sid, final ServerState from, final ServerState to,
                    final long atNs, final String reason) {
                    if (sid == 4) {
                        changes.add(new Change(atNs, to, reason));
                    }
                }
            });
            for (long sid = 1; sid <= 3; sid++) {
                sim.start(sid);
            }
            assertTrue(sim.runUntilStable(TimeUnit.SECONDS.toNanos(10)));
            assertEquals(ServerState.LEADING, sim.agent(3).state());
            // 4 starts on 3's side of a cut and hears 3 report LEADING; then 3 dies, and 4 sees its links drop.
            sim.partition(new long[][] {{1, 2}, {3, 4}});
            sim.start(4);
            sim.runFor(5 * MS);
            sim.crash(3);
            sim.runFor(5 * MS);
            // Healed well within syncLimit: 1 and 2 still follow 3 and say so, and 4 decides for it.
            sim.heal();
            final long healedNs = sim.nowNs();
            sim.runFor(2_000 * MS);
            final Change chose = changes.stream().filter(c -> c.atNs() >= healedNs).findFirst().orElse(null);
            assertTrue(chose != null && chose.to() == ServerState.OBSERVING && decisions.get(0) == 3,
                "4 chose 3 after the heal: " + changes + ", leaders decided " + decisions);
            final Change next = changes.stream().filter(c -> c.atNs() > chose.atNs()).findFirst().orElse(null);
            assertTrue(next != null && next.to() == ServerState.LOOKING && next.atNs() - chose.atNs() <= 1_000 * MS,
                "4 looks again within 1 s of choosing the dead leader 3: " + changes);
        }
    }
}
