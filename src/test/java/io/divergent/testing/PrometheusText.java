package io.divergent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Parses Prometheus text exposition with the reference parser of the official Python client
 * ({@code prometheus_client.parser}, Debian's {@code python3-prometheus-client}, installed by
 * {@link DebianPackages} when missing): what a scraper would understand, not what our own code
 * thinks it wrote.
 */
public final class PrometheusText {

    private static final String PYTHON = "/usr/bin/python3";
    private static final Path PARSER = Path.of("/usr/lib/python3/dist-packages/prometheus_client/parser.py");
    private static final String SCRIPT = String.join("\n",
            "import json, sys",
            "from prometheus_client.parser import text_string_to_metric_families",
            "out = []",
            "for f in text_string_to_metric_families(sys.stdin.read()):",
            "    out.append({'name': f.name, 'type': f.type, 'help': f.documentation,",
            "                'samples': [{'name': s.name, 'labels': s.labels, 'value': repr(s.value)} for s in f.samples]})",
            "print(json.dumps(out))");

    private PrometheusText() {
    }

    /**
     * The metric families of a scrape, as the parser sees them: a JSON array of
     * {@code {name, type, help, samples: [{name, labels, value}]}}, values as Python's {@code repr}
     * of the float ({@code "0.25"}, {@code "nan"}, {@code "inf"}).
     *
     * @param text the scraped text
     * @return the families
     * @throws AssertionError if the parser rejects the text (its error is the message)
     */
    public static JsonNode parse(final String text) {
        DebianPackages.ensure(List.of(Path.of(PYTHON), PARSER), List.of("python3", "python3-prometheus-client"));
        try {
            final Process process = new ProcessBuilder(PYTHON, "-c", SCRIPT).start();
            process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().close();
            final byte[] out = process.getInputStream().readAllBytes();
            final String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError("prometheus_client.parser rejected the scrape: " + err);
            }
            return new ObjectMapper().readTree(out);
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
