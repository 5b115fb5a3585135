package io.electionbench.transport.node;

/** Where a member's admin endpoint listens: its {@code admin.N=host:port} line. */
public final class AdminAddress {
    private final String host;
    private final int port;

    public AdminAddress(final String host, final int port) {
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    /** The port; 0 binds an ephemeral one (see {@code ElectionNode.adminAddress()}). */
    public int port() {
        return port;
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
