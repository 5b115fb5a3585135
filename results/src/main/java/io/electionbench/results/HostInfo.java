package io.electionbench.results;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The machine and JVM a run measured on. Two runs are comparable without a warning only when
 * {@link #differences(HostInfo)} is empty.
 *
 * @param cpuModel    CPU model name, e.g. from /proc/cpuinfo.
 * @param cores       logical processors available to the JVM.
 * @param memoryBytes physical memory, 0 when unknown.
 * @param os          os.name.
 * @param osVersion   os.version.
 * @param kernel      kernel release ({@code uname -r}; on Linux equal to os.version).
 * @param jvmVendor   java.vendor (or the JVM name for imported JMH runs).
 * @param jvmVersion  java.version.
 * @param jvmFlags    JVM input arguments.
 */
public record HostInfo(
    String cpuModel,
    int cores,
    long memoryBytes,
    String os,
    String osVersion,
    String kernel,
    String jvmVendor,
    String jvmVersion,
    List<String> jvmFlags) {
    /** Copies the flags and replaces null text by "unknown". */
    public HostInfo {
        cpuModel = orUnknown(cpuModel);
        os = orUnknown(os);
        osVersion = orUnknown(osVersion);
        kernel = orUnknown(kernel);
        jvmVendor = orUnknown(jvmVendor);
        jvmVersion = orUnknown(jvmVersion);
        jvmFlags = List.copyOf(jvmFlags == null ? List.of() : jvmFlags);
    }

    /**
     * Describes the current machine and JVM; never throws. Reads /proc/cpuinfo and /proc/meminfo
     * where they exist, falling back to the OperatingSystemMXBean and system properties.
     *
     * @return this host.
     */
    public static HostInfo detect() {
        final String osVersion = System.getProperty("os.version");
        return new HostInfo(
            detectCpuModel(),
            Runtime.getRuntime().availableProcessors(),
            detectMemoryBytes(),
            System.getProperty("os.name"),
            osVersion,
            detectKernel().orElse(osVersion),
            System.getProperty("java.vendor"),
            System.getProperty("java.version"),
            ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /**
     * @param jvmVendor  replacement vendor.
     * @param jvmVersion replacement version.
     * @param jvmFlags   replacement flags.
     * @return this host with another JVM, as when importing results a forked JVM produced.
     */
    public HostInfo withJvm(final String jvmVendor, final String jvmVersion, final List<String> jvmFlags) {
        return new HostInfo(cpuModel, cores, memoryBytes, os, osVersion, kernel, jvmVendor, jvmVersion, jvmFlags);
    }

    /**
     * @param other another host.
     * @return "field: this vs other" for each field that differs; empty when the machines match.
     */
    public List<String> differences(final HostInfo other) {
        final List<String> diffs = new ArrayList<>();
        diff(diffs, "cpu", cpuModel, other.cpuModel);
        diff(diffs, "cores", cores, other.cores);
        diff(diffs, "memory", memoryBytes, other.memoryBytes);
        diff(diffs, "os", os + " " + osVersion, other.os + " " + other.osVersion);
        diff(diffs, "kernel", kernel, other.kernel);
        diff(diffs, "jvm", jvmVendor + " " + jvmVersion, other.jvmVendor + " " + other.jvmVersion);
        diff(diffs, "jvm flags", String.join(" ", jvmFlags), String.join(" ", other.jvmFlags));
        return diffs;
    }

    /** @return a one-line description for reports. */
    public String describe() {
        return cpuModel + ", " + cores + " cores, " + (memoryBytes >> 20) + " MiB, " + os + " " + kernel
            + ", " + jvmVendor + " " + jvmVersion;
    }

    private static void diff(final List<String> out, final String name, final Object a, final Object b) {
        if (!Objects.equals(a, b)) {
            out.add(name + ": " + a + " vs " + b);
        }
    }

    private static String orUnknown(final String s) {
        return s == null || s.isBlank() ? GitInfo.UNKNOWN : s;
    }

    private static String detectCpuModel() {
        for (final String line : readLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("model name") && line.indexOf(':') > 0) {
                return line.substring(line.indexOf(':') + 1).trim();
            }
        }
        return System.getProperty("os.arch");
    }

    private static long detectMemoryBytes() {
        for (final String line : readLines(Path.of("/proc/meminfo"))) {
            if (line.startsWith("MemTotal:")) {
                final String[] parts = line.substring("MemTotal:".length()).trim().split("\\s+");
                try {
                    return Long.parseLong(parts[0]) * 1024L;
                } catch (final NumberFormatException ex) {
                    break;
                }
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0L;
    }

    /** The kernel release; on Linux /proc says it without starting a process. */
    private static Optional<String> detectKernel() {
        final List<String> lines = readLines(Path.of("/proc/sys/kernel/osrelease"));
        return lines.isEmpty() ? Optional.empty() : Optional.of(lines.get(0).trim());
    }

    private static List<String> readLines(final Path file) {
        try {
            return Files.isReadable(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (final IOException | RuntimeException ex) {
            return List.of();
        }
    }
}
