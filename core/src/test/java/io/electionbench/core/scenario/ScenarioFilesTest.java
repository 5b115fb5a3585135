package io.electionbench.core.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.electionbench.core.election.ElectionPolicy;

/** Every scenario file of the project (the seed's examples among them) passes under both policies. */
class ScenarioFilesTest {
    private static final Path DIR = Path.of("scenarios");

    static List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.filter(p -> p.toString().endsWith(".scn")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void theSeedExamplesAreHere() throws IOException {
        final List<String> names = files().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertTrue(names.contains("seed-startup.scn") && names.contains("seed-leader-failure.scn"), names.toString());
        assertTrue(names.size() >= 10, names.toString());
    }

    @TestFactory
    Stream<DynamicTest> everyFilePassesUnderBothPolicies() throws IOException {
        return files().stream().flatMap(file -> Stream.of(ElectionPolicy.FAST, ElectionPolicy.ZOOKEEPER).map(policy ->
            DynamicTest.dynamicTest(file.getFileName() + " [" + policy + "]", () -> {
                final ScenarioResult r = ScenarioRunner.run(ScenarioParser.parse(file), policy);
                assertFalse(r.expectations().isEmpty(), "a scenario without expectations checks nothing");
                assertTrue(r.passed(), () -> r.expectations().stream().filter(e -> !e.ok())
                    .map(e -> e.line() + ": " + e.text() + " -> " + e.actual())
                    .collect(Collectors.joining("\n")) + "\n" + r.notes());
                assertTrue(r.notes().isEmpty(), r.notes().toString());
            })));
    }

    @Test
    void aWrongExpectationFailsAndSaysWhatWasSeen() throws ScenarioException {
        final ScenarioResult r =
            run("ensemble 3\nstart 1 2 3\nexpect leader 1\nexpect state 2 LEADING\nexpect no-leader\n");
        assertFalse(r.passed());
        assertEquals(3, r.expectations().size());
        assertTrue(r.expectations().stream().noneMatch(ScenarioResult.Expectation::ok));
        assertEquals("leader 3 (1=FOLLOWING>3, 2=FOLLOWING>3, 3=LEADING)", r.expectations().get(0).actual());
        assertEquals("FOLLOWING", r.expectations().get(1).actual());
        assertEquals("LEADING", r.finalState().get(3L).state());
    }

    @Test
    void writesCommitEverywhereAndAWrongExpectationFailsWithTheActualValue() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstart 1 2 3\nwrite 10\nexpect zxid 3 1:10\nexpect log-equal 1,2,3\n"
            + "expect sync 1 DIFF\nexpect zxid 1 1:9\n");
        assertFalse(r.passed());
        assertEquals(4, r.expectations().size());
        assertTrue(r.expectations().subList(0, 3).stream().allMatch(ScenarioResult.Expectation::ok),
            r.expectations().toString());
        assertEquals("1:10", r.expectations().get(3).actual());
    }

    @Test
    void persistedStateAndZxidExpectations() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstate 1 log 1:1-1:50 2:1-2:7\nstate 2 zxid 2:0\nstart 1 2\n"
            + "expect leader 1\nexpect zxid 1 2:7\nexpect zxid 2 2:7\nexpect sync 2 DIFF\n");
        assertTrue(r.passed(), r.expectations().toString());
        assertEquals(3, r.finalState().get(1L).epoch(), "recovery established epoch 3 = accepted 2 + 1");
        assertEquals("2:7", r.finalState().get(1L).zxid());
        assertEquals("DOWN", r.finalState().get(3L).state());
    }

    @Test
    void runAdvancesVirtualTimeByExactlyItsDuration() throws ScenarioException {
        final ScenarioResult settled = run("ensemble 3\nstart 1 2 3\ncrash 3\n");
        final ScenarioResult ran = run("ensemble 3\nstart 1 2 3\ncrash 3\nrun 1ms\nexpect leader 2\n");
        assertTrue(ran.passed(), ran.expectations().toString());
        assertEquals(1_000_000, ran.virtualNs() - settled.virtualNs());
    }

    @Test
    void restartingAServerNeverStartedIsAnErrorNamingTheLine() {
        final ScenarioException ex = org.junit.jupiter.api.Assertions.assertThrows(ScenarioException.class,
            () -> run("ensemble 3\nstart 1 2\nrestart 3\n"));
        assertEquals("t.scn:3: server 3 was never started; 'start 3' starts it", ex.getMessage());
    }

    @Test
    void aSetupLineThatCannotBeAppliedIsNamedNotTheFirstAction() {
        final ScenarioException ex = org.junit.jupiter.api.Assertions.assertThrows(ScenarioException.class,
            () -> run("ensemble 3\nstate 1 log 1:5-1:7\nsnapshot 1 upto 1:9\nstart 1 2 3\n"));
        assertEquals("t.scn:3: server 1 cannot snapshot up to 1:9: its history ends at 1:7 and it has no snapshot",
            ex.getMessage());
    }

    @Test
    void writesBeyondWhatALeaderHoldsOutstandingAreOfferedInBatchesAndAllCommit() throws ScenarioException {
        final int n = io.electionbench.core.election.MemberAgent.MAX_OUTSTANDING + 5000;
        final ScenarioResult r = run("ensemble 3\nstart 1 2 3\nwrite " + n + "\nexpect zxid 1 1:" + n
            + "\nsnapshot 1 upto 1:60000\ncrash 1\nrestart 1\nwrite 5\nexpect log-equal 1,2,3\n");
        assertTrue(r.passed(), r.expectations() + " " + r.notes());
    }

    @Test
    void startingARunningServerIsAnErrorNamingTheLine() {
        final ScenarioException ex = org.junit.jupiter.api.Assertions.assertThrows(ScenarioException.class,
            () -> run("ensemble 3\nstart 1\nstart 1\n"));
        assertEquals("t.scn:3: server 1 is already running", ex.getMessage());
    }

    @Test
    void theCommandBeforeARunUntilIsNotSettled() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstart 1 2 3\nrun until 1 LOOKING\nexpect no-leader\n"
            + "expect round 1 1\nrun until 3 LEADING\nexpect state 3 LEADING\n");
        assertTrue(r.passed(), r.expectations().toString());
        assertTrue(r.virtualNs() < run("ensemble 3\nstart 1 2 3\n").virtualNs(),
            "stopped at the decision, before recovery");
    }

    @Test
    void anEventThatNeverComesFailsTheRunUntilLine() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstart 1 2 3\nrun until 1 LEADING within 2s\nexpect leader 3\n");
        assertFalse(r.passed());
        final ScenarioResult.Expectation line3 = r.expectations().get(0);
        assertEquals(3, line3.line());
        assertFalse(line3.ok());
        assertEquals("not reached within 2 s of virtual time; at the end leader 3 "
            + "(1=FOLLOWING>3, 2=FOLLOWING>3, 3=LEADING)", line3.actual());
        assertTrue(r.expectations().get(1).ok());
    }

    @Test
    void aTimeBoundCountsFromThePreviousCommandInVirtualTime() throws ScenarioException {
        final ScenarioResult r = ScenarioRunner.run(ScenarioParser.parse("t.scn",
            "ensemble 3\nstart 1 2 3\ncrash 3\nexpect leader 2 within 1s\nexpect leader 2 within 100ms\n"
            + "expect state 3 DOWN within 0s\n"), ElectionPolicy.ZOOKEEPER);
        assertFalse(r.passed());
        assertTrue(r.expectations().get(0).ok(), r.expectations().toString());
        final ScenarioResult.Expectation late = r.expectations().get(1);
        assertFalse(late.ok());
        assertTrue(late.actual().startsWith("leader 2 (1=FOLLOWING>2, 2=LEADING, 3=DOWN); holding only since 200."),
            late.actual());
        assertTrue(late.actual().endsWith(" ms after line 3 began, past 100 ms"), late.actual());
        assertTrue(r.expectations().get(2).ok(), "the crash itself is instant");
    }

    @Test
    void aTimeBoundFailsAnExpectationThatStoppedHolding() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstart 1 2 3\nrun 10ms\nexpect leader 3 within 1s\n"
            + "partition 3 | 1,2\nexpect state 3 LEADING within 1s\n");
        assertFalse(r.passed());
        assertTrue(r.expectations().get(0).ok());
        assertFalse(r.expectations().get(1).ok(), "3 stepped down once cut off from its quorum");
    }

    @Test
    void epochsRoundsAndANewEpochZxidAreSetAndSeen() throws ScenarioException {
        final ScenarioResult r = run("ensemble 3\nstate 1 zxid 1:5 accepted 4 current 2\nstate 2 log 1:1-1:5 3:0\n"
            + "expect epoch 1 2\nexpect accepted-epoch 1 4\nexpect epoch 2 3\nexpect accepted-epoch 2 3\n"
            + "expect zxid 2 3:0\nstart 1 2\nexpect leader 2\nexpect epoch 1 5\nexpect log-equal 1,2\n"
            + "expect round 1 1\nexpect round 3 1\n");
        assertEquals(9, r.expectations().stream().filter(ScenarioResult.Expectation::ok).count(),
            r.expectations().toString());
        assertEquals("DOWN", r.expectations().get(9).actual(), "a server that is down has no round");
    }

    /**
     * The files of {@code zookeeper-policy/} say what ZooKeeper does where the fast policy differs on
     * purpose (docs/scenarios.md): they pass under the zookeeper policy, and are not among the files run
     * under both.
     */
    @TestFactory
    Stream<DynamicTest> zooKeeperPolicyFilesPassUnderTheZooKeeperPolicy() throws IOException {
        assertTrue(files().stream().noneMatch(p -> p.toString().contains("zookeeper-policy")), files().toString());
        final List<Path> only;
        try (Stream<Path> s = Files.list(DIR.resolve("zookeeper-policy"))) {
            only = s.filter(f -> f.toString().endsWith(".scn")).sorted().collect(Collectors.toList());
        }
        assertFalse(only.isEmpty(), "no files in " + DIR.resolve("zookeeper-policy"));
        return only.stream().map(file -> DynamicTest.dynamicTest(file.getFileName() + " [zookeeper]", () -> {
            final ScenarioResult r = ScenarioRunner.run(ScenarioParser.parse(file), ElectionPolicy.ZOOKEEPER);
            assertTrue(r.passed(), () -> r.expectations().stream().filter(e -> !e.ok())
                .map(e -> e.line() + ": " + e.text() + " -> " + e.actual()).collect(Collectors.joining("\n")));
            assertTrue(r.notes().isEmpty(), r.notes().toString());
        }));
    }

    private static ScenarioResult run(final String text) throws ScenarioException {
        return ScenarioRunner.run(ScenarioParser.parse("t.scn", text), null);
    }
}
