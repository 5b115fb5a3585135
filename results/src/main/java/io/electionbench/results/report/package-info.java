/** The self-contained HTML report: inline SVG plots generated here, no scripts, no network. */
package io.electionbench.results.report;
