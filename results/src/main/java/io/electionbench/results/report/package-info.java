/**
 * The HTML report: one page with uPlot and the plot data inlined, so it opens offline; the page's
 * script draws each plot from the embedded data (see {@link io.electionbench.results.report.HtmlReport}).
 */
package io.electionbench.results.report;
