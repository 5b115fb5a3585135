package io.electionbench.results;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The commit a run measured.
 *
 * @param commit  full sha, or {@value #UNKNOWN} outside a git repository.
 * @param isDirty true when tracked files differ from the commit (untracked files are ignored, so
 *                that the run files under results/runs/ do not mark every later run dirty).
 * @param branch  the current branch, "HEAD" when detached, or {@value #UNKNOWN}.
 */
public record GitInfo(String commit, boolean isDirty, String branch) {
    /** Placeholder for a commit or branch that could not be determined. */
    public static final String UNKNOWN = "unknown";

    /** Validates the components. */
    public GitInfo {
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(branch, "branch");
    }

    /**
     * Asks git about the working tree containing {@code dir}; never throws.
     *
     * @param dir any directory inside the working tree.
     * @return the commit, dirty flag and branch, or {@link #unknown()} when dir is not in a
     *         repository or git is not installed.
     */
    public static GitInfo detect(final Path dir) {
        final Optional<String> sha = Git.run(dir, "rev-parse", "--verify", "HEAD");
        if (sha.isEmpty()) {
            return unknown();
        }
        final boolean isDirty = Git.run(dir, "status", "--porcelain", "--untracked-files=no")
            .map(s -> !s.isEmpty())
            .orElse(false);
        final String branch = Git.run(dir, "rev-parse", "--abbrev-ref", "HEAD").orElse(UNKNOWN);
        return new GitInfo(sha.get(), isDirty, branch);
    }

    /** @return the value used outside a git repository. */
    public static GitInfo unknown() {
        return new GitInfo(UNKNOWN, false, UNKNOWN);
    }
}
