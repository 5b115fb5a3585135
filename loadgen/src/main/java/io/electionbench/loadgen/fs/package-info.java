/** File-system helpers the load generator's commands share; depends on nothing else of the load generator. */
package io.electionbench.loadgen.fs;
