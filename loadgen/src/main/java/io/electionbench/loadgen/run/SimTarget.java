package io.electionbench.loadgen.run;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.electionbench.core.ServerState;
import io.electionbench.core.election.ElectionObserver;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.election.NodeTiming;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.Simulator;
import io.electionbench.core.sim.network.NetworkModel;
import io.electionbench.core.sync.SyncMode;
import io.electionbench.loadgen.write.SimWriteDriver;
import io.electionbench.loadgen.write.WriteDriver;

/**
 * The deterministic simulator as a target: virtual time, a LAN network model, crashes with
 * connection resets and silent partitions. A pause is modelled as a silent partition of that
 * server (it neither sends nor receives) that ends on resume, which is what a SIGSTOP looks like
 * to its peers.
 */
final class SimTarget implements Target {
    private final Simulator sim;
    private final List<TrialEvent> events = new ArrayList<>();
    private final List<SyncEvent> syncs = new ArrayList<>();
    private SimWriteDriver writes;
    private long paused = -1;

    SimTarget(final int size, final ElectionPolicy policy, final NodeTiming timing, final long seed) {
        sim = new Simulator(Ensemble.majority(size), policy, timing, NetworkModel.LAN, seed);
        sim.listener(new ElectionObserver() {
            @Override
            public void onStateChange(final long sid, final ServerState from, final ServerState to, final long atNs,
                final String reason) {
                events.add(new TrialEvent(sid, atNs, to.name(), sim.agent(sid) == null ? -1 : sim.agent(sid).leader()));
            }

            @Override
            public void onServing(final long sid, final long atNs) {
                events.add(new TrialEvent(sid, atNs, TrialEvent.SERVING, -1));
            }

            @Override
            public void onSynced(final long sid, final long leader, final long epoch, final SyncMode mode,
                final long lastZxid, final long digest, final long txns, final long bytes, final long startedNs,
                final long nowNs) {
                syncs.add(new SyncEvent(sid, nowNs, mode == null ? "null" : mode.name(), txns, bytes,
                    nowNs - startedNs));
            }
        });
    }

    @Override
    public String name() {
        return "sim";
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
        final long[] others = new long[sim.ensemble().size() - 1];
        int n = 0;
        for (int i = 0; i < sim.ensemble().size(); i++) {
            if (sim.ensemble().sid(i) != sid) {
                others[n++] = sim.ensemble().sid(i);
            }
        }
        sim.partition(new long[][] {{sid}, others});
        paused = sid;
        return true;
    }

    @Override
    public void resume(final long sid) {
        if (paused == sid) {
            sim.heal();
            paused = -1;
        }
    }

    @Override
    public void partition(final long[][] sides) {
        sim.partition(sides);
    }

    @Override
    public boolean cutOneWay(final long receiver, final long[] senders) {
        sim.cutOneWay(receiver, senders);
        return true;
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
        if (writes != null && writes.isBusy()) {
            writes.runFor(durationNs);
        } else {
            sim.runFor(durationNs);
        }
    }

    /**
     * Writes through {@link Simulator#write} on virtual time, as {@link #idle} and {@link #awaitStable} let it pass.
     */
    @Override
    public WriteDriver writes(final double ratePerS, final long answerTimeoutNs) {
        if (writes == null) {
            writes = new SimWriteDriver(sim, ratePerS);
        }
        return writes;
    }

    @Override
    public List<SyncEvent> drainSyncs() {
        final List<SyncEvent> out = new ArrayList<>(syncs);
        syncs.clear();
        return out;
    }

    @Override
    public Map<Long, NodeView> snapshot() {
        final Map<Long, NodeView> out = new HashMap<>();
        for (int i = 0; i < sim.ensemble().size(); i++) {
            final long sid = sim.ensemble().sid(i);
            final MemberAgent a = sim.agent(sid);
            out.put(sid, a == null ? new NodeView(sid, false, "DOWN", -1, false)
                : new NodeView(sid, true, a.state().name(), a.leader(), a.isServing()));
        }
        return out;
    }

    @Override
    public List<TrialEvent> drainEvents() {
        final List<TrialEvent> out = new ArrayList<>(events);
        events.clear();
        return out;
    }

    @Override
    public long notificationsSent() {
        return sim.notificationsSent();
    }

    @Override
    public boolean awaitStable(final long timeoutNs) {
        return writes != null && writes.isBusy() ? writes.runUntilStable(timeoutNs) : sim.runUntilStable(timeoutNs);
    }

    @Override
    public void close() {
        sim.close();
    }
}
