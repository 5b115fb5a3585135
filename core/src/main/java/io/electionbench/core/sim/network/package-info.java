/**
 * The simulated network: links that keep the publisher contract (a closed or full link refuses a
 * send, a full quorum link is not writable), a network model of latency, loss, duplication and
 * reordering, partitions, and the event queue of typed deliveries on virtual time. It knows the
 * servers only as {@link io.electionbench.core.sim.network.Endpoints}. docs/architecture.md, "The
 * simulator's packages" and "The simulator's link model".
 */
package io.electionbench.core.sim.network;
