package io.electionbench.transport.net;

/**
 * Where one ensemble member listens: zoo.cfg's {@code server.N=host:quorumPort:electionPort[:role]}.
 */
public final class PeerAddress {
    private final long sid;
    private final String host;
    private final int quorumPort;
    private final int electionPort;
    private final boolean isObserver;

    public PeerAddress(final long sid, final String host, final int quorumPort, final int electionPort,
        final boolean isObserver) {
        this.sid = sid;
        this.host = host;
        this.quorumPort = quorumPort;
        this.electionPort = electionPort;
        this.isObserver = isObserver;
    }

    public long sid() {
        return sid;
    }

    public String host() {
        return host;
    }

    public int quorumPort() {
        return quorumPort;
    }

    public int electionPort() {
        return electionPort;
    }

    public boolean isObserver() {
        return isObserver;
    }

    /** {@code host:electionPort}, as sent in the election connection header. */
    public String electionAddress() {
        return host + ":" + electionPort;
    }

    @Override
    public String toString() {
        return "server." + sid + "=" + host + ":" + quorumPort + ":" + electionPort
            + (isObserver ? ":observer" : ":participant");
    }
}
