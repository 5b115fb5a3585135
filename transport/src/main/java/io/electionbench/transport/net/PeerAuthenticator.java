package io.electionbench.transport.net;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.electionbench.transport.wire.AuthCodec;

/**
 * HMAC-SHA256 challenge-response over a shared secret (layouts in {@link AuthCodec}). Runs once per
 * connection on the event loop, so it may allocate. Public for the write client, which proves the same
 * secret with sid {@link io.electionbench.transport.wire.QuorumHeaderCodec#CLIENT_SID}.
 */
public final class PeerAuthenticator {
    private static final byte[] RECEIVER_LABEL = "EB-AUTH-R".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INITIATOR_LABEL = "EB-AUTH-I".getBytes(StandardCharsets.US_ASCII);
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public PeerAuthenticator(final byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    public byte[] newNonce() {
        final byte[] nonce = new byte[AuthCodec.NONCE_LENGTH];
        random.nextBytes(nonce);
        return nonce;
    }

    /** The receiver's proof (macR). */
    public byte[] receiverMac(final byte[] nonceI, final byte[] nonceR, final long sidI, final long sidR) {
        return mac(RECEIVER_LABEL, nonceI, nonceR, sidI, sidR);
    }

    /** The initiator's proof (macI). */
    public byte[] initiatorMac(final byte[] nonceI, final byte[] nonceR, final long sidI, final long sidR) {
        return mac(INITIATOR_LABEL, nonceI, nonceR, sidI, sidR);
    }

    /** Constant-time comparison. */
    public static boolean isEqual(final byte[] expected, final byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private byte[] mac(final byte[] label, final byte[] nonceI, final byte[] nonceR, final long sidI, final long sidR) {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(label);
            mac.update(nonceI);
            mac.update(nonceR);
            mac.update(ByteBuffer.allocate(16).putLong(sidI).putLong(sidR).flip());
            return mac.doFinal();
        } catch (final GeneralSecurityException ex) {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }
}
