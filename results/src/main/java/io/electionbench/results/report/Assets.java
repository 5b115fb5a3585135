package io.electionbench.results.report;

import io.electionbench.results.ResultsException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The scripts and styles the page inlines, read from the classpath when the report is written so
 * the page needs no network: uPlot's from its WebJar ({@code org.webjars.npm:uplot}, the version
 * the build resolved, read from the jar's own pom.properties), the report's own from this package.
 *
 * @param uplotVersion the WebJar's version.
 * @param uplotJs      uPlot's minified IIFE build, which defines the global {@code uPlot}.
 * @param uplotCss     uPlot's stylesheet.
 * @param uplotLicense uPlot's MIT licence, which must accompany every copy.
 * @param reportJs     the page's script: draws each embedded plot.
 * @param reportCss    the page's stylesheet.
 */
record Assets(String uplotVersion, String uplotJs, String uplotCss, String uplotLicense, String reportJs,
    String reportCss) {
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final String UPLOT_ROOT = "META-INF/resources/webjars/uplot/";

    /**
     * @return the assets.
     * @throws ResultsException when uPlot's WebJar is not on the classpath.
     */
    static Assets load() {
        final Properties pom = new Properties();
        try (InputStream in = resource(UPLOT_POM)) {
            pom.load(in);
        } catch (final IOException ex) {
            throw new ResultsException("cannot read " + UPLOT_POM + ": " + ex.getMessage(), ex);
        }
        final String version = pom.getProperty("version");
        final String dir = UPLOT_ROOT + version + "/";
        return new Assets(version, text(dir + "dist/uPlot.iife.min.js"), text(dir + "dist/uPlot.min.css"),
            text(dir + "LICENSE"), text("io/electionbench/results/report/report.js"),
            text("io/electionbench/results/report/report.css"));
    }

    private static String text(final String name) {
        try (InputStream in = resource(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException ex) {
            throw new ResultsException("cannot read " + name + " from the classpath: " + ex.getMessage(), ex);
        }
    }

    private static InputStream resource(final String name) {
        final InputStream in = Assets.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new ResultsException(name + " is not on the classpath: the report needs uPlot's WebJar"
                + " (org.webjars.npm:uplot) and the results module's resources");
        }
        return in;
    }
}
