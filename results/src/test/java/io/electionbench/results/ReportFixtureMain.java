package io.electionbench.results;

import java.io.IOException;
import java.nio.file.Path;

/** Writes the test fixture store for results/scripts/check-report.sh. */
public final class ReportFixtureMain {
    private ReportFixtureMain() {
    }

    /**
     * @param args the repository root to write results/runs under.
     * @throws IOException when writing fails.
     */
    public static void main(final String[] args) throws IOException {
        Fixtures.writeReportStore(Path.of(args[0]));
    }
}
