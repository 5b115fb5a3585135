/**
 * Stand-ins for a node's collaborators, for the simulator, tests and benchmarks that drive agents
 * by hand: state kept in memory, a publisher that sends nowhere. The protocol packages never depend
 * on them (nor on anything under {@code io.electionbench.core.sim}).
 */
package io.electionbench.core.sim.doubles;
