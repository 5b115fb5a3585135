package io.electionbench.core.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ScenarioParserTest {
    @Test
    void parsesEveryCommandOfTheLanguage() throws ScenarioException {
        final Scenario s = ScenarioParser.parse("all.scn", String.join("\n",
            "# a comment", "policy zookeeper", "seed 42", "ensemble 5 observers 6,7", "group 1 1,2,3", "group 2 4 5",
            "weight 4 0", "state 2 zxid 1:102", "state 4 log 1:1-1:50 2:1-2:7", "snapshot 1 upto 1:40",
            "start 1 2", "crash 3", "restart 3", "partition 1,2 | 3,4,5,6,7", "heal", "write 20", "run 500ms",
            "expect leader 3   # trailing comment", "expect no-leader", "expect state 4 following", "expect sync 4 DIFF",
            "expect log-equal 1,2,4", "expect zxid 4 2:10", ""));
        assertEquals(22, s.commands().size());
        final Command.State state = (Command.State)s.commands().get(7);
        assertEquals(2, state.ranges().size());
        assertEquals(io.electionbench.core.Zxid.make(2, 7), state.lastZxid());
        assertEquals(500_000_000L, ((Command.Run)s.commands().get(15)).durationNs());
        assertEquals("FOLLOWING", ((Command.Expect)s.commands().get(18)).value());
    }

    @Test
    void everyProblemNamesFileAndLine() {
        error("ensemble 3\nstart 4\n", "x.scn:2: server 4 is not in the ensemble (voters 1..3)");
        error("ensemble 3 observers 4\nexpect state 5 LOOKING\n", "x.scn:2: server 5 is not in the ensemble (voters 1..3, observers 4)");
        error("start 1\n", "x.scn:1: 'start' before 'ensemble N': declare the ensemble first");
        error("# nothing\n", "x.scn:2: no 'ensemble N' line: a scenario must declare its ensemble first");
        error("ensemble 3\nfrobnicate 2\n", "x.scn:2: unknown command 'frobnicate' (expected one of: "
            + "ensemble, group, weight, policy, seed, state, snapshot, take-snapshot, purge, window, start, crash, "
            + "restart, partition, heal, write, run, expect)");
        error("ensemble 3\nstart 1\ngroup 1 1,2,3\n", "x.scn:3: 'group' configures the ensemble and must come before the first action (start, crash, ...)");
        error("ensemble 3\nrun 500\n", "x.scn:2: duration '500' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        error("ensemble 3\nstate 1 zxid 1-2\n", "x.scn:2: zxid '1-2' is not of the form epoch:counter");
        error("ensemble 3\nstate 1 log 1:5-1:2\n", "x.scn:2: range '1:5-1:2' must stay within one epoch and not run backwards");
        error("ensemble 3\npartition 1 | 2\n", "x.scn:2: the partition must place every server on a side; missing [3]");
        error("ensemble 3\npartition 1,2 | 2,3\n", "x.scn:2: server 2 is on more than one side of the partition");
        error("ensemble 3\nexpect state 1 SLEEPING\n", "x.scn:2: unknown state 'SLEEPING' (expected one of LOOKING, FOLLOWING, LEADING, OBSERVING, DOWN)");
        error("ensemble 3\nexpect quorum\n", "x.scn:2: unknown expectation 'quorum' (expected leader, no-leader, state, sync, log-equal or zxid)");
        error("ensemble 3\npolicy quick\n", "x.scn:2: unknown election policy 'quick' (expected fast or zookeeper)");
        error("ensemble 0\n", "x.scn:1: ensemble size must be a positive integer, got '0'");
        error("ensemble 3 observers 2\n", "x.scn:1: observer 2 collides with the voters 1..3; observers take the sids after them");
        error("ensemble 3\nstart 1 1\n", "x.scn:2: server 1 is listed twice");
        error("ensemble 3\nwrite many\n", "x.scn:2: write count must be an integer, got 'many'");
        error("ensemble 3\nwrite 1000001\n", "x.scn:2: write count 1000001 is above the maximum of 1000000 a line");
        error("ensemble 3\nrun -5ms\n", "x.scn:2: duration '-5ms' must not be negative");
    }

    @Test
    void quorumShapeProblemsNameTheLineThatCausesThem() {
        error("ensemble 3\nweight 2 0\nstart 1 2 3\n",
            "x.scn:2: weight of server 2 is set but no group is declared; weights need a hierarchical quorum ('group G SIDS' lines)");
        error("ensemble 3\nweight 2 0\n",
            "x.scn:2: weight of server 2 is set but no group is declared; weights need a hierarchical quorum ('group G SIDS' lines)");
        error("ensemble 5\ngroup 1 1,2\ngroup 2 3,4\nstart 1 2 3 4 5\n",
            "x.scn:3: with groups declared, every voter must be in a group; not grouped: [5]");
        error("ensemble 3 observers 4\ngroup 1 1,2,3,4\n", "x.scn:2: group 1 names server 4, which is an observer; only voters are grouped");
        error("ensemble 3\ngroup 1 1,2\ngroup 2 2,3\n", "x.scn:3: server 2 is already in a group; a server belongs to one group");
    }

    @Test
    void aServersStateIsSetOnce() {
        error("ensemble 3\nstate 1 zxid 1:5\nstate 1 zxid 1:7\nstart 1 2 3\n",
            "x.scn:3: server 1's state is already set on line 2; give its whole history on one line");
    }

    @Test
    void aSnapshotMayBeTakenOfARunningServer() throws ScenarioException {
        final Scenario s = ScenarioParser.parse("x.scn", "ensemble 3\nstart 1 2 3\nwrite 10\nsnapshot 1 upto 1:5\n");
        assertEquals(4, s.commands().size());
    }

    @Test
    void takingASnapshotPurgingTheLogAndTheWindowAreSeparateCommands() throws ScenarioException {
        final Scenario s = ScenarioParser.parse("x.scn",
            "ensemble 3\nstart 1 2 3\nwrite 10\ntake-snapshot 3 at 1:5\npurge 3\nwindow 3 from 1:8\nwindow 3 empty\n");
        assertEquals(new Command.TakeSnapshot(4, "take-snapshot 3 at 1:5", 3, io.electionbench.core.Zxid.make(1, 5)),
            s.commands().get(3));
        assertEquals(new Command.Purge(5, "purge 3", 3), s.commands().get(4));
        assertEquals(io.electionbench.core.Zxid.make(1, 8), ((Command.Window)s.commands().get(5)).fromZxid());
        assertEquals(Long.MAX_VALUE, ((Command.Window)s.commands().get(6)).fromZxid());
        error("ensemble 3\ntake-snapshot 3 1:5\n", "x.scn:2: expected 'take-snapshot SID at E:C'");
        error("ensemble 3\nwindow 3 after 1:5\n", "x.scn:2: expected 'window SID from E:C' or 'window SID empty'");
    }

    @Test
    void aPurgeNeedsASnapshotTakenAndAWindowARunningServer() {
        runError("ensemble 3\nstart 1 2 3\nwrite 5\npurge 3\n", "x.scn:4: server 3 has taken no snapshot to purge its"
            + " log up to; 'take-snapshot 3 at E:C' takes one");
        runError("ensemble 3\nstart 1 2 3\nwrite 5\ntake-snapshot 3 at 1:6\n",
            "x.scn:4: server 3 cannot take a snapshot at 1:6: its history ends at 1:5");
        runError("ensemble 3\nstart 1 2 3\ncrash 2\nwindow 2 empty\n", "x.scn:4: server 2 is not running: only a"
            + " running server has an in-memory committed window (a start fills it from its log)");
    }

    private static void runError(final String text, final String expected) {
        final ScenarioException ex = assertThrows(ScenarioException.class,
            () -> ScenarioRunner.run(ScenarioParser.parse("x.scn", text), null));
        assertEquals(expected, ex.getMessage());
    }

    private static void error(final String text, final String expected) {
        final ScenarioException ex = assertThrows(ScenarioException.class, () -> ScenarioParser.parse("x.scn", text));
        assertEquals(expected, ex.getMessage());
    }
}
