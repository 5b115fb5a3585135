package io.electionbench.core.election;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.electionbench.core.ServerState;
import io.electionbench.core.Zxid;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sync.SyncMode;

/**
 * No sequence of frames, valid-looking or not, moves a member's epochs out of the epoch space or
 * backwards: every number a peer sends is drawn from small values, values at the end of the space and
 * values beyond it, in any order, to a member that starts anywhere, the end of the space included.
 */
class EpochBoundsProperties {
    record Step(int kind, long from, long a, long b) {
    }

    @Property(tries = 3000)
    void epochsNeverLeaveTheEpochSpaceNorGoBack(@ForAll("steps") final List<Step> steps,
        @ForAll("startEpochs") final long startEpoch) {
        final AgentHarness h = new AgentHarness(3, Ensemble.majority(5), ElectionPolicy.FAST);
        h.storage.epoch = startEpoch;
        h.start();
        long accepted = h.storage.acceptedEpoch();
        for (final Step step : steps) {
            apply(h, step);
            final long nowAccepted = h.storage.acceptedEpoch();
            final long current = h.storage.currentEpoch();
            assertTrue(Zxid.isValidEpoch(nowAccepted) && Zxid.isValidEpoch(current),
                "accepted " + nowAccepted + ", current " + current + " after " + step);
            assertTrue(nowAccepted >= accepted, "accepted went back from " + accepted + " to " + nowAccepted);
            assertTrue(current <= nowAccepted, "current " + current + " above accepted " + nowAccepted);
            assertTrue(Zxid.isValid(h.storage.lastLoggedZxid()), "log " + h.storage.lastLoggedZxid());
            accepted = nowAccepted;
        }
        assertTrue(h.agent.haltReason() == null || h.agent.haltReason().contains("exhausted"));
    }

    private static void apply(final AgentHarness h, final Step s) {
        final long from = s.from();
        switch (s.kind()) {
            case 0 -> h.notification(from, ServerState.LOOKING.code(), s.b() % 2 == 0 ? 3 : from, s.b(),
                1 + (s.a() & 3), s.a());
            case 1 -> h.learnerInfo(from, s.a());
            case 2 -> h.zxidMessage(InboundMessages.LEADER_INFO, from, s.a());
            case 3 -> h.ackEpoch(from, s.a(), s.b());
            case 4 -> h.syncStart(from, SyncMode.DIFF, h.storage.lastLoggedZxid());
            case 5 -> h.zxidMessage(InboundMessages.NEW_LEADER, from, s.b());
            case 6 -> h.proposal(from, s.b());
            case 7 -> h.zxidMessage(InboundMessages.ACK, from, s.b());
            case 8 -> h.zxidMessage(InboundMessages.UP_TO_DATE, from, s.b());
            case 9 -> h.notification(from, ServerState.LEADING.code(), from, s.b(), 1, s.a());
            case 10 -> h.write(s.a());
            case 11 -> h.connected(from);
            case 12 -> h.quorumDisconnected(from);
            default -> h.advanceMs(1 + (s.a() & 1023));
        }
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(0, 13), Arbitraries.longs().between(1, 5), numbers(),
            zxids()).as(Step::new).list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<Long> startEpochs() {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(0, 5)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between(Zxid.MAX_EPOCH - 3, Zxid.MAX_EPOCH)));
    }

    /** Epoch-like numbers: small, at the end of the space, beyond it, negative, the extremes. */
    private static Arbitrary<Long> numbers() {
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, Arbitraries.longs().between(0, 6)),
            net.jqwik.api.Tuple.of(3, Arbitraries.longs().between(Zxid.MAX_EPOCH - 3, Zxid.MAX_EPOCH + 2)),
            net.jqwik.api.Tuple.of(1, Arbitraries.longs().between((1L << 32) - 2, (1L << 32) + 1)),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(-1L, -2L, Long.MIN_VALUE, Long.MAX_VALUE)));
    }

    /** Zxids made of such epochs and counters at both ends of their range, and raw longs. */
    private static Arbitrary<Long> zxids() {
        final Arbitrary<Long> made = Combinators.combine(Arbitraries.longs().between(0, Zxid.MAX_EPOCH),
            Arbitraries.of(0L, 1L, 2L, Zxid.MAX_COUNTER, 0xFFFF_FFFFL)).as(Zxid::make);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, made),
            net.jqwik.api.Tuple.of(1, Arbitraries.of(-1L, -2L, Long.MIN_VALUE, Long.MAX_VALUE, 0L)));
    }
}
