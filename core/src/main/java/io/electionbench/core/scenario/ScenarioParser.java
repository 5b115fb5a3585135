package io.electionbench.core.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.electionbench.core.Zxid;
import io.electionbench.core.election.ElectionPolicy;
import io.electionbench.core.quorum.Ensemble;
import io.electionbench.core.sim.fault.MessageFault;
import io.electionbench.core.sim.network.MessageAction;
import io.electionbench.core.sim.network.MessageKind;

/**
 * Parses the scenario language of DESIGN.md section 7: one command a line, {@code #} starts a
 * comment, sids are positive integers (lists as {@code 1,2,3} or {@code 1 2 3}), zxids
 * {@code epoch:counter}, durations with a unit ({@code 500ms}, {@code 2s}, {@code 100us}). The
 * ensemble comes first and setup commands come before the first action. Every problem is reported
 * as {@code FILE:LINE: what is wrong}.
 */
public final class ScenarioParser {
    private static final String COMMANDS =
        "ensemble, group, weight, policy, seed, state, snapshot, take-snapshot, purge, window, start, crash, restart, "
            + "partition, heal, write, run, drop, delay, duplicate, expect";

    /** The most messages one {@code drop}, {@code delay} or {@code duplicate} line may count. */
    public static final int MAX_FAULTED_MESSAGES = 1_000_000;

    /** The most writes one {@code write} line may offer (the simulator holds every payload). */
    public static final int MAX_WRITES_PER_LINE = 1_000_000;

    private final String file;
    private int ensembleSize;
    private long memberMask;
    private boolean hasActions;
    private int line;
    /** Quorum shape, checked when the setup ends so each problem names the line that causes it. */
    private long groupedMask;
    private int lastGroupLine;
    private int firstWeightLine;
    private long firstWeightSid;
    private final java.util.Map<Long, Integer> stateLines = new java.util.HashMap<>();

    private ScenarioParser(final String file) {
        this.file = file;
    }

    /** Reads and parses a file. */
    public static Scenario parse(final Path path) throws ScenarioException {
        final String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (final java.nio.charset.CharacterCodingException ex) {
            throw new ScenarioException(path.toString(), 0, "not UTF-8 text; scenario files are UTF-8");
        } catch (final IOException ex) {
            throw new ScenarioException(path.toString(), 0, "cannot read: " + ex.getMessage());
        }
        return parse(path.toString(), text);
    }

    /** Parses scenario text; {@code file} names it in errors. */
    public static Scenario parse(final String file, final String text) throws ScenarioException {
        return new ScenarioParser(file).parseAll(text);
    }

