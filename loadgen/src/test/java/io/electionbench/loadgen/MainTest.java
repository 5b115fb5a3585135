package io.electionbench.loadgen;

import static io.electionbench.loadgen.RunCommandTest.cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void everyCommandReportsAParseErrorAsOneLineNamingTheCommandAndExitsTwo() {
        final String[][] cases = {
            {"electionbench run", "run", "--trials", "x"},
            {"electionbench soak", "soak", "--bogus"},
            {"electionbench scenario", "scenario", "--bogus"},
            {"electionbench simulate", "simulate", "--seeds", "many"},
            {"electionbench sync-bench", "sync-bench", "--bogus"},
            {"electionbench node", "node", "--bogus"},
            {"electionbench compare", "compare", "a", "b", "--threshold", "abc"},
            {"electionbench continuous", "continuous"},
            {"electionbench report", "report", "--bogus"},
            {"electionbench import-jmh", "import-jmh"},
            {"electionbench jmh", "jmh", "--jar"},
            {"electionbench", "--bogus"}};
        for (final String[] c : cases) {
            final String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            final RunCommandTest.Result r = cli(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith(c[0] + ": "), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertEquals("", r.out(), r.out());
        }
    }

    @Test
    void anUnknownCommandListsTheCommands() {
        final RunCommandTest.Result r = cli("frobnicate");
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("electionbench: unknown command 'frobnicate'; the commands are "), r.err());
        for (final String command : new String[] {"soak", "scenario", "simulate", "node", "compare", "report", "jmh"}) {
            assertTrue(r.err().contains(command), command + " is listed: " + r.err());
        }
    }

    @Test
    void compareNamesTheBadOptionValueAsTheResultsToolsDo() {
        final RunCommandTest.Result r = cli("compare", "a", "b", "--threshold", "abc");
        assertEquals("electionbench compare: Invalid value for option '--threshold': 'abc' is not a double\n",
            r.err().replace(System.lineSeparator(), "\n"));
    }
}
