package io.electionbench.loadgen.run;

/** A node as the load generator last saw it. */
public record NodeView(long sid, boolean isUp, String state, long leader, boolean isServing) {
}
