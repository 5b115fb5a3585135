package io.electionbench.benchmarks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.SplittableRandom;
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
import io.electionbench.core.VoteOrder;
import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.quorum.QuorumVerifier;

/**
 * Counting a quorum as votes arrive: one op is one LOOKING round of a {@code size}-member ensemble,
 * where the members' votes arrive one by one in a random order and, after each arrival, the votes
 * equal to the proposal are counted and checked for a quorum; the op ends at the arrival that
 * completes the quorum and returns how many arrivals that took.
 * <ul>
 *   <li>{@code masks}: the core's way: the arrays of its package-private {@code VoteTable} (one
 *       primitive array per vote field indexed by member) and a presence bit mask, the agreeing
 *       members found by {@link VoteOrder#maskEqualTo}, the code {@code VoteTable.maskEqualTo} runs,
 *       and {@link QuorumVerifier#containsQuorum(long)} on the result. Allocates nothing.</li>
 *   <li>{@code maps}: the ZooKeeper baseline ({@code FastLeaderElection.lookForLeader} with
 *       {@code getVoteTracker}): a new {@code HashMap<Long, Vote> recvset} per round, a new
 *       {@link ZkVote} per received notification, and per arrival a new proposal vote and a new
 *       {@code HashSet<Long>} of the sids whose vote equals it, checked as {@code QuorumMaj} does
 *       ({@code ackSet.size() > half}).</li>
 * </ul>
 * Each round's votes agree with the proposal for a random number of members between a bare
 * majority and all; the others differ in leader or zxid. 256 rounds are cycled by an index, and at
 * setup both ways must give the expected arrival count for every round.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = {ForkJvm.ADD_EXPORTS, ForkJvm.JDK_INTERNAL_MISC, ForkJvm.HEAP_MIN, ForkJvm.HEAP_MAX})
@State(Scope.Thread)
public class VoteTallyBenchmark {
    private static final int ROUNDS = 256;
    private static final int LOOKING = ServerState.LOOKING.code();
    private static final int VERSION = MemberAgent.NOTIFICATION_VERSION;

    /** Ensemble size (all voters, majority quorum). */
    @Param({"3", "5", "7", "9", "15", "25", "51"})
    public int size;

    private QuorumVerifier quorum;
    private int half;
    private int next;
    /** Per round: the proposal's leader, zxid, election epoch, peer epoch. */
    private long[] proposals;
    /** Per round and arrival: the member index the vote comes from. */
    private int[] arrivalFrom;
    /** Per round and arrival: leader, zxid, election epoch, peer epoch. */
    private long[] arrivalVotes;
    /** Per round: the arrival (1-based) that completes the quorum. */
    private int[] expected;

    private long[] leader;
    private long[] zxid;
    private long[] electionEpoch;
    private long[] peerEpoch;
    private int[] state;
    private int[] version;

    @Setup(Level.Trial)
    public void setUp() {
        quorum = Ensemble.majority(size).quorum();
        half = size / 2;
        leader = new long[size];
        zxid = new long[size];
        electionEpoch = new long[size];
        peerEpoch = new long[size];
        state = new int[size];
        version = new int[size];
        proposals = new long[ROUNDS * 4];
        arrivalFrom = new int[ROUNDS * size];
        arrivalVotes = new long[ROUNDS * size * 4];
        expected = new int[ROUNDS];
        final SplittableRandom random = new SplittableRandom(0x7a11);
        for (int r = 0; r < ROUNDS; r++) {
            fillRound(random, r);
        }
        verify();
    }

    private void fillRound(final SplittableRandom random, final int r) {
        final long pLeader = 1 + random.nextInt(size);
        final long pEpoch = 1 + random.nextInt(5);
        final long pZxid = pEpoch << 32 | random.nextInt(1, 1 << 20);
        final long round = 1 + random.nextInt(100);
        proposals[r * 4] = pLeader;
        proposals[r * 4 + 1] = pZxid;
        proposals[r * 4 + 2] = round;
        proposals[r * 4 + 3] = pEpoch;
        final int agreeing = half + 1 + random.nextInt(size - half);
        final int[] order = shuffled(random, size);
        int agreed = 0;
        for (int k = 0; k < size; k++) {
            final int at = (r * size + k) * 4;
            arrivalFrom[r * size + k] = order[k];
            final boolean agrees = order[k] < agreeing;
            final boolean otherLeader = random.nextBoolean();
            arrivalVotes[at] = agrees || !otherLeader ? pLeader : pLeader % size + 1;
            arrivalVotes[at + 1] = agrees || otherLeader ? pZxid : pZxid - 1 - random.nextInt(100);
            arrivalVotes[at + 2] = round;
            arrivalVotes[at + 3] = pEpoch;
            if (agrees && ++agreed == half + 1) {
                expected[r] = k + 1;
            }
        }
    }

    private static int[] shuffled(final SplittableRandom random, final int n) {
        final int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            final int j = random.nextInt(i + 1);
            final int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    private void verify() {
        for (int r = 0; r < ROUNDS; r++) {
            next = r;
            final int fromMasks = masks();
            next = r;
            final int fromMaps = maps();
            if (fromMasks != expected[r] || fromMaps != expected[r]) {
                throw new IllegalStateException("round " + r + ": quorum expected at arrival " + expected[r]
                    + ", masks say " + fromMasks + ", maps say " + fromMaps);
            }
        }
        next = 0;
    }

    @Benchmark
    public int masks() {
        final int r = next++ & (ROUNDS - 1);
        final long[] p = proposals;
        final long pLeader = p[r * 4];
        final long pZxid = p[r * 4 + 1];
        final long pRound = p[r * 4 + 2];
        final long pEpoch = p[r * 4 + 3];
        long presentMask = 0;
        for (int k = 0; k < size; k++) {
            final int from = arrivalFrom[r * size + k];
            final int at = (r * size + k) * 4;
            leader[from] = arrivalVotes[at];
            zxid[from] = arrivalVotes[at + 1];
            electionEpoch[from] = arrivalVotes[at + 2];
            peerEpoch[from] = arrivalVotes[at + 3];
            state[from] = LOOKING;
            version[from] = VERSION;
            presentMask |= 1L << from;
            final long agree = VoteOrder.maskEqualTo(presentMask, state, version, leader, zxid, electionEpoch,
                peerEpoch, LOOKING, VERSION, pLeader, pZxid, pRound, pEpoch);
            if (quorum.containsQuorum(agree)) {
                return k + 1;
            }
        }
        return -1;
    }

    @Benchmark
    public int maps() {
        final int r = next++ & (ROUNDS - 1);
        final long[] p = proposals;
        final Map<Long, ZkVote> recvset = new HashMap<>();
        for (int k = 0; k < size; k++) {
            final long sid = arrivalFrom[r * size + k] + 1;
            final int at = (r * size + k) * 4;
            recvset.put(sid,
                new ZkVote(arrivalVotes[at], arrivalVotes[at + 1], arrivalVotes[at + 2], arrivalVotes[at + 3]));
            final ZkVote proposal = new ZkVote(p[r * 4], p[r * 4 + 1], p[r * 4 + 2], p[r * 4 + 3]);
            final HashSet<Long> ackSet = new HashSet<>();
            for (final Map.Entry<Long, ZkVote> e : recvset.entrySet()) {
                if (proposal.equals(e.getValue())) {
                    ackSet.add(e.getKey());
                }
            }
            if (ackSet.size() > half) {
                return k + 1;
            }
        }
        return -1;
    }
}
