package io.electionbench.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.network.NetworkModel;

/**
 * A whole cold-start election of an in-process ensemble: one op builds a {@link Simulator} (LAN
 * latencies, default timing), starts every server with empty state and runs until the ensemble is
 * stable (an established epoch: the election, then epoch negotiation, sync and NEWLEADER/UPTODATE,
 * with every server serving), then checks that a leader exists. {@code coldStartElection} stops at
 * the decision (every server LEADING or FOLLOWING the same leader), the election's share. The simulator
 * runs on virtual time, so ZooKeeper's 200 ms finalize wait costs nothing but its events: the figure
 * is the CPU work of an election (every notification through each agent's ring buffer, vote order,
 * tally, state changes and the simulator's own event queue). Each op uses the next seed, so message
 * delays and interleavings differ from op to op.
 *
 * <p>{@code construct} only builds the simulator (one direct-memory ring buffer per server): the
 * share of {@code coldStart} that is setup rather than election. {@code coldStartReused} runs the
 * same cold-start election on one simulator kept for the whole trial: each op starts every server
 * (new agents, empty persisted state, so a fresh election from round 1), runs until stable, checks
 * the leader and crashes every server again. It measures the election without the simulator's
 * construction and its garbage; messages left in flight by the crashes are dropped during the next
 * op, as the simulator drops any message to a dead incarnation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
public class ElectionRoundBenchmark {
    /** Virtual-time bound of one election; a cold start on a LAN takes well under a second. */
    static final long BOUND_NS = TimeUnit.SECONDS.toNanos(60);

    /** An ensemble and a policy. */
    @State(Scope.Thread)
    public static class Election {
        @Param({"3", "5", "7", "9"})
        public int size;

        @Param({"fast", "zookeeper"})
        public String policy;

        Ensemble ensemble;
        ElectionPolicy electionPolicy;
        long seed;

        @Setup(Level.Trial)
        public void setUp() {
            ensemble = Ensemble.majority(size);
            electionPolicy = ElectionPolicy.byName(policy);
        }
    }

    /** An ensemble only: building a simulator does not depend on the policy. */
    @State(Scope.Thread)
    public static class Members {
        @Param({"3", "5", "7", "9"})
        public int size;

        Ensemble ensemble;
        long seed;

        @Setup(Level.Trial)
        public void setUp() {
            ensemble = Ensemble.majority(size);
        }
    }

    /** One simulator for the whole trial, every server down between ops. */
    @State(Scope.Thread)
    public static class Reused {
        Simulator sim;

        @Setup(Level.Trial)
        public void setUp(final Election e) {
            sim = new Simulator(e.ensemble, e.electionPolicy, NodeTiming.DEFAULT, NetworkModel.LAN, 1);
        }
    }

    /** The election alone: until every server has decided for one LEADING server (recovery not awaited). */
    @Benchmark
    public long coldStartElection(final Election e) {
        try (Simulator sim = new Simulator(e.ensemble, e.electionPolicy, NodeTiming.DEFAULT, NetworkModel.LAN,
            e.seed++)) {
            for (int i = 0; i < e.size; i++) {
                sim.start(e.ensemble.sid(i));
            }
            if (!sim.runUntilDecided(BOUND_NS)) {
                throw new IllegalStateException("no decision within " + BOUND_NS + " ns: seed " + (e.seed - 1));
            }
            return leaderOf(sim, e.ensemble);
        }
    }

    /** The election and the recovery after it: until the epoch is established and every server serves. */
    @Benchmark
    public long coldStart(final Election e) {
        try (Simulator sim = new Simulator(e.ensemble, e.electionPolicy, NodeTiming.DEFAULT, NetworkModel.LAN,
            e.seed++)) {
            for (int i = 0; i < e.size; i++) {
                sim.start(e.ensemble.sid(i));
            }
            if (!sim.runUntilStable(BOUND_NS)) {
                throw new IllegalStateException("no stable leader within " + BOUND_NS + " ns: seed " + (e.seed - 1));
            }
            return leaderOf(sim, e.ensemble);
        }
    }

    /** @return the elected leader's sid */
    @Benchmark
    public long coldStartReused(final Election e, final Reused r) {
        final Simulator sim = r.sim;
        for (int i = 0; i < e.size; i++) {
            sim.start(e.ensemble.sid(i));
        }
        if (!sim.runUntilStable(BOUND_NS)) {
            throw new IllegalStateException("no stable leader within " + BOUND_NS + " ns on a reused simulator");
        }
        final long leader = leaderOf(sim, e.ensemble);
        for (int i = 0; i < e.size; i++) {
            sim.crash(e.ensemble.sid(i));
        }
        return leader;
    }

    @Benchmark
    public Simulator construct(final Members m) {
        return new Simulator(m.ensemble, ElectionPolicy.FAST, NodeTiming.DEFAULT, NetworkModel.LAN, m.seed++);
    }

    /** The only LEADING server; an election that ends otherwise is a failure, not a figure. */
    static long leaderOf(final Simulator sim, final Ensemble ensemble) {
        long leader = -1;
        for (int i = 0; i < ensemble.size(); i++) {
            final MemberAgent agent = sim.agent(ensemble.sid(i));
            if (agent.state() == ServerState.LEADING) {
                if (leader >= 0) {
                    throw new IllegalStateException("two leaders: " + leader + " and " + agent.sid());
                }
                leader = agent.sid();
            }
        }
        if (leader < 0) {
            throw new IllegalStateException("stable, but no server is LEADING");
        }
        return leader;
    }
}
