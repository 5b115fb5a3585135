/** electionbench transport. */
package io.electionbench.transport;
