package io.electionbench.core.sim.check;

import java.util.Arrays;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;

/**
 * The election's safety, checked at every state change (TigerBeetle's {@code state_checker} habit):
 * <ul>
 *   <li>{@code two-leaders}: never two LEADING servers each followed, by the followers' own state, by a
 *       quorum of voters at once. A follower follows one leader, so this fails only if quorums stop
 *       intersecting; the teeth are in {@link RecoverySafety} (one leader per epoch, an established
 *       epoch held by a quorum) and {@link WriteSafety} (no acknowledged write lost);</li>
 *   <li>{@code ineligible-leader}: an observer or a zero-weight voter never leads;</li>
 *   <li>{@code quorum-members}: only voters are counted in an electing quorum.</li>
 * </ul>
 */
public final class ElectionSafety {
    private final ClusterView cluster;
    private final Ensemble ensemble;
    private final QuorumVerifier quorum;
    private final Violations violations;

    public ElectionSafety(final ClusterView cluster, final Violations violations) {
        this.cluster = cluster;
        this.ensemble = cluster.ensemble();
        this.quorum = ensemble.quorum();
        this.violations = violations;
    }

    /** Member {@code i} entered {@code to}. */
    public void onStateChange(final int i, final ServerState to) {
        checkLeaders();
        if (to == ServerState.LEADING && (!quorum.isVoter(i) || quorum.weight(i) == 0)) {
            violations.report("ineligible-leader", "server " + ensemble.sid(i) + " leads but is "
                + (quorum.isVoter(i) ? "zero-weight" : "an observer"));
        }
    }

    /** Server {@code sid} decided, counting the votes of {@code quorumMask}. */
    public void onDecision(final long sid, final long quorumMask) {
        if ((quorumMask & ~quorum.votersMask()) != 0) {
            violations.report("quorum-members", "server " + sid + " counted non-voters "
                + Arrays.toString(ensemble.sidsOf(quorumMask & ~quorum.votersMask())));
        }
    }

    /** Never two LEADING servers each followed, by the followers' own account, by a quorum. */
    public void checkLeaders() {
        final int size = ensemble.size();
        long established = -1;
        for (int l = 0; l < size; l++) {
            final MemberAgent leader = cluster.agentAt(l);
            if (leader == null || leader.state() != ServerState.LEADING) {
                continue;
            }
            long followers = 1L << l;
            for (int f = 0; f < size; f++) {
                final MemberAgent a = cluster.agentAt(f);
                if (a != null && a.state() == ServerState.FOLLOWING && a.leader() == ensemble.sid(l)) {
                    followers |= 1L << f;
                }
            }
            if (quorum.containsQuorum(followers)) {
                if (established >= 0) {
                    violations.report("two-leaders", "servers " + established + " and " + ensemble.sid(l)
                        + " both lead a quorum");
                }
                established = ensemble.sid(l);
            }
        }
    }
}
