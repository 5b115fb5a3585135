package io.electionbench.loadgen.hosts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One host reached through the system OpenSSH client with a multiplexed master connection
 * ({@code ControlMaster}/{@code ControlPersist}): {@link #open} authenticates once, every later command and copy
 * rides that connection as a new channel, so a fault costs one round trip, not a key exchange. The user's ssh
 * config, agent, ProxyJump and known_hosts apply as they do to any ssh command (docs/loadgen.md, "Running on
 * your own machines", says why this and not a Java SSH library). {@code BatchMode} is on: a host that would ask for
 * a password or an unknown host key fails with ssh's own message instead of waiting.
 */
public final class SshHost implements AutoCloseable {
    /** Authenticating can take a bastion hop or two; a command on an open master takes milliseconds. */
    private static final long CONNECT_TIMEOUT_MS = 30_000;

    private final Inventory.SshDestination destination;
    private final Path sshConfig;
    private final Path controlDir;
    private final String label;

    /** Result of one remote command: its exit status and what it printed. */
    public record Result(int status, String out, String err) {
        public boolean isOk() {
            return status == 0;
        }
    }

    private SshHost(final Inventory.SshDestination destination, final Path sshConfig, final Path controlDir, final String label) {
        this.destination = destination;
        this.sshConfig = sshConfig;
        this.controlDir = controlDir;
        this.label = label;
    }

    /**
     * Starts the master connection to {@code destination}; its control socket lives in {@code controlDir}.
     *
     * @param label names the host in messages ("server 2 (admin@db2)")
     * @throws IOException with ssh's own last line when it cannot connect or authenticate
     */
    public static SshHost open(final Inventory.SshDestination destination, final Path sshConfig, final Path controlDir,
        final String label) throws IOException, InterruptedException {
        final SshHost host = new SshHost(destination, sshConfig, controlDir, label);
        final List<String> cmd = host.ssh("-o", "ControlMaster=yes", "-o", "ControlPersist=yes", "-N", "-f");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(controlDir.resolve("master-" + Integer.toHexString(label.hashCode()) + ".log").toFile()).start();
        if (!p.waitFor(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(label + ": ssh " + destination + " did not connect within " + CONNECT_TIMEOUT_MS + " ms");
        }
        if (p.exitValue() != 0) {
            final String log = java.nio.file.Files.readString(controlDir.resolve("master-" + Integer.toHexString(label.hashCode()) + ".log"));
            throw new IOException(label + ": ssh " + destination + " failed (status " + p.exitValue() + "): " + lastLine(log));
        }
        return host;
    }

    /** The ssh command with the multiplexing options and {@code extra}, then the destination. */
    private List<String> ssh(final String... extra) {
        final List<String> cmd = new ArrayList<>(List.of("ssh"));
        cmd.addAll(common());
        cmd.addAll(List.of(extra));
        cmd.addAll(destination.sshArguments());
        return cmd;
    }

    private List<String> common() {
        final List<String> out = new ArrayList<>();
        if (sshConfig != null) {
            out.addAll(List.of("-F", sshConfig.toString()));
        }
        out.addAll(List.of("-o", "ControlPath=" + controlDir.resolve("%C"), "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
            "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"));
        return out;
    }

    /** Runs {@code script} with the remote user's shell on the master connection. */
    public Result run(final String script, final long timeoutMs) throws IOException, InterruptedException {
        return run(script, null, timeoutMs);
    }

    /**
     * Runs {@code script} on the master connection with {@code stdin} (or none), waiting at most {@code timeoutMs}.
     * {@code ControlMaster=no}: should the master have died, ssh connects afresh instead of failing.
     */
    public Result run(final String script, final byte[] stdin, final long timeoutMs) throws IOException, InterruptedException {
        final List<String> cmd = ssh("-o", "ControlMaster=no", "-T");
        cmd.add("--");
        cmd.add(script);
        return exec(cmd, stdin, timeoutMs, "ssh " + destination);
    }

    /** Like {@link #run} but a non-zero status is an IOException naming the host, the step and what it printed. */
    public String check(final String what, final String script, final long timeoutMs) throws IOException, InterruptedException {
        final Result r = run(script, timeoutMs);
        if (!r.isOk()) {
            throw new IOException(label + ": " + what + " failed (status " + r.status() + "): "
                + lastLine(r.err().isBlank() ? r.out() : r.err()));
        }
        return r.out();
    }

    /** Copies local files into {@code remoteDir} with scp over the master connection. */
    public void copy(final List<Path> files, final String remoteDir, final long timeoutMs) throws IOException, InterruptedException {
        if (files.isEmpty()) {
            return;
        }
        final List<String> cmd = new ArrayList<>(List.of("scp", "-q", "-p"));
        cmd.addAll(common());
        cmd.addAll(List.of("-o", "ControlMaster=no"));
        if (destination.port() > 0) {
            cmd.addAll(List.of("-P", Integer.toString(destination.port())));
        }
        for (final Path f : files) {
            cmd.add(f.toString());
        }
        final String host = destination.user() == null ? destination.host() : destination.user() + "@" + destination.host();
        cmd.add(host + ":" + remoteDir + "/");
        final Result r = exec(cmd, null, timeoutMs, "scp to " + destination);
        if (!r.isOk()) {
            throw new IOException(label + ": copying " + files.size() + " files to " + remoteDir + " failed: " + lastLine(r.err()));
        }
    }

    private Result exec(final List<String> cmd, final byte[] stdin, final long timeoutMs, final String what)
        throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(cmd).start();
        final CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        final CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(label + ": " + what + " did not finish within " + timeoutMs + " ms");
        }
        try {
            return new Result(p.exitValue(), new String(out.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                new String(err.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (final ExecutionException | TimeoutException ex) {
            throw new IOException(label + ": " + what + ": its output could not be read", ex);
        }
    }

    private static byte[] readAll(final InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (final IOException ex) {
            return new byte[0];
        }
    }

    static String lastLine(final String text) {
        final String[] lines = text.strip().split("\n");
        return lines.length == 0 || lines[lines.length - 1].isBlank() ? "(no output)" : lines[lines.length - 1].strip();
    }

    public String label() {
        return label;
    }

    /** Ends the master connection ({@code ssh -O exit}); quietly, since it may be gone already. */
    @Override
    public void close() {
        try {
            exec(ssh("-O", "exit"), null, 10_000, "ssh -O exit");
        } catch (final IOException ex) {
            // The master is gone already, or will go when its ControlPersist ends.
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
