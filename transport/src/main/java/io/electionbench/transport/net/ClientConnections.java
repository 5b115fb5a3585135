package io.electionbench.transport.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

import org.agrona.collections.Object2IntHashMap;

import io.netty.channel.Channel;

/**
 * How many write-client connections a transport holds, per source address and in all, against
 * {@link TransportConfig#maxClientCnxns()} and {@link TransportConfig#maxCnxns()} (0: no limit). A
 * connection counts from the moment its header says it is a write client until it closes; peer
 * connections never count (in ZooKeeper they use other ports than clients).
 *
 * <p>The checks are ZooKeeper's, made at accept there ({@code NIOServerCnxnFactory.AcceptThread.doAccept},
 * {@code NettyServerCnxnFactory.CnxnChannelHandler.channelActive}): the total first
 * ({@code ServerCnxnFactory.limitTotalNumberOfCnxns}), then the source address. Event loop only; the
 * open count is also published for any thread.
 */
final class ClientConnections {
    private final int maxPerAddress;
    private final int maxTotal;
    private final Object2IntHashMap<InetAddress> perAddress = new Object2IntHashMap<>(0);
    private volatile int open;

    ClientConnections(final int maxPerAddress, final int maxTotal) {
        this.maxPerAddress = maxPerAddress;
        this.maxTotal = maxTotal;
    }

    /**
     * Counts {@code ch} as a client connection until it closes, if the limits allow it.
     *
     * @return null if admitted, else the limit it would exceed ({@link RefuseReason#MAX_CNXNS} or
     *         {@link RefuseReason#MAX_CLIENT_CNXNS}); a refused connection is not counted
     */
    RefuseReason admit(final Channel ch) {
        final int total = open;
        if (maxTotal > 0 && total >= maxTotal) {
            return RefuseReason.MAX_CNXNS;
        }
        final InetAddress address = sourceOf(ch.remoteAddress());
        final int fromAddress = perAddress.getValue(address);
        if (maxPerAddress > 0 && fromAddress >= maxPerAddress) {
            return RefuseReason.MAX_CLIENT_CNXNS;
        }
        perAddress.put(address, fromAddress + 1);
        open = total + 1;
        ch.closeFuture().addListener(f -> release(address));
        return null;
    }

    private void release(final InetAddress address) {
        final int fromAddress = perAddress.getValue(address);
        if (fromAddress <= 1) {
            perAddress.removeKey(address);
        } else {
            perAddress.put(address, fromAddress - 1);
        }
        open = open - 1;
    }

    /** The limit {@code reason} names, for log lines. */
    int limit(final RefuseReason reason) {
        return reason == RefuseReason.MAX_CNXNS ? maxTotal : maxPerAddress;
    }

    /** Client connections open now (a volatile read; any thread). */
    int open() {
        return open;
    }

    /** Client connections open from {@code address} (event loop only). */
    int openFrom(final InetAddress address) {
        return perAddress.getValue(address);
    }

    /** Connections without an IP source (an in-process channel in tests) share one count. */
    private static InetAddress sourceOf(final SocketAddress remote) {
        return remote instanceof InetSocketAddress ? ((InetSocketAddress)remote).getAddress()
            : InetAddress.getLoopbackAddress();
    }
}
