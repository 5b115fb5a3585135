/** picocli commands of the results module: compare, report and import-jmh. */
package io.electionbench.results.cli;
