package io.electionbench.results.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParameterErrorHandlerTest {
    private String out;
    private String err;

    private int run(final String... args) {
        final StringWriter o = new StringWriter();
        final StringWriter e = new StringWriter();
        final CommandLine cl = ResultsMain.commandLine().setOut(new PrintWriter(o)).setErr(new PrintWriter(e));
        final int code = cl.execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    @Test
    void aBadOptionValueIsOneLineNamingTheCommandAndExitsTwo() {
        assertEquals(CompareCommand.EXIT_BAD_INPUT, run("compare", "a", "b", "--threshold", "abc"));
        assertEquals("electionbench compare: Invalid value for option '--threshold': 'abc' is not a double",
            err.strip());
        assertEquals(1, err.lines().count(), err);
        assertEquals("", out);
    }

    @Test
    void everyResultsCommandReportsParseErrorsTheSameWay() {
        final String[][] cases = {
            {"compare", "compare", "only-a"},
            {"compare", "compare", "a", "b", "--alpha"},
            {"continuous", "continuous", "HEAD", "HEAD", "--rounds", "ten"},
            {"report", "report", "--bogus"},
            {"import-jmh", "import-jmh"}};
        for (final String[] c : cases) {
            final String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            assertEquals(CompareCommand.EXIT_BAD_INPUT, run(args), String.join(" ", args));
            assertTrue(err.startsWith("electionbench " + c[0] + ": "), err);
            assertEquals(1, err.lines().count(), err);
        }
    }
}
