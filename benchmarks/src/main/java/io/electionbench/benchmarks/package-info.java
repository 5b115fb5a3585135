/** electionbench benchmarks. */
package io.electionbench.benchmarks;
