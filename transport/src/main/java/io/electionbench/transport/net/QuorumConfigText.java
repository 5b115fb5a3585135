package io.electionbench.transport.net;

import java.util.List;
import java.util.Map;

/**
 * The config text sent in every notification, formatted as ZooKeeper's {@code QuorumMaj.toString()}
 * / {@code QuorumHierarchical.toString()}: one {@code server.N=host:quorumPort:electionPort:role}
 * line per member, then {@code group.G=a:b:c} and {@code weight.N=W} lines for hierarchical quorums,
 * then {@code version=<hex>}. Lines end with '\n'; the version line does not. Version 0 means "no
 * dynamic reconfiguration", so a ZooKeeper peer never treats it as newer than its own.
 */
public final class QuorumConfigText {
    private QuorumConfigText() {
    }

    public static String format(final List<PeerAddress> servers, final Map<Long, long[]> groups,
        final Map<Long, Long> weights, final long version) {
        final StringBuilder sb = new StringBuilder();
        for (final PeerAddress server : servers) {
            sb.append(server).append('\n');
        }
        for (final Map.Entry<Long, long[]> group : groups.entrySet()) {
            sb.append("group.").append(group.getKey()).append('=');
            final long[] sids = group.getValue();
            for (int i = 0; i < sids.length; i++) {
                sb.append(i == 0 ? "" : ":").append(sids[i]);
            }
            sb.append('\n');
        }
        for (final Map.Entry<Long, Long> weight : weights.entrySet()) {
            sb.append("weight.").append(weight.getKey()).append('=').append(weight.getValue()).append('\n');
        }
        return sb.append("version=").append(Long.toHexString(version)).toString();
    }
}
