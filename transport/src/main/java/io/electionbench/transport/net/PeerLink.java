package io.electionbench.transport.net;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.electionbench.core.election.InboundMessages;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;

/**
 * What both kinds of link to one peer share: the connection (dialing, the tie-break, reconnecting
 * with jittered backoff, the channel a completed handshake attaches) and the coalesced wake-up by
 * which the agent thread (single producer) hands messages to the event loop (single consumer). The
 * messages themselves are the subclasses': {@link ElectionLink} (notifications in a ring) and
 * {@link QuorumLink} (encoded frames in a queue). Everything but the hand-off structures, the wake
 * flag and the published channel is owned by the event loop. docs/transport.md, "Pipeline and links".
 */
abstract class PeerLink implements Runnable {
    /** Messages one drain takes before it yields the event loop (and schedules itself again). */
    static final int DRAIN_LIMIT = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);
    private static final AtomicIntegerFieldUpdater<PeerLink> WAKE =
        AtomicIntegerFieldUpdater.newUpdater(PeerLink.class, "wakePending");

    final PeerTransport transport;
    final EventLoop eventLoop;
    private final long peerSid;
    private final int peerIndex;
    private final boolean isDialer;
    private final Runnable reconnectTask = this::onReconnectTimer;
    private final Runnable agentDialTask = this::dialForAgent;
    private volatile int wakePending;
    /** The attached channel as the agent and other threads see it; written by the event loop. */
    private volatile Channel liveChannel;

    /** The attached channel (event loop). */
    Channel channel;
    /** When {@link #channel} was attached ({@link System#nanoTime}; event loop). */
    private long attachedNs;
    private Channel dialing;
    private int backoffMs;
    private boolean isReconnectScheduled;
    /** The last attempt failed to connect at all (nothing listening), rather than after connecting. */
    private boolean isPeerUnreachable;
    /** The agent asked for a dial ({@link #requestDial}): the outcome of the attempt is reported to it. */
    private boolean isDialReportWanted;

    PeerLink(final PeerTransport transport, final long peerSid, final int peerIndex, final EventLoop eventLoop) {
        this.transport = transport;
        this.peerSid = peerSid;
        this.peerIndex = peerIndex;
        this.isDialer = transport.mySid() > peerSid;
        this.eventLoop = eventLoop;
        this.backoffMs = transport.config().reconnectMinMs();
    }

    /** The port this link connects to. */
    abstract PortKind kind();

    /** The handler that reads this link's frames once a connection's handshake is done. */
    abstract PeerFrameHandler newFrameHandler();

    /** The name {@link #newFrameHandler()}'s handler has in the pipeline. */
    abstract String frameHandlerName();

    /** Whether this side dials (and redials) this port: the larger sid always; the smaller one only to prompt. */
    abstract boolean dials();

    /** Whether a failed dial the agent asked for on this link is reported to it (one link per peer does). */
    abstract boolean reportsDialFailure();

    /** Writes what the agent handed over (event loop). */
    abstract void drain();

    /** {@code ch} was just attached: send what was kept while the link was down, tell the agent if it must know. */
    abstract void onUp(Channel ch);

    /** The attached channel closed: tell the agent if it must know, drop what cannot be sent. */
    abstract void onDown();

    // ------------------------------------------------------------------------------------------------
    // Agent thread

    /** Schedules the drain unless one is pending (a CAS on a volatile int), so a burst costs one task. */
    final void wake() {
        if (WAKE.compareAndSet(this, 0, 1)) {
            try {
                eventLoop.execute(this);
            } catch (final RejectedExecutionException ignored) {
                // The transport is closing; what is queued is released by QuorumLink.releaseAll().
            }
        }
    }

    /** True while a connection is attached (a volatile read; any thread). */
    final boolean isConnected() {
        return liveChannel != null;
    }

    /** The attached channel, or null (a volatile read; any thread). */
    final Channel liveChannel() {
        return liveChannel;
    }

    /** Bytes waiting in Netty's outbound buffer of the attached connection (any thread; racy). */
    final long pendingOutboundBytes() {
        final Channel ch = liveChannel;
        final ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    // ------------------------------------------------------------------------------------------------
    // Event loop

    /** The coalesced wake-up task: clear the flag first (volatile), then drain, so nothing is missed. */
    @Override
    public final void run() {
        WAKE.set(this, 0);
        drain();
    }

    /** The handshake on {@code ch} completed: it becomes this link's channel, replacing any older one. */
    final void attach(final Channel ch) {
        final Channel old = channel;
        channel = ch;
        liveChannel = ch;
        attachedNs = System.nanoTime();
        if (dialing == ch) {
            dialing = null;
        }
        if (old != null && old != ch) {
            old.close();
        }
        if (isProvenByHandshake()) {
            resetBackoff();
        }
        transport.counters().increment(TransportCounters.LINKS_UP);
        LOG.debug("{}: {} link to {} up", transport.name(), kind(), peerSid);
        onUp(ch);
    }

    /** {@code ch} closed, whether it was this link's channel, a dial in progress, or neither. */
    final void onClosed(final Channel ch) {
        if (ch == channel) {
            channel = null;
            liveChannel = null;
            transport.counters().increment(TransportCounters.LINKS_DOWN);
            LOG.debug("{}: {} link to {} down", transport.name(), kind(), peerSid);
            onDown();
        }
        if (ch == dialing) {
            dialing = null;
        }
        if (channel == null) {
            scheduleReconnect();
        }
    }

    /** A connection attempt failed before the channel became active; the agent hears of it if it asked. */
    final void onConnectFailed(final Channel ch) {
        transport.counters().increment(TransportCounters.CONNECTS_FAILED);
        isPeerUnreachable = true;
        if (isDialReportWanted) {
            isDialReportWanted = false;
            transport.offerToAgent(InboundMessages.PEER_UNREACHABLE, peerSid);
        }
        onClosed(ch);
    }

    /**
     * Agent thread: the agent needs the peer now ({@code PeerPublisher.connect}, one try of ZooKeeper's
     * {@code Learner.connectToLeader}); the dial runs on the event loop ({@link #dialForAgent}).
     */
    final void requestDial() {
        try {
            eventLoop.execute(agentDialTask);
        } catch (final RejectedExecutionException ignored) {
            // The transport is closing: there is nothing to dial for.
        }
    }

    /**
     * Dials at once, whatever the backoff, unless a connection is up (its drop is reported when it
     * happens), an attempt is in progress (its outcome is reported instead) or the peer is held back
     * ({@link #isDialHeldBack}); a scheduled reconnect stands and finds the link up or dialling. A
     * failure before connecting is one PEER_UNREACHABLE.
     */
    private void dialForAgent() {
        if (channel != null || transport.isClosed() || !dials()) {
            return;
        }
        isDialReportWanted = reportsDialFailure();
        if (isDialHeldBack()) {
            return;
        }
        dial();
    }

    /**
     * Whether the agent's dials wait for the scheduled reconnect instead of going out at once: a peer
     * found unable to work with us (a ZooKeeper leader at the quorum port) is redialled on its backoff
     * only, or a learner that looks again, re-elects it and dials at once floods it.
     */
    boolean isDialHeldBack() {
        return false;
    }

    /** Dials if this side dials this port and nothing is up or in progress. */
    final void dial() {
        if (transport.isClosed() || channel != null || dialing != null || !dials()) {
            return;
        }
        dialing = transport.connect(this);
    }

    /**
     * The smaller sid prompted us (election port): dial back now, on this link and on the quorum
     * link (which the smaller sid cannot dial either), unless a link is up or being set up or the peer
     * is held back ({@link #isDialHeldBack}). If our last attempt found nothing listening, the prompt
     * shows the peer is back (a restart): the backoff starts over and we dial at once, as ZooKeeper
     * does, rather than wait up to reconnectMaxMs. If it failed after connecting (a refused handshake,
     * a wrong secret), a scheduled reconnect and its backoff stand: such a peer prompts at its own
     * rate, and redialing at each prompt made 95 attempts, and as many WARN lines, in 10 s. A
     * completed handshake resets the backoff ({@link #attach}).
     *
     * <p>A prompt while the link is up, on a link that proves the peer lost it ({@link
     * #isPromptProofOfLoss}) and that has been up for longer than {@link #stalePromptNs}, shows our
     * connection is half open: the peer's end is gone without a word to ours (its own firewall reset
     * it, as a REJECT cut on its host does, or its host forgot it), and nothing we would send soon
     * tells us. The connection is closed and redialled after reconnectMinMs; otherwise the peer stayed
     * cut off from us until we next happened to write to it. A prompt sooner after the attach may
     * have been sent before the peer saw our connection, and is ignored as before.
     */
    final void onPrompted() {
        if (channel != null) {
            if (isPromptProofOfLoss() && !isDialHeldBack() && System.nanoTime() - attachedNs > stalePromptNs()) {
                LOG.info("{}: {} link to {} is half open (the peer prompted while it was up): reconnecting",
                    transport.name(), kind(), peerSid);
                transport.counters().increment(TransportCounters.HALF_OPEN_RESETS);
                resetBackoff();
                channel.close();
            }
            return;
        }
        if (isDialHeldBack() || isReconnectScheduled && !isPeerUnreachable) {
            return;
        }
        if (isPeerUnreachable) {
            backoffMs = transport.config().reconnectMinMs();
        }
        dial();
    }

    /**
     * Whether a prompt from the peer while this link is up shows the peer has no connection of its
     * own on it: true on the election port, where the smaller sid prompts exactly while its link to
     * us is down; the quorum link takes the same prompt only to dial sooner, which says nothing of it.
     */
    boolean isPromptProofOfLoss() {
        return false;
    }

    /**
     * How long a link must have been up before a prompt counts as proof it is half open: twice
     * reconnectMaxMs, longer than a prompt that crossed our dial takes to arrive (the peer stops
     * prompting once it has our connection, and prompts at least once per reconnectMaxMs while not).
     */
    private long stalePromptNs() {
        return TimeUnit.MILLISECONDS.toNanos(2L * transport.config().reconnectMaxMs());
    }

    private void scheduleReconnect() {
        if (isReconnectScheduled || transport.isClosed() || !dials()) {
            return;
        }
        isReconnectScheduled = true;
        final int delayMs = backoffMs / 2 + ThreadLocalRandom.current().nextInt(backoffMs / 2 + 1);
        backoffMs = Math.min(backoffMs * 2, transport.config().reconnectMaxMs());
        eventLoop.schedule(reconnectTask, Math.max(1, delayMs), TimeUnit.MILLISECONDS);
    }

    private void onReconnectTimer() {
        isReconnectScheduled = false;
        dial();
    }

    /**
     * True if a completed handshake shows the peer speaks our protocol, so the backoff starts over at
     * {@link #attach}; a link whose handshake the peer never answers overrides this and calls
     * {@link #resetBackoff()} once the peer has said something.
     */
    boolean isProvenByHandshake() {
        return true;
    }

    /** The peer answered us: the next reconnect, if one is needed, waits reconnectMinMs again (event loop). */
    final void resetBackoff() {
        backoffMs = transport.config().reconnectMinMs();
    }

    /** A dial connected: whatever happens to it next, the peer was reachable. */
    final void onConnected() {
        isPeerUnreachable = false;
        isDialReportWanted = false;
    }

    final long peerSid() {
        return peerSid;
    }

    final int peerIndex() {
        return peerIndex;
    }

    /** True if this side keeps the connections it initiates (it has the larger sid). */
    final boolean isDialer() {
        return isDialer;
    }

    /** For tests: the next reconnect delay's upper bound (event loop state; read racily). */
    final int backoffMs() {
        return backoffMs;
    }
}
