package io.electionbench.results.continuous;

import io.electionbench.results.ResultsException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Detached git worktrees of one repository, removed again by {@link #close()} (also from a
 * shutdown hook: close is idempotent and thread-safe), so the user's checkout is never touched and
 * no worktree registration outlives the run.
 */
public final class Worktrees implements AutoCloseable {
    private final Path repo;
    private final List<Path> added = new ArrayList<>();

    /**
     * @param repo repository root.
     */
    public Worktrees(final Path repo) {
        this.repo = Objects.requireNonNull(repo, "repo");
    }

    /**
     * Resolves a revision to a full commit sha with {@code git rev-parse}.
     *
     * @param repo     repository root.
     * @param revision e.g. {@code HEAD~1}, a branch, a tag, a sha prefix.
     * @return the full sha.
     * @throws ResultsException when the root is not a git repository or the revision names no commit.
     * @throws IOException when git cannot be started.
     * @throws InterruptedException when interrupted.
     */
    public static String resolve(final Path repo, final String revision) throws IOException, InterruptedException {
        if (revision.isBlank() || revision.startsWith("-")) {
            throw new ResultsException("'" + revision + "' is not a git revision");
        }
        final Processes.Result top = Processes.capture(repo, List.of("git", "rev-parse", "--show-toplevel"));
        if (top.exit() != 0) {
            throw new ResultsException(repo + " is not a git repository: " + top.output());
        }
        final Processes.Result r =
            Processes.capture(repo, List.of("git", "rev-parse", "--verify", "--quiet", revision + "^{commit}"));
        if (r.exit() != 0 || r.output().isEmpty()) {
            throw new ResultsException("'" + revision + "' is not a commit in " + repo
                + " (git rev-parse found nothing)");
        }
        return r.output();
    }

    /**
     * @param dir directory to create (must not exist).
     * @param sha commit to check out, detached.
     * @return dir.
     * @throws ResultsException when git refuses.
     * @throws IOException when git cannot be started.
     * @throws InterruptedException when interrupted.
     */
    public synchronized Path add(final Path dir, final String sha) throws IOException, InterruptedException {
        final Processes.Result r =
            Processes.capture(repo, List.of("git", "worktree", "add", "--detach", dir.toString(), sha));
        if (r.exit() != 0) {
            throw new ResultsException("git worktree add " + dir + " " + sha + " failed: " + r.output());
        }
        added.add(dir);
        return dir;
    }

    /** Removes every worktree added so far (forcibly: build output makes them dirty); never throws. */
    @Override
    public synchronized void close() {
        // Clear the flag so that git still runs after a Ctrl-C; restore it afterwards.
        boolean wasInterrupted = Thread.interrupted();
        for (final Path dir : added) {
            try {
                final Processes.Result r =
                    Processes.capture(repo, List.of("git", "worktree", "remove", "--force", dir.toString()));
                if (r.exit() != 0) {
                    System.err.println("electionbench continuous: could not remove worktree " + dir + ": "
                        + r.output());
                }
            } catch (final IOException ex) {
                System.err.println("electionbench continuous: could not remove worktree " + dir + ": "
                    + ex.getMessage());
            } catch (final InterruptedException ex) {
                wasInterrupted = true;
            }
        }
        added.clear();
        if (wasInterrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
