package io.electionbench.loadgen.write;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.electionbench.core.election.WriteListener;
import io.electionbench.transport.client.WriteClient;
import io.electionbench.transport.net.TlsConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Open-loop writes to real nodes through their quorum ports: one {@link WriteClient} per node, all on
 * one shared I/O thread, driven by a {@link LeaderFollowingWriter} on the writer's agent thread
 * ({@link AgentWriteDriver}). Each write is 128 bytes, the first 8 its sequence (big-endian), the
 * rest zero.
 *
 * <p>Threads: the I/O thread stamps each answer with {@code System.nanoTime()} as it arrives and
 * writes it, as a primitive record, into a many-to-one ring the agent drains (no allocation, no
 * locks); answers other than COMMITTED and lost connections also wake the agent, so retries do not
 * wait for the next scheduled write.
 */
public final class SocketWriteDriver extends AgentWriteDriver {
    /** Bytes per write: the sequence as a big-endian long, then zeros. */
    static final int PAYLOAD_BYTES = 128;
    static final long BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(2);
    static final long CONNECT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final int CONNECT_TIMEOUT_MS = 500;

    /** Ring records: RESULT {sid, seq, zxid, leaderSid, atNs, status}; DISCONNECTED {sid, atNs}. */
    private static final int RESULT = 1;
    private static final int DISCONNECTED = 2;
    private static final int SID_OFFSET = 0;
    private static final int SEQ_OFFSET = 8;
    private static final int ZXID_OFFSET = 16;
    private static final int LEADER_OFFSET = 24;
    private static final int AT_OFFSET = 32;
    private static final int STATUS_OFFSET = 40;
    private static final int RECORD_LENGTH = 44;
    private static final int RING_CAPACITY = 4 << 20;

    /** Reads a range of the serving leader's log ({@code GET /log}). */
    @FunctionalInterface
    public interface LogSource {
        LeaderLog read(long fromZxid, long toZxid) throws Exception;
    }

