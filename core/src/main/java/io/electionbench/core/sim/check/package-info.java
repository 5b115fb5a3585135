/**
 * The simulator's invariant checkers: the election's safety, leader completeness, recovery's safety
 * and the writes' safety, each fed by the simulator where the state it checks is entered, and the
 * violations they report. They read the ensemble through {@link io.electionbench.core.sim.check.ClusterView}
 * and never drive it. docs/architecture.md, "The simulator's packages".
 */
package io.electionbench.core.sim.check;
