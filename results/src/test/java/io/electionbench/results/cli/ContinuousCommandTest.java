package io.electionbench.results.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argument handling only: every case here fails before a worktree is created or a build starts. */
class ContinuousCommandTest {
    @TempDir
    Path repo;

    private ContinuousCommand command;
    private String out;
    private String err;

    @BeforeEach
    void gitRepositoryWithOneCommit() throws IOException, InterruptedException {
        git("init", "-q");
        Files.writeString(repo.resolve("README"), "x\n");
        git("add", "README");
        git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one");
    }

    private void git(final String... args) throws IOException, InterruptedException {
        final List<String> cmd = new java.util.ArrayList<>(List.of("git"));
        cmd.addAll(List.of(args));
        final Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).start();
        final String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), output);
    }

    private int run(final String... args) {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        command = new ContinuousCommand();
        final int code = new CommandLine(command).setOut(new PrintWriter(o)).setErr(new PrintWriter(e)).execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void anUnknownRevisionIsBadInputNamingIt() {
        assertEquals(2, run("HEAD", "no-such-branch", "--root", repo.toString(), "--target", "sim"));
        assertEquals("electionbench continuous: 'no-such-branch' is not a commit in " + repo
            + " (git rev-parse found nothing)\n", err);
        assertEquals("", out);
    }

    @Test
    void aRevisionBeyondTheFirstCommitIsBadInput() {
        assertEquals(2, run("HEAD~1", "HEAD", "--root", repo.toString()));
        assertTrue(err.contains("'HEAD~1' is not a commit"), err);
    }

    @Test
    void aDirectoryOutsideGitIsBadInput(@TempDir final Path notGit) {
        assertEquals(2, run("HEAD~1", "HEAD", "--root", notGit.toString()));
        assertTrue(err.startsWith("electionbench continuous: " + notGit + " is not a git repository"), err);
    }

    @Test
    void runOptionsThisCommandOwnsAreRefused() {
        // --json is this command's own option (print the comparison as JSON), so it never reaches run.
        for (final String owned : List.of("--trials", "--warmup", "--out", "--trials=3", "--no-store")) {
            assertEquals(2, run("HEAD", "HEAD", "--root", repo.toString(), owned, "3"), owned);
            assertTrue(err.contains(owned.replace("=3", "") + " is set by continuous for every round"), err);
        }
    }

    @Test
    void roundsMustBePositive() {
        assertEquals(2, run("HEAD", "HEAD", "--root", repo.toString(), "--rounds", "0"));
        assertTrue(err.contains("--rounds must be at least 1"), err);
        assertEquals(2, run("HEAD", "HEAD", "--root", repo.toString(), "--warmup-rounds", "-1"));
        assertEquals(2, run("HEAD", "HEAD", "--root", repo.toString(), "--alpha", "1"));
    }

    @Test
    void missingHeadIsAUsageError() {
        assertEquals(2, run("HEAD"));
        assertTrue(err.contains("Missing required parameter: 'HEAD'"), err);
    }

    @Test
    void unknownOptionsAreRunOptionsInOrderAndOwnOptionsAreNot() {
        run("HEAD", "no-such-rev", "--target", "sim", "--rounds", "3", "--sizes=3,5", "--patterns", "leader-crash",
            "--offline");
        assertEquals(List.of("--target", "sim", "--sizes=3,5", "--patterns", "leader-crash"), command.runOptions());
    }

    @Test
    void isRegisteredWithTheOtherResultsCommands() {
        assertTrue(ResultsMain.commandLine().getSubcommands().containsKey("continuous"));
        assertFalse(ResultsCommands.all().isEmpty());
    }
}
