/** The election core: vote order, quorum rules, the election agent, the simulator and scenarios. */
package io.electionbench.core;
