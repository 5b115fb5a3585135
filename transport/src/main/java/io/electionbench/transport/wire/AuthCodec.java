package io.electionbench.transport.wire;

/**
 * Peer authentication records, exchanged right after the connection header on either port when a
 * shared secret is configured (never with ZooKeeper peers, which send no such records). They are
 * fixed-size and not length-framed:
 *
 * <pre>
 * initiator -&gt; receiver  CHALLENGE  nonceI:16
 * receiver  -&gt; initiator RESPONSE   nonceR:16 macR:32
 * initiator -&gt; receiver  PROOF      macI:32
 *
 * macR = HMAC-SHA256(secret, "EB-AUTH-R" nonceI nonceR sidI:long sidR:long)
 * macI = HMAC-SHA256(secret, "EB-AUTH-I" nonceI nonceR sidI:long sidR:long)
 * </pre>
 *
 * Each side proves knowledge of the secret over both fresh nonces and both sids, so a recorded
 * exchange cannot be replayed and a proof cannot be reflected back to its sender.
 */
public final class AuthCodec {
    public static final int NONCE_LENGTH = 16;
    public static final int MAC_LENGTH = 32;
    public static final int CHALLENGE_LENGTH = NONCE_LENGTH;
    public static final int RESPONSE_LENGTH = NONCE_LENGTH + MAC_LENGTH;
    public static final int PROOF_LENGTH = MAC_LENGTH;

    private AuthCodec() {
    }
}
