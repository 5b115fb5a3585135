/** electionbench results. */
package io.electionbench.results;
