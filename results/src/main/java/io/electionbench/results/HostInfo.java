package io.electionbench.results;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The machine and JVM a run measured on. Two runs are comparable without a warning only when
 * {@link #differences(HostInfo)} is empty, and {@code compare} gives verdicts only when
 * {@link #machineDifferences(HostInfo)} is (same CPU model, cores and memory).
 *
 * @param cpuModel    CPU model name, e.g. from /proc/cpuinfo.
 * @param cores       logical processors available to the JVM.
 * @param memoryBytes physical memory, 0 when unknown.
 * @param os          os.name.
 * @param osVersion   os.version.
 * @param kernel      kernel release ({@code uname -r}; on Linux equal to os.version).
 * @param jvmVendor   java.vendor, e.g. "Eclipse Adoptium"; "unknown" when not known.
 * @param jvmName     java.vm.name, e.g. "OpenJDK 64-Bit Server VM" (JMH's vmName).
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
    String jvmName,
    String jvmVersion,
    List<String> jvmFlags) {
    private static final double GIB = 1024.0 * 1024.0 * 1024.0;

    /** Copies the flags and replaces null text by "unknown". */
    public HostInfo {
        cpuModel = orUnknown(cpuModel);
        os = orUnknown(os);
        osVersion = orUnknown(osVersion);
        kernel = orUnknown(kernel);
        jvmVendor = orUnknown(jvmVendor);
        jvmName = orUnknown(jvmName);
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
            System.getProperty("java.vm.name"),
            System.getProperty("java.version"),
            ManagementFactory.getRuntimeMXBean().getInputArguments());
    }

    /**
     * @param jvmVendor  replacement vendor.
     * @param jvmName    replacement VM name.
     * @param jvmVersion replacement version.
     * @param jvmFlags   replacement flags.
     * @return this host with another JVM, as when importing results a forked JVM produced.
     */
    public HostInfo withJvm(final String jvmVendor, final String jvmName, final String jvmVersion,
        final List<String> jvmFlags) {
        return new HostInfo(cpuModel, cores, memoryBytes, os, osVersion, kernel, jvmVendor, jvmName, jvmVersion,
            jvmFlags);
    }

    /**
     * The JVM vendor and VM name count only when both hosts know them: JMH does not record the
     * vendor, and files written before the VM name was recorded lack it. Vendors that differ only in
     * case, spacing, punctuation or a company suffix ("Eclipse Adoptium", "eclipse-adoptium",
     * "Oracle Corporation", "Oracle Corp.") are the same vendor.
     *
     * @param other another host.
     * @return "field: this vs other" for each field that differs; empty when the machines match.
     */
    public List<String> differences(final HostInfo other) {
        final List<String> diffs = new ArrayList<>(machineDifferences(other));
        diff(diffs, "os", os + " " + osVersion, other.os + " " + other.osVersion);
        diff(diffs, "kernel", kernel, other.kernel);
        if (!isSameJvm(other)) {
            diffs.add("jvm: " + describeJvm() + " vs " + other.describeJvm());
        }
        diff(diffs, "jvm flags", String.join(" ", jvmFlags), String.join(" ", other.jvmFlags));
        return diffs;
    }

    /**
     * The machine itself: CPU model (compared ignoring case and runs of spaces), cores, and memory
     * to the nearest GiB (the kernel's MemTotal moves by a few MiB between kernel versions). A
     * difference here means the runs measured different hardware, so {@code compare} refuses to
     * judge them.
     *
     * @param other another host.
     * @return "field: this vs other" for each machine field that differs.
     */
    public List<String> machineDifferences(final HostInfo other) {
        final List<String> diffs = new ArrayList<>();
        if (!normalCpu(cpuModel).equals(normalCpu(other.cpuModel))) {
            diffs.add("cpu: " + cpuModel + " vs " + other.cpuModel);
        }
        diff(diffs, "cores", cores, other.cores);
        if (Math.round(memoryBytes / GIB) != Math.round(other.memoryBytes / GIB)) {
            diffs.add("memory: " + memoryBytes + " vs " + other.memoryBytes);
        }
        return diffs;
    }

    /**
     * @param other another host.
     * @return true when nothing but JVM flags tells the two apart: the same machine, OS and JVM,
     *         where an unknown vendor or VM name matches any.
     */
    public boolean isSameHost(final HostInfo other) {
        return machineDifferences(other).isEmpty() && (os + " " + osVersion).equals(other.os + " " + other.osVersion)
            && kernel.equals(other.kernel) && isSameJvm(other);
    }

    /**
     * @param other the same host (see {@link #isSameHost}) as another run recorded it.
     * @return this host with the vendor and VM name filled in from {@code other} where this one
     *         does not know them.
     */
    public HostInfo filledFrom(final HostInfo other) {
        return withJvm(GitInfo.UNKNOWN.equals(jvmVendor) ? other.jvmVendor : jvmVendor,
            GitInfo.UNKNOWN.equals(jvmName) ? other.jvmName : jvmName, jvmVersion, jvmFlags);
    }

    private boolean isSameJvm(final HostInfo other) {
        return isSameIfKnown(normalVendor(jvmVendor), normalVendor(other.jvmVendor))
            && isSameIfKnown(jvmName, other.jvmName) && jvmVersion.equals(other.jvmVersion);
    }

    /** "Oracle Corporation" and "oracle corp." both become "oracle"; "unknown" stays. */
    static String normalVendor(final String vendor) {
        if (GitInfo.UNKNOWN.equals(vendor)) {
            return vendor;
        }
        final String letters = vendor.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", " ").trim();
        return letters.replaceAll("( (corporation|corp|inc|incorporated|ltd|limited|llc|gmbh|co))+$", "")
            .replace(" ", "");
    }

    private static String normalCpu(final String cpu) {
        return cpu.toLowerCase(Locale.ROOT).replaceAll("\\s+", " ").trim();
    }

    /** @return a one-line description for reports. */
    public String describe() {
        return cpuModel + ", " + cores + " cores, " + (memoryBytes >> 20) + " MiB, " + os + " " + kernel + ", "
            + describeJvm();
    }

    /** "Eclipse Adoptium 17.0.15 (OpenJDK 64-Bit Server VM)", leaving out what is unknown. */
    private String describeJvm() {
        return (GitInfo.UNKNOWN.equals(jvmVendor) ? "" : jvmVendor + " ") + jvmVersion
            + (GitInfo.UNKNOWN.equals(jvmName) ? "" : " (" + jvmName + ")");
    }

    private static boolean isSameIfKnown(final String a, final String b) {
        return a.equals(b) || GitInfo.UNKNOWN.equals(a) || GitInfo.UNKNOWN.equals(b);
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
