package io.divergent.view;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The uPlot charting library, vendored as the {@code org.webjars.npm:uplot} jar (no CDN: the page
 * and the replay report work offline): its script and stylesheet, read from the classpath.
 */
public final class UPlot {

    private static final String ROOT = "/META-INF/resources/webjars/uplot/";

    private UPlot() {
    }

    /** The minified script (defines the global {@code uPlot}). */
    public static String js() {
        return read("dist/uPlot.iife.min.js");
    }

    /** The stylesheet. */
    public static String css() {
        return read("dist/uPlot.min.css");
    }

    private static String read(final String file) {
        final String path = ROOT + version() + "/" + file;
        try (InputStream in = UPlot.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar is not on the classpath: " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The webjar's version, from its Maven metadata, so the pom alone pins it. */
    private static String version() {
        try (InputStream in = UPlot.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the uPlot webjar is not on the classpath");
            }
            final Properties props = new Properties();
            props.load(in);
            return props.getProperty("version");
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
