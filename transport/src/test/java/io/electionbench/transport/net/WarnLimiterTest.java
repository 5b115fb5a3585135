package io.electionbench.transport.net;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

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
        assertEquals(FailReason.TLS_ERROR, FailReason.of(new DecoderException(new SSLHandshakeException("bad_record_mac"))));
        assertEquals(FailReason.HANDLER_ERROR, FailReason.of(new DecoderException(new IndexOutOfBoundsException())));
    }
}
