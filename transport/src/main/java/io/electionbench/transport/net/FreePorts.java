package io.electionbench.transport.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks loopback ports for local ensembles (tests, the in-process and process targets).
 *
 * <p>Ports come from below the kernel's ephemeral range ({@code net.ipv4.ip_local_port_range}).
 * A port the kernel hands out with {@code bind(0)} lies inside that range, so between closing the
 * probe and the node binding it, any outgoing connection on the machine may take it as its local
 * port; that race failed CI with "Address already in use". Outgoing connections never take a port
 * below the range, so a port picked there and found free stays free unless another program binds
 * it on purpose.
 */
public final class FreePorts {
    private static final int LOWEST = 10_000;
    private static final int DEFAULT_EPHEMERAL_LOW = 32_768;
    private static final int ATTEMPTS_PER_PORT = 200;

    private FreePorts() {
    }

    /** {@code count} distinct loopback ports, each bindable at the time of the call. */
    public static int[] pick(final int count) throws IOException {
        final int high = ephemeralLow();
        if (high - LOWEST < count * 4) {
            throw new IOException("too few ports below the ephemeral range (starts at " + high + ") to pick " + count);
        }
        final int[] ports = new int[count];
        final ServerSocket[] held = new ServerSocket[count];
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = null;
                for (int attempt = 0; attempt < ATTEMPTS_PER_PORT && socket == null; attempt++) {
                    socket = tryBind(random.nextInt(LOWEST, high));
                }
                if (socket == null) {
                    throw new IOException("no free loopback port found between " + LOWEST + " and " + high
                        + " after " + ATTEMPTS_PER_PORT + " attempts");
                }
                held[i] = socket;
                ports[i] = socket.getLocalPort();
            }
        } finally {
            for (final ServerSocket socket : held) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
        return ports;
    }

    private static ServerSocket tryBind(final int port) {
        try {
            final ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            try {
                socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return socket;
            } catch (final IOException inUse) {
                socket.close();
                return null;
            }
        } catch (final IOException e) {
            return null;
        }
    }

    static int ephemeralLow() {
        try {
            final String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range"),
                StandardCharsets.US_ASCII);
            final int low = Integer.parseInt(range.trim().split("\\s+")[0]);
            return low > LOWEST ? low : DEFAULT_EPHEMERAL_LOW;
        } catch (final IOException | RuntimeException e) {
            return DEFAULT_EPHEMERAL_LOW;
        }
    }
}
