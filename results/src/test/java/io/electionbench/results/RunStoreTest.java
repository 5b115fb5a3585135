package io.electionbench.results;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunStoreTest {
    @TempDir
    Path root;

    private static final String SHA_A = "abc1" + "0".repeat(36);
    private static final String SHA_B = "abc2" + "0".repeat(36);

    private Path store(final String sha, final int hour) throws IOException {
        final Instant started = Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * hour);
        return RunWriter.create(root, Fixtures.loadgenRun(sha, started, hour, 6, 1.0)).file();
    }

    @Test
    void findsByFileDirectoryAndUniquePrefix() throws IOException {
        final Path a1 = store(SHA_A, 1);
        final Path a2 = store(SHA_A, 2);
        store(SHA_B, 3);
        final RunStore s = new RunStore(root);
        assertEquals(List.of(a1), s.resolve(a1.toString()).stream().map(StoredRun::file).toList());
        assertEquals(List.of(a1, a2), s.resolve(a1.getParent().toString()).stream().map(StoredRun::file).toList());
        assertEquals(List.of(a1, a2), s.resolve("abc1").stream().map(StoredRun::file).toList());
        assertEquals(List.of(a1, a2), s.resolve("ABC10000").stream().map(StoredRun::file).toList());
        assertEquals(3, s.all().size());
    }

    @Test
    void prefixesShorterThanFourDigitsAreNotCommitPrefixes() throws IOException {
        store(SHA_A, 1);
        // Like git, fewer than 4 hex digits never name a commit; outside a repository git cannot help either.
        final ResultsException e = assertThrows(ResultsException.class, () -> new RunStore(root).resolve("abc"));
        assertTrue(e.getMessage().startsWith("'abc' is not a run file, a directory, a stored commit prefix"),
            e.getMessage());
    }

    @Test
    void ambiguousFourDigitPrefix() throws IOException {
        final String x = "dead" + "1".repeat(36);
        final String y = "dead" + "2".repeat(36);
        store(x, 1);
        store(y, 2);
        final ResultsException e = assertThrows(ResultsException.class, () -> new RunStore(root).resolve("dead"));
        assertEquals("ambiguous commit prefix 'dead': matches " + x + ", " + y, e.getMessage());
        assertEquals(1, new RunStore(root).resolve("dead1").size());
    }

    @Test
    void missingAndInvalidFilesAreNamed() throws IOException {
        final RunStore s = new RunStore(root);
        final RunFileException missing =
            assertThrows(RunFileException.class, () -> s.resolve(root.resolve("x.json").toString()));
        assertTrue(missing.getMessage().endsWith("x.json: no such file"));
        final Path bad = store(SHA_A, 1);
        Files.writeString(bad, "{not json");
        final RunFileException malformed = assertThrows(RunFileException.class, () -> s.resolve("abc1"));
        assertEquals(bad, malformed.file());
        final Path empty = Files.createDirectories(root.resolve("empty"));
        assertThrows(ResultsException.class, () -> s.resolve(empty.toString()));
    }

    @Test
    void resolvesGitRevisionsAndOrdersCommitsByHistory() throws IOException, InterruptedException {
        Assumptions.assumeTrue(git(root, "init", "-q") == 0, "git is not installed");
        git(root, "config", "user.email", "t@example.com");
        git(root, "config", "user.name", "t");
        git(root, "config", "commit.gpgsign", "false");
        Files.writeString(root.resolve("a.txt"), "1");
        git(root, "add", "a.txt");
        git(root, "commit", "-q", "-m", "one");
        Files.writeString(root.resolve("a.txt"), "2");
        git(root, "commit", "-q", "-am", "two");
        final GitInfo head = GitInfo.detect(root);
        final String first = Git.run(root, "rev-parse", "HEAD~1").orElseThrow();
        assertEquals(40, head.commit().length());
        assertEquals(false, head.isDirty());
        // The newer commit's run is stored with an older timestamp: history must follow git, not time.
        store(head.commit(), 1);
        store(first, 5);
        final RunStore s = new RunStore(root);
        assertEquals(first, s.resolve("HEAD~1").get(0).run().commit());
        assertEquals(head.commit(), s.resolve("HEAD").get(0).run().commit());
        assertEquals(List.of(first, head.commit()), s.commitOrder(s.all()));
        final ResultsException none = assertThrows(ResultsException.class, () -> s.resolve("no-such-branch"));
        assertTrue(none.getMessage().contains("'no-such-branch'"), none.getMessage());
        Files.writeString(root.resolve("a.txt"), "3");
        assertTrue(GitInfo.detect(root).isDirty());
    }

    @Test
    void gitInfoOutsideARepositoryIsUnknown(@TempDir final Path plain) {
        final GitInfo info = GitInfo.detect(plain);
        Assumptions.assumeTrue(Git.run(plain, "rev-parse", "--show-toplevel").isEmpty(),
            "temp dir is inside a git repo");
        assertEquals(GitInfo.unknown(), info);
    }

    private static int git(final Path dir, final String... args) throws IOException, InterruptedException {
        final String[] command = new String[args.length + 1];
        command[0] = "git";
        System.arraycopy(args, 0, command, 1, args.length);
        try {
            return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (final IOException ex) {
            return -1;
        }
    }
}
