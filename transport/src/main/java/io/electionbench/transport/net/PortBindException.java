package io.electionbench.transport.net;

import java.net.InetSocketAddress;

/**
 * A port of the node could not be bound: the message names the port's role, the config entry it comes
 * from and the operating system's reason ("Address already in use"), in one line for an operator.
 */
public final class PortBindException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * @param role    what the port is for and where it is configured, e.g. "election port (server.1's third field)"
     * @param address the address that could not be bound
     * @param tries   how many times it was tried
     * @param cause   the last failure
     */
    public PortBindException(final String role, final InetSocketAddress address, final int tries,
        final Throwable cause) {
        super("cannot bind the " + role + " " + address.getHostString() + ":" + address.getPort() + ": "
            + reason(cause) + (tries > 1 ? " (tried " + tries + " times, 1 s apart)" : ""), cause);
    }

    /** The operating system's reason, without Netty's "bind(..) failed with error(-98): " prefix. */
    static String reason(final Throwable cause) {
        final String message = cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        return message.replaceFirst("^bind\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
    }
}
