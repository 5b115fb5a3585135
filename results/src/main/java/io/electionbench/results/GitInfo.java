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

    /** Where the build records its commit (git-commit-id-maven-plugin, results/pom.xml). */
    static final String BUILD_RESOURCE = "build-commit.properties";

    /**
     * The commit this code was built from, as the build recorded it, or empty when it was not (classes
     * compiled outside Maven, or a build outside a git repository).
     */
    public static Optional<GitInfo> build() {
        return fromProperties(GitInfo.class.getResourceAsStream(BUILD_RESOURCE));
    }

    /** The project version the build recorded beside its commit ({@code 0.1.0-SNAPSHOT}), or empty. */
    public static Optional<String> buildVersion() {
        final java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = GitInfo.class.getResourceAsStream(BUILD_RESOURCE)) {
            if (in == null) {
                return Optional.empty();
            }
            p.load(in);
        } catch (final java.io.IOException ex) {
            return Optional.empty();
        }
        return Optional.ofNullable(p.getProperty("git.build.version")).map(String::trim).filter(v -> !v.isEmpty());
    }

    static Optional<GitInfo> fromProperties(final java.io.InputStream in) {
        if (in == null) {
            return Optional.empty();
        }
        final java.util.Properties p = new java.util.Properties();
        try (in) {
            p.load(in);
        } catch (final java.io.IOException ex) {
            return Optional.empty();
        }
        final String sha = p.getProperty("git.commit.id", "").trim();
        if (!sha.matches("[0-9a-f]{40}")) {
            return Optional.empty();
        }
        return Optional.of(new GitInfo(sha, Boolean.parseBoolean(p.getProperty("git.dirty", "false").trim()),
            p.getProperty("git.branch", UNKNOWN).trim()));
    }

    /**
     * The commit a run measures: the build's ({@link #build}), which is the code that runs wherever the run
     * is stored, else what git says about {@code dir} ({@link #detect}).
     */
    public static GitInfo ofRun(final Path dir) {
        return build().orElseGet(() -> detect(dir));
    }

    /** @return the value used outside a git repository. */
    public static GitInfo unknown() {
        return new GitInfo(UNKNOWN, false, UNKNOWN);
    }
}
