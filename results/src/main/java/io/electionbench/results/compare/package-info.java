/**
 * Pools runs, compares them cell by cell with medians, confidence intervals and Mann-Whitney U, and judges
 * regressions.
 */
package io.electionbench.results.compare;
