package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.electionbench.core.election.MemberAgent;
import io.electionbench.core.quorum.Ensemble;
import io.netty.handler.codec.DecoderException;

class WarnLimiterTest {
    @Test
    void aFloodIsCutToTheLinesPerWindowAndTheNextLineSaysHowManyWereLeftOut() {
        final WarnLimiter limiter = new WarnLimiter();
        final long t0 = 123_456_789L;
        for (int i = 0; i < WarnLimiter.LINES_PER_WINDOW; i++) {
            assertEquals(0, limiter.admit(t0 + i), "line " + i);
        }
        for (int i = 0; i < 500; i++) {
            assertEquals(-1, limiter.admit(t0 + WarnLimiter.WINDOW_NS - 1), "suppressed " + i);
        }
        assertEquals(500, limiter.admit(t0 + WarnLimiter.WINDOW_NS));
        assertEquals(0, limiter.admit(t0 + WarnLimiter.WINDOW_NS + 1));
        assertEquals(" (500 similar lines suppressed)", WarnLimiter.suffix(500));
        assertEquals("", WarnLimiter.suffix(0));
    }

    @Test
    void failuresAreClassifiedByCause() {
        assertEquals(FailReason.IO_ERROR, FailReason.of(new IOException("Connection reset by peer")));
        assertEquals(FailReason.TLS_ERROR,
            FailReason.of(new DecoderException(new SSLHandshakeException("bad_record_mac"))));
        assertEquals(FailReason.HANDLER_ERROR, FailReason.of(new DecoderException(new IndexOutOfBoundsException())));
    }

    /** Every WARN a remote end can cause (refusals, bad frames, dropped notifications) shares one limit. */
    @Test
    void aTransportLetsThroughOnlyTheFirstHostileLinesOfAWindow() throws Exception {
        final int[] ports = FreePorts.pick(4);
        final TransportConfig config = new TransportConfig()
            .mySid(1)
            .ensemble(Ensemble.majority(2))
            .servers(java.util.List.of(
                new PeerAddress(1, "127.0.0.1", ports[0], ports[1], false),
                new PeerAddress(2, "127.0.0.1", ports[2], ports[3], false)))
            .conclude();
        try (PeerTransport transport =
            new PeerTransport(config, MemberAgent.newInboundRing(1 << 16), new TransportCounters())) {
            int admitted = 0;
            for (int i = 0; i < 10_000; i++) {
                if (transport.hostileWarnSuffix() != null) {
                    admitted++;
                }
            }
            assertEquals(WarnLimiter.LINES_PER_WINDOW, admitted, "10,000 bad frames within a window");
            assertNull(transport.hostileWarnSuffix());
        }
    }
}
