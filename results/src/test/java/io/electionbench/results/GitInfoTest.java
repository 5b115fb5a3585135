package io.electionbench.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitInfoTest {
    private static Optional<GitInfo> of(final String text) {
        return GitInfo.fromProperties(new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)));
    }

    @Test
    void readsWhatTheBuildRecorded() {
        final String sha = "0123456789abcdef0123456789abcdef01234567";
        assertEquals(Optional.of(new GitInfo(sha, true, "main")),
            of("git.commit.id=" + sha + "\ngit.dirty=true\ngit.branch=main\n"));
        assertEquals(Optional.of(new GitInfo(sha, false, GitInfo.UNKNOWN)), of("git.commit.id=" + sha + "\n"));
        assertEquals(Optional.empty(), of("git.dirty=false\n"), "a build outside git records no commit");
        assertEquals(Optional.empty(), of("git.commit.id=${git.commit.id}\n"), "an unfiltered placeholder");
        assertEquals(Optional.empty(), GitInfo.fromProperties(null));
    }

    /**
     * The recorded commit is the one this module's checkout is at, in a linked worktree too (where
     * git-commit-id's plugin recorded the main checkout's HEAD instead).
     */
    @Test
    void theBuildRecordsTheCheckoutsOwnCommit() {
        final GitInfo here = GitInfo.detect(Path.of("").toAbsolutePath());
        org.junit.jupiter.api.Assumptions.assumeTrue(!GitInfo.UNKNOWN.equals(here.commit()),
            "built outside a git repository (a source archive): no commit to record");
        assertEquals(here.commit(), GitInfo.build().orElseThrow().commit());
    }

    /**
     * This module's own build recorded its commit (asked of git at generate-resources), and a run stored outside
     * any repository names it instead of "unknown".
     */
    @Test
    void aRunOutsideTheRepositoryNamesTheBuildsCommit(@TempDir final Path outside) {
        final String here = GitInfo.detect(Path.of("").toAbsolutePath()).commit();
        org.junit.jupiter.api.Assumptions.assumeTrue(!GitInfo.UNKNOWN.equals(here),
            "built outside a git repository (a source archive): no commit to record");
        final Optional<GitInfo> build = GitInfo.build();
        assertTrue(build.isPresent(), "built by Maven in this repository: the commit is recorded");
        assertTrue(build.get().commit().matches("[0-9a-f]{40}"), build.get().toString());
        assertEquals(GitInfo.UNKNOWN, GitInfo.detect(outside).commit(), "git knows nothing about a temp dir");
        assertEquals(build.get(), GitInfo.ofRun(outside));
        assertTrue(GitInfo.buildVersion().isPresent());
    }
}
