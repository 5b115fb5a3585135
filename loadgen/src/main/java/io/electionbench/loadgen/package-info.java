/** electionbench loadgen. */
package io.electionbench.loadgen;
