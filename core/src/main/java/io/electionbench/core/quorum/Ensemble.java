package io.electionbench.core.quorum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.agrona.collections.Long2LongHashMap;

/**
 * The static membership of an ensemble: each member's sid, whether it votes, and the quorum rule.
 * Members are indexed 0..n-1 in increasing sid order; sets of members are bit masks over those
 * indexes, which limits an ensemble to 64 members.
 */
public final class Ensemble {
    /** Masks are {@code long}s. */
    public static final int MAX_MEMBERS = 64;

    private final long[] sids;
    private final boolean[] observers;
    /** Sids up to this are looked up in an array, the usual case; larger ones in a hash map. */
    private static final int DIRECT_SIDS = 1024;

    private final Long2LongHashMap indexBySid = new Long2LongHashMap(-1);
    private final int[] indexBySmallSid;
    private final QuorumVerifier quorum;

    private Ensemble(final long[] sids, final boolean[] observers, final QuorumVerifier quorum) {
        this.sids = sids;
        this.observers = observers;
        this.quorum = quorum;
        long max = 0;
        for (int i = 0; i < sids.length; i++) {
            indexBySid.put(sids[i], i);
            max = Math.max(max, sids[i]);
        }
        indexBySmallSid = new int[(int)Math.min(max, DIRECT_SIDS) + 1];
        java.util.Arrays.fill(indexBySmallSid, -1);
        for (int i = 0; i < sids.length; i++) {
            if (sids[i] <= DIRECT_SIDS) {
                indexBySmallSid[(int)sids[i]] = i;
            }
        }
    }

