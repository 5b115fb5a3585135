package io.electionbench.core.scenario;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one scenario file: whether every expectation held, each expectation with what was
 * actually seen, notes (for example a command after which the ensemble did not settle), every
 * server's final state, and the virtual time the scenario covered.
 */
public record ScenarioResult(String file, String policy, long seed, long virtualNs, boolean passed,
    List<Expectation> expectations, List<String> notes, Map<Long, NodeSummary> finalState) {

    /** One checked line. */
    public record Expectation(int line, String text, boolean ok, String actual) {
    }

    /**
     * A server at the end: state (or DOWN), the leader it follows or is (-1 for none), epoch, zxid as
     * epoch:counter.
     */
    public record NodeSummary(String state, long leader, long epoch, String zxid) {
    }
}
