package io.electionbench.core.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.electionbench.core.Zxid;
import io.electionbench.core.sim.fault.MessageFault;
import io.electionbench.core.sim.network.MessageAction;
import io.electionbench.core.sim.network.MessageKind;

class ScenarioParserTest {
    @Test
    void parsesEveryCommandOfTheLanguage() throws ScenarioException {
        final Scenario s = ScenarioParser.parse("all.scn", String.join("\n",
            "# a comment", "policy zookeeper", "seed 42", "ensemble 5 observers 6,7", "group 1 1,2,3", "group 2 4 5",
            "weight 4 0", "state 2 zxid 1:102", "state 4 log 1:1-1:50 2:1-2:7", "snapshot 1 upto 1:40",
            "start 1 2", "crash 3", "restart 3", "partition 1,2 | 3,4,5,6,7", "heal", "write 20", "run 500ms",
            "expect leader 3   # trailing comment", "expect no-leader", "expect state 4 following",
            "expect sync 4 DIFF", "expect log-equal 1,2,4", "expect zxid 4 2:10", ""));
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
        error("ensemble 3 observers 4\nexpect state 5 LOOKING\n",
            "x.scn:2: server 5 is not in the ensemble (voters 1..3, observers 4)");
        error("start 1\n", "x.scn:1: 'start' before 'ensemble N': declare the ensemble first");
        error("# nothing\n", "x.scn:2: no 'ensemble N' line: a scenario must declare its ensemble first");
        error("ensemble 3\nfrobnicate 2\n", "x.scn:2: unknown command 'frobnicate' (expected one of: "
            + "ensemble, group, weight, policy, seed, state, snapshot, take-snapshot, purge, window, start, crash, "
            + "restart, partition, heal, write, run, drop, delay, duplicate, expect)");
        error("ensemble 3\nstart 1\ngroup 1 1,2,3\n",
            "x.scn:3: 'group' configures the ensemble and must come before the first action (start, crash, ...)");
        error("ensemble 3\nrun 500\n", "x.scn:2: duration '500' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        error("ensemble 3\nstate 1 zxid 1-2\n", "x.scn:2: zxid '1-2' is not of the form epoch:counter");
        error("ensemble 3\nstate 1 log 1:5-1:2\n",
            "x.scn:2: range '1:5-1:2' must stay within one epoch and not run backwards");
        error("ensemble 3\npartition 1 | 2\n", "x.scn:2: the partition must place every server on a side; missing [3]");
        error("ensemble 3\npartition 1,2 | 2,3\n", "x.scn:2: server 2 is on more than one side of the partition");
        error("ensemble 3\nexpect state 1 SLEEPING\n",
            "x.scn:2: unknown state 'SLEEPING' (expected one of LOOKING, FOLLOWING, LEADING, OBSERVING, DOWN)");
        error("ensemble 3\nexpect quorum\n", "x.scn:2: unknown expectation 'quorum' "
            + "(expected leader, no-leader, state, sync, log-equal, zxid, epoch, accepted-epoch or round)");
        error("ensemble 3\npolicy quick\n", "x.scn:2: unknown election policy 'quick' (expected fast or zookeeper)");
        error("ensemble 0\n", "x.scn:1: ensemble size must be a positive integer, got '0'");
        error("ensemble 3 observers 2\n",
            "x.scn:1: observer 2 collides with the voters 1..3; observers take the sids after them");
        error("ensemble 3\nstart 1 1\n", "x.scn:2: server 1 is listed twice");
        error("ensemble 3\nwrite many\n", "x.scn:2: write count must be an integer, got 'many'");
        error("ensemble 3\nwrite 1000001\n", "x.scn:2: write count 1000001 is above the maximum of 1000000 a line");
        error("ensemble 3\nrun -5ms\n", "x.scn:2: duration '-5ms' must not be negative");
    }

    @Test
    void quorumShapeProblemsNameTheLineThatCausesThem() {
        error("ensemble 3\nweight 2 0\nstart 1 2 3\n",
            "x.scn:2: weight of server 2 is set but no group is declared; weights need a hierarchical quorum"
                + " ('group G SIDS' lines)");
        error("ensemble 3\nweight 2 0\n",
            "x.scn:2: weight of server 2 is set but no group is declared; weights need a hierarchical quorum"
                + " ('group G SIDS' lines)");
        error("ensemble 5\ngroup 1 1,2\ngroup 2 3,4\nstart 1 2 3 4 5\n",
            "x.scn:3: with groups declared, every voter must be in a group; not grouped: [5]");
        error("ensemble 3 observers 4\ngroup 1 1,2,3,4\nweight 4 1\n",
            "x.scn:3: server 4 is an observer: an observer never votes, so its weight must be 0");
        error("ensemble 3\ngroup 1 1,2\ngroup 2 2,3\n",
            "x.scn:3: server 2 is already in a group; a server belongs to one group");
    }

    @Test
    void parsesTheCommandsThatSayWhatZooKeepersTestsSay() throws ScenarioException {
        final Scenario s = ScenarioParser.parse("new.scn", String.join("\n",
            "ensemble 3 observers 4", "group 1 1,2,4", "group 2 3", "weight 4 0",
            "state 1 zxid 1:5 accepted 3 current 2", "state 2 log 1:1-1:4 2:0", "state 3 accepted 4 current 1",
            "drop 1->3 notification 2", "delay 2->* ackepoch 50ms", "duplicate *->1 proposal", "drop 3->2 pingack 13",
            "start 1 2 3", "run until 3 LOOKING", "run until sync 4 within 2s",
            "expect epoch 1 3", "expect accepted-epoch 1 3", "expect round 2 1", "expect leader 3 within 1s", ""));
        final List<Command> c = s.commands();
        assertEquals(18, c.size());
        final Command.State st = (Command.State)c.get(4);
        assertEquals(2, st.epoch());
        assertEquals(3, st.acceptedEpoch());
        final Command.State joined = (Command.State)c.get(5);
        assertTrue(joined.newEpochZxid());
        assertEquals(Zxid.make(2, 0), joined.lastZxid());
        assertEquals(2, joined.epoch());
        assertEquals(1, joined.ranges().size());
        final Command.State epochsOnly = (Command.State)c.get(6);
        assertEquals(0, epochsOnly.lastZxid());
        assertEquals(4, epochsOnly.acceptedEpoch());
        assertEquals(new MessageFault(MessageAction.DROP, 1, 3, MessageKind.NOTIFICATION, 2, 0),
            ((Command.Fault)c.get(7)).fault());
        assertEquals(new MessageFault(MessageAction.DELAY, 2, MessageFault.EVERY, MessageKind.ACK_EPOCH, 1,
            50_000_000L), ((Command.Fault)c.get(8)).fault());
        assertEquals(new MessageFault(MessageAction.DUPLICATE, MessageFault.EVERY, 1, MessageKind.PROPOSAL, 1, 0),
            ((Command.Fault)c.get(9)).fault());
        final Command.RunUntil looking = (Command.RunUntil)c.get(12);
        assertEquals(Command.UntilKind.STATE, looking.kind());
        assertEquals("LOOKING", looking.state());
        assertEquals(ScenarioRunner.SETTLE_BOUND_NS, looking.boundNs());
        final Command.RunUntil sync = (Command.RunUntil)c.get(13);
        assertEquals(Command.UntilKind.SYNC, sync.kind());
        assertEquals(4, sync.sid());
        assertEquals(2_000_000_000L, sync.boundNs());
        assertEquals(Command.ExpectKind.ACCEPTED_EPOCH, ((Command.Expect)c.get(15)).kind());
        assertEquals(-1, ((Command.Expect)c.get(16)).withinNs());
        final Command.Expect bounded = (Command.Expect)c.get(17);
        assertEquals(Command.ExpectKind.LEADER, bounded.kind());
        assertEquals(3, bounded.sid());
        assertEquals(1_000_000_000L, bounded.withinNs());
    }

    @Test
    void malformedNewSyntaxNamesFileAndLine() {
        error("ensemble 3\ndrop 1-3 notification\n",
            "x.scn:2: expected a link 'FROM->TO' (a sid or * on each side), got '1-3'");
        error("ensemble 3\ndrop 1->1 notification\n",
            "x.scn:2: link '1->1' goes from a server to itself; messages travel between two servers");
        error("ensemble 3\ndrop 1->4 notification\n", "x.scn:2: server 4 is not in the ensemble (voters 1..3)");
        error("ensemble 3\ndrop ->2 notification\n",
            "x.scn:2: a link end is empty; write a sid or * on each side of '->'");
        error("ensemble 3\ndrop 1->2 vote\n", "x.scn:2: unknown message kind 'vote' (expected one of: "
            + "notification, learnerinfo, learnerreject, leaderinfo, ackepoch, sync, snapchunk, proposal, newleader, "
            + "ack, commit, uptodate, ping, pingack)");
        error("ensemble 3\ndrop 1->2 notification 0\n", "x.scn:2: message count must be a positive integer, got '0'");
        error("ensemble 3\ndrop 1->2 notification 1000001\n",
            "x.scn:2: message count 1000001 is above the maximum of 1000000 a line");
        error("ensemble 3\ndrop 1->2\n", "x.scn:2: expected 'drop FROM->TO KIND [N]', e.g. 'drop 1->3 notification 2'");
        error("ensemble 3\ndelay 2->* ackepoch\n",
            "x.scn:2: expected 'delay FROM->TO KIND DURATION [N]', e.g. 'delay 2->* ackepoch 50ms'");
        error("ensemble 3\ndelay 2->* ackepoch 50\n",
            "x.scn:2: duration '50' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        error("ensemble 3\ndelay 2->* ackepoch 0ms\n", "x.scn:2: a delay needs a positive duration, got '0ms'");
        error("ensemble 3\nduplicate 2->1 ack x\n", "x.scn:2: message count must be an integer, got 'x'");
        error("ensemble 3\nrun until 3\n", "x.scn:2: expected 'run until SID STATE|sync SID [within DURATION]'");
        error("ensemble 3\nrun until 3 SLEEPING\n",
            "x.scn:2: unknown state 'SLEEPING' (expected one of LOOKING, FOLLOWING, LEADING, OBSERVING, DOWN)");
        error("ensemble 3\nrun until elected 3\n",
            "x.scn:2: unknown event 'elected 3' (expected 'SID STATE' or 'sync SID')");
        error("ensemble 3\nrun until sync 4\n", "x.scn:2: server 4 is not in the ensemble (voters 1..3)");
        error("ensemble 3\nrun until 3 LOOKING within 0s\n", "x.scn:2: 'within' needs a positive duration, got '0s'");
        error("ensemble 3\nrun until 3 LOOKING within soon\n",
            "x.scn:2: duration 'soon' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        error("ensemble 3\nexpect leader 3 within\n", "x.scn:2: expected 'expect leader SID'");
        error("ensemble 3\nexpect leader 3 within 1\n",
            "x.scn:2: duration '1' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        error("ensemble 3\nexpect epoch 1\n", "x.scn:2: expected 'expect epoch SID E'");
        error("ensemble 3\nexpect accepted-epoch 1 -1\n", "x.scn:2: accepted epoch must not be negative, got '-1'");
        error("ensemble 3\nexpect round 1 r\n", "x.scn:2: round must be an integer, got 'r'");
        error("ensemble 3\nstate 1 zxid 1:5 accepted 1 current 2\n",
            "x.scn:2: accepted epoch 1 is below current epoch 2: a server accepts an epoch (ACKEPOCH) before it makes "
            + "it current (NEWLEADER)");
        error("ensemble 3\nstate 1 zxid 2:5 current 1\n",
            "x.scn:2: current epoch 1 is below the epoch of the last zxid 2:5: a server only logs txns of epochs it "
            + "has acknowledged");
        error("ensemble 3\nstate 1 zxid 1:5 epoch 2 accepted 3\n",
            "x.scn:2: 'epoch N' sets both epochs; give either it or 'accepted A current C'");
        error("ensemble 3\nstate 1 accepted 2 accepted 3\n", "x.scn:2: 'accepted' is given twice");
        error("ensemble 3\nstate 1 zxid 1:5 accepted x\n", "x.scn:2: accepted epoch must be an integer, got 'x'");
        error("ensemble 3\nstate 1 log 2:0 1:1-1:5\n",
            "x.scn:2: new-epoch zxid '2:0' must come last, in an epoch above 0 and "
            + "above the ranges' (it says: joined that epoch, no txn of it yet)");
        error("ensemble 3\nstate 1 log 2:1-2:5 2:0\n",
            "x.scn:2: new-epoch zxid '2:0' must come last, in an epoch above 0 and "
            + "above the ranges' (it says: joined that epoch, no txn of it yet)");
        error("ensemble 3\nstate 1 log 1:1-1:5 3:0 epoch 2\n",
            "x.scn:2: epoch 2 is below the epoch of the last zxid 3:0: a server only logs txns of epochs it has "
            + "acknowledged");
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
