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

    private SshHost(final Inventory.SshDestination destination, final Path sshConfig, final Path controlDir,
        final String label) {
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
        // A master of a load generator killed with -9 ends by itself once nothing used it for ten minutes.
        final List<String> cmd = host.ssh("-o", "ControlMaster=yes", "-o", "ControlPersist=600", "-N", "-f");
        final Path log = controlDir.resolve("master-" + Integer.toHexString(label.hashCode()) + ".log");
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(label + ": ssh " + destination + " did not connect within " + CONNECT_TIMEOUT_MS
                + " ms");
        }
        if (p.exitValue() != 0) {
            throw new IOException(label + ": ssh " + destination + " failed (status " + p.exitValue() + "): "
                + lastLine(java.nio.file.Files.readString(log)));
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
        out.addAll(List.of("-o", "ControlPath=" + controlDir.resolve("%C"), "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=3"));
        return out;
    }

    /**
     * Runs {@code script} in a subshell of this host's resident {@code sh} (stdin /dev/null, stderr merged into the
     * output): one round trip on an open channel. A new ssh channel costs a session and a login shell on the host,
     * 180-550 ms each on the loaded 2-core testbed machine against 0.2-3 ms for a command of the resident shell, and
     * that cost would sit between a fault's command and the fault. The shell starts on first use and again after it
     * died; a command that outlives {@code timeoutMs} ends it.
     */
    public synchronized Result run(final String script, final long timeoutMs) throws IOException, InterruptedException {
        if (shell == null || !shell.isAlive()) {
            startShell();
        }
        final String token = "__electionbench_" + Long.toHexString(System.nanoTime()) + "_";
        final java.io.Writer in = shellInput;
        in.write("( " + script + "\n) < /dev/null 2>&1; printf '\\n" + token + "%d\\n' $?\n");
        in.flush();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final StringBuilder out = new StringBuilder();
        while (true) {
            final String line = shellLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line == SHELL_GONE) {
                shell.destroyForcibly();
                final String why = line == null ? "a command did not finish within " + timeoutMs + " ms"
                    : "the shell on the host ended";
                throw new IOException(label + ": " + why + ": " + lastLine(out.toString()));
            }
            if (line.startsWith(token)) {
                final boolean isEndedByNewline = out.length() > 0 && out.charAt(out.length() - 1) == '\n';
                final String text = isEndedByNewline ? out.substring(0, out.length() - 1) : out.toString();
                return new Result(Integer.parseInt(line.substring(token.length()).strip()), text, text);
            }
            out.append(line).append('\n');
        }
    }

    /** Marks the end of the resident shell's output in {@link #shellLines}. */
    private static final String SHELL_GONE = new String("shell gone");
    private Process shell;
    private java.io.Writer shellInput;
    private java.util.concurrent.BlockingQueue<String> shellLines;

    private void startShell() throws IOException {
        final List<String> cmd = ssh("-o", "ControlMaster=no", "-T");
        cmd.addAll(List.of("--", "exec", "/bin/sh"));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        final Thread reader = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (final IOException ex) {
                // The shell's connection ended: reported below.
            }
            lines.add(SHELL_GONE);
        }, "ssh-shell-" + label);
        reader.setDaemon(true);
        reader.start();
        shell = p;
        shellLines = lines;
        shellInput = new java.io.OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
    }

    /**
     * Runs {@code script} on a new channel of the master connection with {@code stdin}, waiting at most
     * {@code timeoutMs}: for input the resident shell cannot take (its stdin carries its commands).
     * {@code ControlMaster=no}: should the master have died, ssh connects afresh instead of failing.
     */
    public Result runWithInput(final String script, final byte[] stdin, final long timeoutMs)
        throws IOException, InterruptedException {
        final List<String> cmd = ssh("-o", "ControlMaster=no", "-T");
        cmd.add("--");
        cmd.add(script);
        return exec(cmd, stdin, timeoutMs, "ssh " + destination);
    }

    /** Like {@link #run} but a non-zero status is an IOException naming the host, the step and what it printed. */
    public String check(final String what, final String script, final long timeoutMs) throws IOException,
        InterruptedException {
        final Result r = run(script, timeoutMs);
        if (!r.isOk()) {
            throw new IOException(label + ": " + what + " failed (status " + r.status() + "): "
                + lastLine(r.err().isBlank() ? r.out() : r.err()));
        }
        return r.out();
    }

    /** Copies local files into {@code remoteDir} with scp over the master connection. */
    public void copy(final List<Path> files, final String remoteDir, final long timeoutMs) throws IOException,
        InterruptedException {
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
        final String host = destination.user() == null ? destination.host() : destination.user() + "@"
            + destination.host();
        cmd.add(host + ":" + remoteDir + "/");
        final Result r = exec(cmd, null, timeoutMs, "scp to " + destination);
        if (!r.isOk()) {
            throw new IOException(label + ": copying " + files.size() + " files to " + remoteDir + " failed: "
                + lastLine(r.err()));
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

    /**
     * Ends the resident shell and the master connection ({@code ssh -O exit}); quietly, since they may be gone
     * already.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (shell != null) {
                try {
                    shellInput.close();
                    shell.waitFor(2, TimeUnit.SECONDS);
                } catch (final IOException ex) {
                    // Gone already.
                } catch (final InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                shell.destroyForcibly();
            }
        }
        try {
            exec(ssh("-O", "exit"), null, 10_000, "ssh -O exit");
        } catch (final IOException ex) {
            // The master is gone already, or will go when its ControlPersist ends.
        } catch (final InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