    private final long[] sids;
    private final Map<Long, InetSocketAddress> addresses;
    private final byte[] secret;
    private final TlsConfig tls;
    private final LogSource logSource;
    private final boolean isEpoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final ManyToOneRingBuffer answers = new ManyToOneRingBuffer(
        new UnsafeBuffer(ByteBuffer.allocateDirect(RING_CAPACITY + RingBufferDescriptor.TRAILER_LENGTH)));
    private final MessageHandler onAnswer = this::onAnswer;
    private final WriteClient[] clients;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);

    /**
     * @param addresses       every node's quorum port
     * @param secret          the ensemble's peerAuthSecret, or null
     * @param tls             the ensemble's quorum TLS, or null
     * @param answerTimeoutNs a node with writes outstanding that answers nothing this long is dropped
     */
    public SocketWriteDriver(final Map<Long, InetSocketAddress> addresses, final byte[] secret, final TlsConfig tls,
        final double ratePerS, final long answerTimeoutNs, final LogSource logSource) {
        super(ratePerS);
        this.addresses = Map.copyOf(addresses);
        this.sids = addresses.keySet().stream().mapToLong(Long::longValue).sorted().toArray();
        this.secret = secret;
        this.tls = tls;
        this.logSource = logSource;
        this.clients = new WriteClient[sids.length];
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("writer-io", true),
            isEpoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        start(new LeaderFollowingWriter(sids, new SocketLinks(), BACKOFF_NS, CONNECT_BACKOFF_NS, answerTimeoutNs),
            "writer");
    }

    @Override
    protected int drainAnswers() {
        return answers.read(onAnswer, 1024);
    }

    private void onAnswer(final int type, final MutableDirectBuffer b, final int at, final int length) {
        if (type == RESULT) {
            writer().onResult(b.getLong(at + SID_OFFSET), b.getLong(at + SEQ_OFFSET), b.getInt(at + STATUS_OFFSET),
                b.getLong(at + ZXID_OFFSET), b.getLong(at + LEADER_OFFSET), b.getLong(at + AT_OFFSET));
        } else {
            writer().onDisconnected(b.getLong(at + SID_OFFSET), b.getLong(at + AT_OFFSET));
        }
    }

    @Override
    public String missingAcknowledged(final TrialWrites writes) {
        final long[] zxids = writes.ackZxids();
        if (zxids.length == 0) {
            return null;
        }
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (final long z : zxids) {
            from = Math.min(from, z);
            to = Math.max(to, z);
        }
        final LeaderLog log;
        try {
            log = logSource.read(from, to);
        } catch (final Exception ex) {
            return "the acknowledged writes could not be checked: " + ex.getMessage();
        }
        return log.missing(zxids, writes.ackSeqs());
    }

    @Override
    protected void closeConnections() {
        for (int i = 0; i < clients.length; i++) {
            if (clients[i] != null) {
                clients[i].close();
                clients[i] = null;
            }
        }
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private int index(final long sid) {
        for (int i = 0; i < sids.length; i++) {
            if (sids[i] == sid) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + sid);
    }

    /** The writer's connections: {@link WriteClient}s, agent thread only. */
    private final class SocketLinks implements LeaderFollowingWriter.Links {
        @Override
        public boolean connect(final long sid) {
            final int i = index(sid);
            if (clients[i] == null) {
                clients[i] = new WriteClient(new Answers(sid), group, isEpoll).authSecret(secret).tls(tls);
            }
            if (clients[i].isConnected()) {
                return true;
            }
            final InetSocketAddress address = addresses.get(sid);
            try {
                clients[i].connect(address.getHostString(), address.getPort(), CONNECT_TIMEOUT_MS);
                return true;
            } catch (final IOException ex) {
                return false;
            } catch (final IllegalStateException ex) {
                return clients[i].isConnected(); // connected meanwhile
            }
        }

        @Override
        public boolean send(final long sid, final long seq) {
            final WriteClient client = clients[index(sid)];
            payload.putLong(0, seq, ByteOrder.BIG_ENDIAN);
            return client != null && client.write(seq, payload, 0, PAYLOAD_BYTES);
        }

        @Override
        public void drop(final long sid) {
            final int i = index(sid);
            if (clients[i] != null) {
                clients[i].close();
                clients[i] = null;
            }
        }
    }

    /** One node's answers, on the I/O thread: stamped and handed to the agent through the ring. */
    private final class Answers implements WriteClient.Listener {
        private final long sid;

        Answers(final long sid) {
            this.sid = sid;
        }

        @Override
        public void onResult(final long sequence, final int status, final long zxid, final long leaderSid) {
            final long atNs = System.nanoTime();
            final int at = claim(RESULT);
            if (at < 0) {
                return;
            }
            final MutableDirectBuffer b = answers.buffer();
            b.putLong(at + SID_OFFSET, sid);
            b.putLong(at + SEQ_OFFSET, sequence);
            b.putLong(at + ZXID_OFFSET, zxid);
            b.putLong(at + LEADER_OFFSET, leaderSid);
            b.putLong(at + AT_OFFSET, atNs);
            b.putInt(at + STATUS_OFFSET, status);
            answers.commit(at);
            if (status != WriteListener.COMMITTED) {
                wake();
            }
        }

        @Override
        public void onDisconnected(final Throwable cause) {
            final long atNs = System.nanoTime();
            final int at = claim(DISCONNECTED);
            if (at < 0) {
                return;
            }
            answers.buffer().putLong(at + SID_OFFSET, sid);
            answers.buffer().putLong(at + AT_OFFSET, atNs);
            answers.commit(at);
            wake();
        }

        /**
         * The ring is never full while the agent runs (4 MiB against a few thousand answers a second); spin if it is.
         */
        private int claim(final int type) {
            int at;
            while ((at = answers.tryClaim(type, RECORD_LENGTH)) < 0) {
                if (isClosed()) {
                    return -1;
                }
                Thread.onSpinWait();
            }
            return at;
        }
    }
}