    private Scenario parseAll(final String text) throws ScenarioException {
        final List<Command> commands = new ArrayList<>();
        final String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            line = i + 1;
            final int hash = lines[i].indexOf('#');
            final String body = (hash >= 0 ? lines[i].substring(0, hash) : lines[i]).trim();
            if (!body.isEmpty()) {
                commands.add(parseLine(body));
            }
        }
        if (ensembleSize == 0) {
            throw new ScenarioException(file, Math.max(1, line),
                "no 'ensemble N' line: a scenario must declare its ensemble first");
        }
        endOfSetup();
        return new Scenario(file, commands);
    }

    private Command parseLine(final String body) throws ScenarioException {
        final String[] t = body.split("\\s+");
        final String name = t[0].toLowerCase(Locale.ROOT);
        if (ensembleSize == 0 && !name.equals("ensemble") && !name.equals("policy") && !name.equals("seed")) {
            throw error("'" + t[0] + "' before 'ensemble N': declare the ensemble first");
        }
        switch (name) {
            case "ensemble":
                return ensemble(body, t);
            case "group":
                setup(t[0]);
                if (t.length < 3) {
                    throw error("expected 'group G SIDS'");
                }
                return group(body, positive(t[1], "group id"), sids(t, 2));
            case "weight":
                setup(t[0]);
                arity(t, 3, "weight SID W");
                final long weighed = sid(t[1]);
                if (weighed > ensembleSize && !t[2].equals("0")) {
                    throw error("server " + weighed
                        + " is an observer: an observer never votes, so its weight must be 0");
                }
                if (firstWeightLine == 0) {
                    firstWeightLine = line;
                    firstWeightSid = weighed;
                }
                return new Command.Weight(line, body, weighed, nonNegative(t[2], "weight"));
            case "policy":
                setup(t[0]);
                arity(t, 2, "policy fast|zookeeper");
                policy(t[1]);
                return new Command.Policy(line, body, t[1]);
            case "seed":
                setup(t[0]);
                arity(t, 2, "seed N");
                return new Command.Seed(line, body, number(t[1], "seed"));
            case "state":
                setup(t[0]);
                return state(body, t);
            case "snapshot":
                // Before the first action it compacts the persisted history; later, a running or
                // crashed server's log, as a server's own snapshot would.
                if (t.length != 4 || !t[2].equals("upto")) {
                    throw error("expected 'snapshot SID upto E:C'");
                }
                return new Command.Snapshot(line, body, sid(t[1]), zxid(t[3]));
            case "take-snapshot":
                if (t.length != 4 || !t[2].equals("at")) {
                    throw error("expected 'take-snapshot SID at E:C'");
                }
                return new Command.TakeSnapshot(line, body, sid(t[1]), zxid(t[3]));
            case "purge":
                arity(t, 2, "purge SID");
                return new Command.Purge(line, body, sid(t[1]));
            case "window":
                if (t.length == 3 && t[2].equals("empty")) {
                    return new Command.Window(line, body, sid(t[1]), Long.MAX_VALUE);
                }
                if (t.length != 4 || !t[2].equals("from")) {
                    throw error("expected 'window SID from E:C' or 'window SID empty'");
                }
                return new Command.Window(line, body, sid(t[1]), zxid(t[3]));
            default:
                return action(name, body, t);
        }
    }

    private Command action(final String name, final String body, final String[] t) throws ScenarioException {
        if (!hasActions) {
            endOfSetup();
        }
        hasActions = true;
        switch (name) {
            case "start":
                return new Command.Start(line, body, sids(t, 1));
            case "crash":
                return new Command.Crash(line, body, sids(t, 1));
            case "restart":
                return new Command.Restart(line, body, sids(t, 1));
            case "partition":
                return partition(body);
            case "heal":
                arity(t, 1, "heal");
                return new Command.Heal(line, body);
            case "write":
                arity(t, 2, "write N");
                final long writes = positive(t[1], "write count");
                if (writes > MAX_WRITES_PER_LINE) {
                    throw error("write count " + writes + " is above the maximum of " + MAX_WRITES_PER_LINE
                        + " a line");
                }
                return new Command.Write(line, body, (int)writes);
            case "run":
                if (t.length >= 2 && t[1].equals("until")) {
                    return runUntil(body, t);
                }
                arity(t, 2, "run DURATION (e.g. 500ms, 2s) or 'run until EVENT'");
                return new Command.Run(line, body, duration(t[1]));
            case "drop":
            case "delay":
            case "duplicate":
                return messageFault(name, body, t);
            case "expect":
                return expect(body, t);
            default:
                throw error("unknown command '" + t[0] + "' (expected one of: " + COMMANDS + ")");
        }
    }

    private Command group(final String body, final long group, final long[] sids) throws ScenarioException {
        for (final long sid : sids) {
            if ((groupedMask & (1L << (sid - 1))) != 0) {
                throw error("server " + sid + " is already in a group; a server belongs to one group");
            }
            groupedMask |= 1L << (sid - 1);
        }
        lastGroupLine = line;
        return new Command.Group(line, body, group, sids);
    }

    /** The quorum shape is complete once the first action (or the end of the file) is reached. */
    private void endOfSetup() throws ScenarioException {
        if (firstWeightLine != 0 && lastGroupLine == 0) {
            throw new ScenarioException(file, firstWeightLine, "weight of server " + firstWeightSid
                + " is set but no group is declared; weights need a hierarchical quorum ('group G SIDS' lines)");
        }
        final long voters = ensembleSize == 64 ? -1L : (1L << ensembleSize) - 1;
        if (lastGroupLine != 0 && (groupedMask & voters) != voters) {
            final List<Long> missing = new ArrayList<>();
            for (int sid = 1; sid <= ensembleSize; sid++) {
                if ((groupedMask & (1L << (sid - 1))) == 0) {
                    missing.add((long)sid);
                }
            }
            throw new ScenarioException(file, lastGroupLine,
                "with groups declared, every voter must be in a group; not grouped: " + missing);
        }
    }

    private Command ensemble(final String body, final String[] t) throws ScenarioException {
        if (ensembleSize != 0) {
            throw error("the ensemble is already declared");
        }
        if (t.length != 2 && !(t.length >= 4 && t[2].equals("observers"))) {
            throw error("expected 'ensemble N' or 'ensemble N observers A,B'");
        }
        final long size = positive(t[1], "ensemble size");
        if (size > Ensemble.MAX_MEMBERS) {
            throw error("ensemble size " + size + " is above the maximum of " + Ensemble.MAX_MEMBERS);
        }
        final long[] observers = t.length > 2 ? sids(t, 3) : new long[0];
        long mask = size == 64 ? -1L : (1L << size) - 1;
        for (final long sid : observers) {
            if (sid <= size) {
                throw error("observer " + sid + " collides with the voters 1.." + size
                    + "; observers take the sids after them");
            }
            if (sid > Ensemble.MAX_MEMBERS || Long.bitCount(mask) == Ensemble.MAX_MEMBERS) {
                throw error("at most " + Ensemble.MAX_MEMBERS + " servers with sids up to " + Ensemble.MAX_MEMBERS
                    + " are supported");
            }
            mask |= 1L << (sid - 1);
        }
        ensembleSize = (int)size;
        memberMask = mask;
        return new Command.Ensemble(line, body, ensembleSize, observers);
    }

    private static final String STATE_USAGE = "expected 'state SID zxid E:C' or 'state SID log E:C-E:C ...' "
        + "(optionally followed by 'epoch N', or by 'accepted A' and 'current C')";
    private static final String[] EPOCH_KEYS = {"epoch", "accepted", "current"};

    private Command state(final String body, final String[] words) throws ScenarioException {
        if (words.length < 4) {
            throw error(STATE_USAGE);
        }
        final long[] given = {-1, -1, -1};
        final String[] t = Arrays.copyOf(words, epochSuffixes(words, given));
        final long accepted = given[1];
        final long current = given[2];
        if (given[0] >= 0 && (accepted >= 0 || current >= 0)) {
            throw error("'epoch N' sets both epochs; give either it or 'accepted A current C'");
        }
        final long epoch = current >= 0 ? current : given[0];
        final Command.State parsed;
        if (t.length == 2 && (accepted >= 0 || current >= 0)) {
            parsed = new Command.State(line, body, sid(t[1]), List.of(), 0, -1);
        } else if (t.length < 4) {
            throw error(STATE_USAGE);
        } else {
            parsed = stateHistory(body, t);
        }
        final Integer earlier = stateLines.putIfAbsent(parsed.sid(), line);
        if (earlier != null) {
            throw error("server " + parsed.sid() + "'s state is already set on line " + earlier
                + "; give its whole history on one line");
        }
        final long lastEpoch = Zxid.epoch(parsed.lastZxid());
        if (epoch >= 0 && epoch < lastEpoch) {
            throw error((current >= 0 ? "current epoch " : "epoch ") + epoch + " is below the epoch of the last zxid "
                + Zxid.toString(parsed.lastZxid()) + ": a server only logs txns of epochs it has acknowledged");
        }
        final long currentEpoch = epoch < 0 ? lastEpoch : epoch;
        if (accepted >= 0 && accepted < currentEpoch) {
            throw error("accepted epoch " + accepted + " is below current epoch " + currentEpoch
                + ": a server accepts an epoch (ACKEPOCH) before it makes it current (NEWLEADER)");
        }
        return new Command.State(line, body, parsed.sid(), parsed.ranges(), parsed.lastZxid(), currentEpoch,
            accepted < 0 ? currentEpoch : accepted, parsed.newEpochZxid());
    }

    /**
     * Reads the trailing {@code epoch N}, {@code accepted A} and {@code current C} pairs of a state line
     * into {@code given} (in {@link #EPOCH_KEYS} order, -1 when absent).
     *
     * @return how many words come before them
     */
    private int epochSuffixes(final String[] t, final long[] given) throws ScenarioException {
        int end = t.length;
        while (end >= 4) {
            final int key = Arrays.asList(EPOCH_KEYS).indexOf(t[end - 2]);
            if (key < 0) {
                break;
            }
            if (given[key] >= 0) {
                throw error("'" + EPOCH_KEYS[key] + "' is given twice");
            }
            given[key] = nonNegative(t[end - 1], EPOCH_KEYS[key] + " epoch");
            end -= 2;
        }
        return end;
    }

    private Command.State stateHistory(final String body, final String[] t) throws ScenarioException {
        final long sid = sid(t[1]);
        final List<long[]> ranges = new ArrayList<>();
        if (t[2].equals("zxid")) {
            arity(t, 4, "state SID zxid E:C");
            final long last = zxid(t[3]);
            if (Zxid.counter(last) > 0) {
                ranges.add(new long[] {Zxid.make(Zxid.epoch(last), 1), last});
            }
            return new Command.State(line, body, sid, ranges, last, -1);
        }
        if (!t[2].equals("log")) {
            throw error("expected 'zxid' or 'log' after 'state " + t[1] + "', got '" + t[2] + "'");
        }
        long previous = 0;
        for (int i = 3; i < t.length; i++) {
            final int dash = t[i].indexOf('-');
            if (dash < 0 && Zxid.counter(zxid(t[i])) == 0) {
                final long joined = zxid(t[i]);
                if (i != t.length - 1 || Zxid.epoch(joined) <= Zxid.epoch(previous) || Zxid.epoch(joined) == 0) {
                    throw error("new-epoch zxid '" + t[i] + "' must come last, in an epoch above 0 and above the "
                        + "ranges' (it says: joined that epoch, no txn of it yet)");
                }
                return new Command.State(line, body, sid, ranges, joined, -1, -1, true);
            }
            final long from = zxid(dash < 0 ? t[i] : t[i].substring(0, dash));
            final long to = dash < 0 ? from : zxid(t[i].substring(dash + 1));
            if (Zxid.epoch(from) != Zxid.epoch(to) || to < from) {
                throw error("range '" + t[i] + "' must stay within one epoch and not run backwards");
            }
            if (Zxid.counter(from) == 0) {
                throw error("range '" + t[i] + "' starts at counter 0; txn counters start at 1");
            }
            if (from <= previous) {
                throw error("range '" + t[i] + "' overlaps or precedes the previous range");
            }
            previous = to;
            ranges.add(new long[] {from, to});
        }
        return new Command.State(line, body, sid, ranges, previous, -1);
    }

    private Command partition(final String body) throws ScenarioException {
        final String rest = body.substring("partition".length()).trim();
        final String[] sides = rest.split("\\|", -1);
        if (sides.length < 2) {
            throw error("expected 'partition A,B | C,D,E' with at least two sides");
        }
        final long[][] groups = new long[sides.length][];
        long seen = 0;
        for (int g = 0; g < sides.length; g++) {
            final String side = sides[g].trim();
            if (side.isEmpty()) {
                throw error("side " + (g + 1) + " of the partition is empty");
            }
            groups[g] = sids(side.split("\\s+"), 0);
            for (final long sid : groups[g]) {
                if ((seen & (1L << (sid - 1))) != 0) {
                    throw error("server " + sid + " is on more than one side of the partition");
                }
                seen |= 1L << (sid - 1);
            }
        }
        if (seen != memberMask) {
            final List<Long> missing = new ArrayList<>();
            for (int sid = 1; sid <= Ensemble.MAX_MEMBERS; sid++) {
                if ((memberMask & ~seen & (1L << (sid - 1))) != 0) {
                    missing.add((long)sid);
                }
            }
            throw error("the partition must place every server on a side; missing " + missing);
        }
        return new Command.Partition(line, body, groups);
    }

    private Command expect(final String body, final String[] words) throws ScenarioException {
        String[] t = words;
        if (t.length >= 4 && t[t.length - 2].equals("within")) {
            final long within = duration(t[t.length - 1]);
            final Command.Expect bare = (Command.Expect)expect(body, Arrays.copyOf(t, t.length - 2));
            return new Command.Expect(line, body, bare.kind(), bare.sid(), bare.value(), bare.sids(), within);
        }
        if (t.length < 2) {
            throw error("expected 'expect leader|no-leader|state|sync|log-equal|zxid|epoch|accepted-epoch|round ...'");
        }
        switch (t[1].toLowerCase(Locale.ROOT)) {
            case "leader":
                arity(t, 3, "expect leader SID");
                return new Command.Expect(line, body, Command.ExpectKind.LEADER, sid(t[2]), null, null);
            case "no-leader":
                arity(t, 2, "expect no-leader");
                return new Command.Expect(line, body, Command.ExpectKind.NO_LEADER, 0, null, null);
            case "state":
                arity(t, 4, "expect state SID LOOKING|FOLLOWING|LEADING|OBSERVING|DOWN");
                return new Command.Expect(line, body, Command.ExpectKind.STATE, sid(t[2]),
                    oneOf(t[3], "state", "LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN"), null);
            case "sync":
                arity(t, 4, "expect sync SID DIFF|TRUNC|SNAP");
                return new Command.Expect(line, body, Command.ExpectKind.SYNC, sid(t[2]),
                    oneOf(t[3], "sync", "DIFF", "TRUNC", "SNAP"), null);
            case "log-equal":
                if (t.length < 3) {
                    throw error("expected 'expect log-equal A,B,...'");
                }
                return new Command.Expect(line, body, Command.ExpectKind.LOG_EQUAL, 0, null, sids(t, 2));
            case "zxid":
                arity(t, 4, "expect zxid SID E:C");
                zxid(t[3]);
                return new Command.Expect(line, body, Command.ExpectKind.ZXID, sid(t[2]), t[3], null);
            case "epoch":
                arity(t, 4, "expect epoch SID E");
                return new Command.Expect(line, body, Command.ExpectKind.EPOCH, sid(t[2]), epochValue(t[3], "epoch"),
                    null);
            case "accepted-epoch":
                arity(t, 4, "expect accepted-epoch SID E");
                return new Command.Expect(line, body, Command.ExpectKind.ACCEPTED_EPOCH, sid(t[2]),
                    epochValue(t[3], "accepted epoch"), null);
            case "round":
                arity(t, 4, "expect round SID R");
                return new Command.Expect(line, body, Command.ExpectKind.ROUND, sid(t[2]), epochValue(t[3], "round"),
                    null);
            default:
                throw error("unknown expectation '" + t[1]
                    + "' (expected leader, no-leader, state, sync, log-equal, zxid, epoch, accepted-epoch or round)");
        }
    }

    private String epochValue(final String text, final String what) throws ScenarioException {
        return Long.toString(nonNegative(text, what));
    }

    /** {@code run until SID STATE [within D]} or {@code run until sync SID [within D]}. */
    private Command runUntil(final String body, final String[] words) throws ScenarioException {
        final String usage = "run until SID STATE|sync SID [within DURATION]";
        String[] t = words;
        long bound = ScenarioRunner.SETTLE_BOUND_NS;
        if (t.length >= 4 && t[t.length - 2].equals("within")) {
            bound = duration(t[t.length - 1]);
            if (bound == 0) {
                throw error("'within' needs a positive duration, got '" + t[t.length - 1] + "'");
            }
            t = Arrays.copyOf(t, t.length - 2);
        }
        arity(t, 4, usage);
        if (t[2].equalsIgnoreCase("sync")) {
            return new Command.RunUntil(line, body, Command.UntilKind.SYNC, sid(t[3]), null, bound);
        }
        if (!Character.isDigit(t[2].charAt(0))) {
            throw error("unknown event '" + t[2] + " " + t[3] + "' (expected 'SID STATE' or 'sync SID')");
        }
        return new Command.RunUntil(line, body, Command.UntilKind.STATE, sid(t[2]),
            oneOf(t[3], "state", "LOOKING", "FOLLOWING", "LEADING", "OBSERVING", "DOWN"), bound);
    }

    /** {@code drop|duplicate FROM->TO KIND [N]} or {@code delay FROM->TO KIND DURATION [N]}. */
    private Command messageFault(final String name, final String body, final String[] t) throws ScenarioException {
        final boolean isDelay = name.equals("delay");
        final String usage = name + " FROM->TO KIND " + (isDelay ? "DURATION " : "") + "[N]";
        final int fixed = isDelay ? 4 : 3;
        if (t.length != fixed && t.length != fixed + 1) {
            final String example = isDelay ? "delay 2->* ackepoch 50ms" : name + " 1->3 notification 2";
            throw error("expected '" + usage + "', e.g. '" + example + "'");
        }
        final int arrow = t[1].indexOf("->");
        if (arrow < 0) {
            throw error("expected a link 'FROM->TO' (a sid or * on each side), got '" + t[1] + "'");
        }
        final long from = linkEnd(t[1].substring(0, arrow));
        final long to = linkEnd(t[1].substring(arrow + 2));
        if (from == to && from != MessageFault.EVERY) {
            throw error("link '" + t[1] + "' goes from a server to itself; messages travel between two servers");
        }
        final MessageKind kind;
        try {
            kind = MessageKind.parse(t[2]);
        } catch (final IllegalArgumentException ex) {
            throw error(ex.getMessage());
        }
        final long delay = isDelay ? duration(t[3]) : 0;
        if (isDelay && delay == 0) {
            throw error("a delay needs a positive duration, got '" + t[3] + "'");
        }
        final long count = t.length > fixed ? positive(t[fixed], "message count") : 1;
        if (count > MAX_FAULTED_MESSAGES) {
            throw error("message count " + count + " is above the maximum of " + MAX_FAULTED_MESSAGES + " a line");
        }
        final MessageAction action = isDelay
            ? MessageAction.DELAY
            : name.equals("drop") ? MessageAction.DROP
            : MessageAction.DUPLICATE;
        return new Command.Fault(line, body, new MessageFault(action, from, to, kind, count,
            delay));
    }

    private long linkEnd(final String text) throws ScenarioException {
        if (text.equals("*")) {
            return MessageFault.EVERY;
        }
        if (text.isEmpty()) {
            throw error("a link end is empty; write a sid or * on each side of '->'");
        }
        return sid(text);
    }

    // ------------------------------------------------------------------------------------------------

    private void setup(final String name) throws ScenarioException {
        if (hasActions) {
            throw error("'" + name + "' configures the ensemble and must come before the first action"
                + " (start, crash, ...)");
        }
    }

    private void arity(final String[] t, final int n, final String usage) throws ScenarioException {
        if (t.length != n) {
            throw error("expected '" + usage + "'");
        }
    }

    private long[] sids(final String[] t, final int from) throws ScenarioException {
        final List<Long> out = new ArrayList<>();
        for (int i = from; i < t.length; i++) {
            for (final String part : t[i].split(",")) {
                if (!part.isEmpty()) {
                    out.add(sid(part));
                }
            }
        }
        if (out.isEmpty()) {
            throw error("expected at least one server id");
        }
        final long[] sids = out.stream().mapToLong(Long::longValue).toArray();
        final long[] sorted = sids.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw error("server " + sorted[i] + " is listed twice");
            }
        }
        return sids;
    }

    private long sid(final String text) throws ScenarioException {
        final long sid = positive(text, "server id");
        if (ensembleSize > 0 && (sid > Ensemble.MAX_MEMBERS || (memberMask & (1L << (sid - 1))) == 0)) {
            throw error("server " + sid + " is not in the ensemble (" + describeMembers() + ")");
        }
        return sid;
    }

    private String describeMembers() {
        final StringBuilder sb = new StringBuilder("voters 1..").append(ensembleSize);
        final long observers = memberMask & ~(ensembleSize == 64 ? -1L : (1L << ensembleSize) - 1);
        if (observers != 0) {
            sb.append(", observers");
            for (int sid = ensembleSize + 1; sid <= Ensemble.MAX_MEMBERS; sid++) {
                if ((observers & (1L << (sid - 1))) != 0) {
                    sb.append(' ').append(sid);
                }
            }
        }
        return sb.toString();
    }

    private long zxid(final String text) throws ScenarioException {
        try {
            return Zxid.parse(text);
        } catch (final IllegalArgumentException ex) {
            throw error(ex.getMessage());
        }
    }

    private void policy(final String name) throws ScenarioException {
        try {
            ElectionPolicy.byName(name);
        } catch (final IllegalArgumentException ex) {
            throw error(ex.getMessage());
        }
    }

    private String oneOf(final String value, final String what, final String... allowed) throws ScenarioException {
        final String upper = value.toUpperCase(Locale.ROOT);
        for (final String a : allowed) {
            if (a.equals(upper)) {
                return a;
            }
        }
        throw error("unknown " + what + " '" + value + "' (expected one of " + String.join(", ", allowed) + ")");
    }

    private long duration(final String text) throws ScenarioException {
        if (text.startsWith("-")) {
            throw error("duration '" + text + "' must not be negative");
        }
        final String lower = text.toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < lower.length() && (Character.isDigit(lower.charAt(split)) || lower.charAt(split) == '.')) {
            split++;
        }
        final String unit = lower.substring(split);
        final double scale;
        switch (unit) {
            case "ns":
                scale = 1;
                break;
            case "us":
                scale = 1e3;
                break;
            case "ms":
                scale = 1e6;
                break;
            case "s":
                scale = 1e9;
                break;
            case "m":
                scale = 60e9;
                break;
            default:
                throw error("duration '" + text + "' needs a unit: ns, us, ms, s or m (e.g. 500ms)");
        }
        try {
            final double value = Double.parseDouble(lower.substring(0, split));
            if (value < 0 || value * scale > 3600e9) {
                throw error("duration '" + text + "' must be between 0 and 1 hour");
            }
            return Math.round(value * scale);
        } catch (final NumberFormatException ex) {
            throw error("duration '" + text + "' is not a number with a unit");
        }
    }

    private long positive(final String text, final String what) throws ScenarioException {
        final long v = number(text, what);
        if (v <= 0) {
            throw error(what + " must be a positive integer, got '" + text + "'");
        }
        return v;
    }

    private long nonNegative(final String text, final String what) throws ScenarioException {
        final long v = number(text, what);
        if (v < 0) {
            throw error(what + " must not be negative, got '" + text + "'");
        }
        return v;
    }

    private long number(final String text, final String what) throws ScenarioException {
        try {
            return Long.parseLong(text);
        } catch (final NumberFormatException ex) {
            throw error(what + " must be an integer, got '" + text + "'");
        }
    }

    private ScenarioException error(final String problem) {
        return new ScenarioException(file, line, problem);
    }
}
