package io.electionbench.loadgen.proxy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A {@link FaultProxy} on every directed peer link of a ZooKeeper-style ensemble on loopback, so any
 * two servers can be partitioned without root or kernel support.
 *
 * <p>For every ordered pair (i, j), i != j, there is a proxy P(i->j) in front of j's quorum port and
 * one in front of j's election port. Server i's config names itself with its real ports and every
 * other server j with the ports of P(i->j) ({@link #quorumPort}, {@link #electionPort}), so every
 * connection i opens to j runs through i's proxies, both directions of it. The one leak would be
 * ZooKeeper's election dial-back to the address in the initiator's header; each election proxy
 * P(i->j) therefore rewrites that address to P(j->i)'s ({@link ElectionHeaderRewriter}).
 *
 * <p>Cutting i from j means cutting P(i->j) and P(j->i), both ports. The proxies of one ensemble share
 * one event loop thread. A refused election connect is passed on as a hang-up (ZooKeeper treats
 * both alike: it redials on its next notification); a refused quorum connect is retried by the proxy
 * the way ZooKeeper's Learner retries it ({@link FaultProxy#retryConnect}).
 */
public final class PeerProxies implements AutoCloseable {
    /** A server's real peer ports on loopback. */
    public record Ports(int quorum, int election) {
    }

    private record Key(long from, long to) {
    }

    private final ProxyLoops loops = new ProxyLoops(1);
    private final Map<Key, FaultProxy> quorum = new LinkedHashMap<>();
    /** Concurrent: the event loop looks reverse proxies up in it. */
    private final Map<Key, FaultProxy> election = new ConcurrentHashMap<>();

    /**
     * Binds every proxy on an ephemeral loopback port.
     *
     * @param servers each sid's real ports (not bound yet, typically)
     * @param reserved further ports the servers will bind (client ports); no proxy takes one
     */
    public PeerProxies(final Map<Long, Ports> servers, final Set<Integer> reserved) {
        final Set<Integer> avoid = new HashSet<>(reserved);
        for (final Ports p : servers.values()) {
            avoid.add(p.quorum());
            avoid.add(p.election());
        }
        // A proxy's port is whatever the kernel hands out; it may hand out a port some server has
        // been promised but not bound yet. Those proxies stay open (so the port is not handed out
        // again) until every proxy has a clean one, then close.
        final List<FaultProxy> rejected = new ArrayList<>();
        try {
            for (final Map.Entry<Long, Ports> to : servers.entrySet()) {
                for (final long from : servers.keySet()) {
                    if (from == to.getKey()) {
                        continue;
                    }
                    final Key key = new Key(from, to.getKey());
                    // A follower may dial a new leader just before it listens; ZooKeeper retries a refused
                    // connect (5 tries, 100 ms apart) but not a reset, so the proxy retries for it.
                    quorum.put(key, bind(to.getValue().quorum(), null, avoid, rejected).retryConnect(5, 100));
                    // The reverse proxy may not exist yet: resolve its port when a connection comes.
                    final Key reverse = new Key(to.getKey(), from);
                    election.put(key, bind(to.getValue().election(),
                        () -> new ElectionHeaderRewriter("127.0.0.1:" + election.get(reverse).port()), avoid,
                        rejected));
                }
            }
        } catch (final RuntimeException ex) {
            rejected.forEach(FaultProxy::close);
            close();
            throw ex;
        }
        rejected.forEach(FaultProxy::close);
    }

    private FaultProxy bind(final int upstreamPort, final Supplier<ElectionHeaderRewriter> rewriter,
        final Set<Integer> avoid, final List<FaultProxy> rejected) {
        while (true) {
            final FaultProxy p = FaultProxy.open(loops, FaultProxy.loopback(upstreamPort), rewriter);
            if (!avoid.contains(p.port())) {
                return p;
            }
            rejected.add(p);
        }
    }

    /** The port server {@code from} is told server {@code to}'s quorum port is. */
    public int quorumPort(final long from, final long to) {
        return proxy(quorum, from, to).port();
    }

    /** The port server {@code from} is told server {@code to}'s election port is. */
    public int electionPort(final long from, final long to) {
        return proxy(election, from, to).port();
    }

    /** The proxy of one directed election link (for tests and diagnostics). */
    public FaultProxy election(final long from, final long to) {
        return proxy(election, from, to);
    }

    /** The proxy of one directed quorum link (for tests and diagnostics). */
    public FaultProxy quorum(final long from, final long to) {
        return proxy(quorum, from, to);
    }

    private static FaultProxy proxy(final Map<Key, FaultProxy> proxies, final long from, final long to) {
        final FaultProxy p = proxies.get(new Key(from, to));
        if (p == null) {
            throw new IllegalArgumentException("no link " + from + " -> " + to);
        }
        return p;
    }

    /**
     * Cuts every link, both ports and both directions, between servers on different sides. A server
     * on no side keeps its links. Links already cut stay cut.
     */
    public void partition(final long[][] sides) {
        final Map<Long, Integer> sideOf = new HashMap<>();
        for (int s = 0; s < sides.length; s++) {
            for (final long sid : sides[s]) {
                sideOf.put(sid, s);
            }
        }
        for (final Map<Key, FaultProxy> proxies : List.of(quorum, election)) {
            for (final Map.Entry<Key, FaultProxy> e : proxies.entrySet()) {
                final Integer a = sideOf.get(e.getKey().from());
                final Integer b = sideOf.get(e.getKey().to());
                if (a != null && b != null && !a.equals(b)) {
                    e.getValue().cut();
                }
            }
        }
    }

    /**
     * Makes {@code receiver} deaf to {@code senders}, on both ports: on the links a sender opened to it
     * (P(sender->receiver)) the sender's bytes are dropped, on the links it opened to a sender
     * (P(receiver->sender)) the sender's answers are; what the receiver sends still arrives. Healed by
     * {@link #heal()}.
     */
    public void cutOneWay(final long receiver, final long[] senders) {
        for (final long sender : senders) {
            if (sender == receiver) {
                continue;
            }
            for (final Map<Key, FaultProxy> proxies : List.of(quorum, election)) {
                proxy(proxies, sender, receiver).cutOneWay(true);
                proxy(proxies, receiver, sender).cutOneWay(false);
            }
        }
    }

    /** Heals every link. */
    public void heal() {
        quorum.values().forEach(FaultProxy::heal);
        election.values().forEach(FaultProxy::heal);
    }

    /** Bytes dropped by cuts on all links so far. */
    public long bytesDropped() {
        long sum = 0;
        for (final FaultProxy p : quorum.values()) {
            sum += p.bytesDropped();
        }
        for (final FaultProxy p : election.values()) {
            sum += p.bytesDropped();
        }
        return sum;
    }

    @Override
    public void close() {
        quorum.values().forEach(FaultProxy::close);
        election.values().forEach(FaultProxy::close);
        loops.close();
    }
}
