package io.electionbench.benchmarks;

/**
 * JVM arguments every forked benchmark JVM needs, as compile-time constants for {@code @Fork}.
 * Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}; the flag must be given to each fork because
 * a jar manifest's {@code Add-Exports} only applies to {@code java -jar}.
 */
final class ForkJvm {
    static final String ADD_EXPORTS = "--add-exports";
    static final String JDK_INTERNAL_MISC = "java.base/jdk.internal.misc=ALL-UNNAMED";
    /** A fixed heap so that a resizing heap does not add noise between forks. */
    static final String HEAP_MIN = "-Xms1g";
    static final String HEAP_MAX = "-Xmx1g";

    private ForkJvm() {
    }
}
