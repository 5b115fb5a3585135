/**
 * Faults for the simulator: the kinds a randomized run may inject ({@link io.electionbench.core.sim.fault.Fault})
 * and the seeded schedule that draws them ({@link io.electionbench.core.sim.fault.RandomFaults}): the
 * network a run gets, its crashes and restarts, its partitions and heals. docs/architecture.md,
 * "The simulator's packages".
 */
package io.electionbench.core.sim.fault;
