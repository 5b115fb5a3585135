/**
 * Open-loop client writes during a cell's trials (docs/loadgen.md, "Writes"): the
 * {@link io.electionbench.loadgen.write.WriteDriver} each target hands out (on the simulator's virtual time,
 * over our write protocol, or through ZooKeeper's own client), the leader-following writer they share, the
 * schedule and ledger that correct for coordinated omission, and each trial's
 * {@link io.electionbench.loadgen.write.TrialWrites} with the check that no acknowledged write was lost. Nothing
 * here knows the targets; the targets in {@code io.electionbench.loadgen.run} build these drivers.
 */
package io.electionbench.loadgen.write;