    /** A plain majority ensemble of participants 1..size. */
    public static Ensemble majority(final int size) {
        final Builder builder = builder();
        for (int sid = 1; sid <= size; sid++) {
            builder.participant(sid);
        }
        return builder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int size() {
        return sids.length;
    }

    public long sid(final int index) {
        return sids[index];
    }

    /** The member index of a sid, or -1 if the sid is not a member. */
    public int indexOf(final long sid) {
        if (sid >= 0 && sid < indexBySmallSid.length) {
            return indexBySmallSid[(int)sid];
        }
        return sid <= DIRECT_SIDS ? -1 : (int)indexBySid.get(sid);
    }

    public boolean isObserver(final int index) {
        return observers[index];
    }

    public QuorumVerifier quorum() {
        return quorum;
    }

    /** Mask with every member. */
    public long allMask() {
        return sids.length == 64 ? -1L : (1L << sids.length) - 1;
    }

    /** The sids of a member mask, in increasing order. */
    public long[] sidsOf(final long mask) {
        final long[] out = new long[Long.bitCount(mask & allMask())];
        int n = 0;
        for (int i = 0; i < sids.length; i++) {
            if ((mask & (1L << i)) != 0) {
                out[n++] = sids[i];
            }
        }
        return out;
    }

    /** The mask of the given sids; unknown sids are an error. */
    public long maskOf(final long... memberSids) {
        long mask = 0;
        for (final long sid : memberSids) {
            final int index = indexOf(sid);
            if (index < 0) {
                throw new IllegalArgumentException(
                    "sid " + sid + " is not a member of the ensemble " + Arrays.toString(sids));
            }
            mask |= 1L << index;
        }
        return mask;
    }

    @Override
    public String toString() {
        final StringBuilder sb = new StringBuilder("Ensemble[");
        for (int i = 0; i < sids.length; i++) {
            sb.append(i == 0 ? "" : ",").append(sids[i]).append(observers[i] ? "(observer)" : "");
        }
        return sb.append(' ').append(quorum.kind()).append(']').toString();
    }

    /**
     * Collects members, groups and weights as written in zoo.cfg ({@code server.N}, {@code group.G},
     * {@code weight.N}) or a scenario, and checks them once in {@link #build()}.
     */
    public static final class Builder {
        private final TreeMap<Long, Boolean> members = new TreeMap<>();
        private final TreeMap<Long, List<Long>> groups = new TreeMap<>();
        private final TreeMap<Long, Long> weights = new TreeMap<>();

        public Builder participant(final long sid) {
            return member(sid, false);
        }

        public Builder observer(final long sid) {
            return member(sid, true);
        }

        /** Adds or redefines a member. */
        public Builder member(final long sid, final boolean observer) {
            if (sid <= 0) {
                throw new IllegalArgumentException("server id " + sid + " must be a positive integer");
            }
            members.put(sid, observer);
            return this;
        }

        /** Declares group {@code gid} with these sids (zoo.cfg {@code group.G=a:b:c}). */
        public Builder group(final long gid, final long... groupSids) {
            if (groups.containsKey(gid)) {
                throw new IllegalArgumentException("group " + gid + " is declared twice");
            }
            final List<Long> list = new ArrayList<>();
            for (final long sid : groupSids) {
                list.add(sid);
            }
            groups.put(gid, list);
            return this;
        }

        /** Sets a voter's weight (zoo.cfg {@code weight.N=W}); only meaningful with groups. */
        public Builder weight(final long sid, final long weight) {
            if (weight < 0) {
                throw new IllegalArgumentException("weight of server " + sid + " must not be negative: " + weight);
            }
            weights.put(sid, weight);
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException saying what is inconsistent
         */
        public Ensemble build() {
            if (members.isEmpty()) {
                throw new IllegalArgumentException("the ensemble has no servers");
            }
            if (members.size() > MAX_MEMBERS) {
                throw new IllegalArgumentException("the ensemble has " + members.size() + " servers; at most "
                    + MAX_MEMBERS + " are supported");
            }
            final long[] sids = new long[members.size()];
            final boolean[] observers = new boolean[sids.length];
            int i = 0;
            long voters = 0;
            for (final Map.Entry<Long, Boolean> e : members.entrySet()) {
                sids[i] = e.getKey();
                observers[i] = e.getValue();
                if (!observers[i]) {
                    voters |= 1L << i;
                }
                i++;
            }
            if (voters == 0) {
                throw new IllegalArgumentException("the ensemble has no participants (every server is an observer)");
            }
            final Ensemble probe = new Ensemble(sids, observers, new MajorityQuorum(voters));
            if (groups.isEmpty()) {
                if (!weights.isEmpty()) {
                    throw new IllegalArgumentException("weight." + weights.firstKey()
                        + " is set but no group is declared; weights need groups");
                }
                return probe;
            }
            return new Ensemble(sids, observers, hierarchical(probe, voters));
        }

        private QuorumVerifier hierarchical(final Ensemble probe, final long voters) {
            final long[] groupMasks = new long[groups.size()];
            final long[] memberWeights = new long[probe.size()];
            Arrays.fill(memberWeights, 1);
            long grouped = 0;
            int g = 0;
            for (final Map.Entry<Long, List<Long>> e : groups.entrySet()) {
                for (final long sid : e.getValue()) {
                    final int index = probe.indexOf(sid);
                    if (index < 0) {
                        throw new IllegalArgumentException("group " + e.getKey() + " names server " + sid
                            + ", which is not in the ensemble");
                    }
                    if ((grouped & (1L << index)) != 0) {
                        throw new IllegalArgumentException("server " + sid + " is in more than one group");
                    }
                    grouped |= 1L << index;
                    // An observer may sit in a group with weight 0 (QuorumHierarchical.parse reads any
                    // sid of a group line); it adds nothing to the group and never votes.
                    if (!probe.isObserver(index)) {
                        groupMasks[g] |= 1L << index;
                    }
                }
                g++;
            }
            if ((grouped & voters) != voters) {
                final long[] missing = probe.sidsOf(voters & ~grouped);
                throw new IllegalArgumentException("with groups declared, every participant must be in a group;"
                    + " not grouped: " + Arrays.toString(missing));
            }
            for (final Map.Entry<Long, Long> e : weights.entrySet()) {
                final int index = probe.indexOf(e.getKey());
                if (index < 0) {
                    throw new IllegalArgumentException(
                        "weight." + e.getKey() + " names a server that is not in the ensemble");
                }
                if (probe.isObserver(index) && e.getValue() != 0) {
                    throw new IllegalArgumentException("weight." + e.getKey() + " is " + e.getValue() + " but server "
                        + e.getKey() + " is an observer: an observer never votes, so its weight must be 0");
                }
                memberWeights[index] = e.getValue();
            }
            long total = 0;
            for (int index = 0; index < memberWeights.length; index++) {
                total += (voters & (1L << index)) != 0 ? memberWeights[index] : 0;
            }
            if (total == 0) {
                throw new IllegalArgumentException(
                    "every participant's weight is 0: no set of servers can be a quorum");
            }
            return new HierarchicalQuorum(groupMasks, memberWeights);
        }
    }
}
