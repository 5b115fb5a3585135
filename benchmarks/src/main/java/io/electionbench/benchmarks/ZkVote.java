package io.electionbench.benchmarks;

/**
 * The baseline vote: an object with boxed {@code Long} fields, compared field by field as ZooKeeper's
 * {@code FastLeaderElection.totalOrderPredicate} and {@code Vote.equals} do. (ZooKeeper 3.9's own
 * {@code Vote} holds primitive longs, but every notification still arrives as freshly allocated
 * {@code Notification} and {@code Vote} objects; the boxed fields model that pointer chasing.)
 * Votes here are always LOOKING, so {@link #equals(Object)} compares all four fields.
 */
final class ZkVote {
    final Long id;
    final Long zxid;
    final Long electionEpoch;
    final Long peerEpoch;

    ZkVote(final long id, final long zxid, final long electionEpoch, final long peerEpoch) {
        this.id = id;
        this.zxid = zxid;
        this.electionEpoch = electionEpoch;
        this.peerEpoch = peerEpoch;
    }

    /** ZooKeeper's {@code totalOrderPredicate}: peer epoch, then zxid, then sid. */
    static boolean totalOrderPredicate(final ZkVote newVote, final ZkVote curVote) {
        return newVote.peerEpoch > curVote.peerEpoch
            || newVote.peerEpoch.equals(curVote.peerEpoch)
            && (newVote.zxid > curVote.zxid
                || newVote.zxid.equals(curVote.zxid) && newVote.id > curVote.id);
    }

    @Override
    public boolean equals(final Object o) {
        if (!(o instanceof ZkVote)) {
            return false;
        }
        final ZkVote other = (ZkVote)o;
        return id.equals(other.id) && zxid.equals(other.zxid) && electionEpoch.equals(other.electionEpoch)
            && peerEpoch.equals(other.peerEpoch);
    }

    @Override
    public int hashCode() {
        return (int)(id & zxid);
    }
}
