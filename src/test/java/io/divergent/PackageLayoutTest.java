package io.divergent;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package layout as rules on the sources: the topology knows serdes, not the registry
 * client behind them, and the production runtime knows nothing of the tooling built on it
 * (one-JVM local runs, the bench, the CLI). A source-text check: any mention of a forbidden
 * package outside a comment, in an import or fully qualified, breaks it.
 */
class PackageLayoutTest {

    private static final Path SOURCES = Path.of("src/main/java/io/divergent");
    private static final Pattern PACKAGE = Pattern.compile("\\bio\\.divergent\\.([a-z]+)\\b");

    /** {@code file:line: text} of every code line of {@code pkg}'s sources that names one of {@code forbidden}. */
    private static List<String> mentions(final String pkg, final List<String> forbidden) {
        final List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SOURCES.resolve(pkg))) {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                final List<String> lines = Files.readAllLines(file);
                for (int i = 0; i < lines.size(); i++) {
                    final String code = lines.get(i).strip();
                    if (code.startsWith("*") || code.startsWith("/*") || code.startsWith("//")) {
                        continue;
                    }
                    final Matcher m = PACKAGE.matcher(code);
                    while (m.find()) {
                        if (forbidden.contains(m.group(1))) {
                            found.add(file + ":" + (i + 1) + ": " + code);
                        }
                    }
                }
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    @Test
    void theTopologyDoesNotUseTheRegistryClientNorWhatRunsIt() {
        assertThat(mentions("topology", List.of("topology")))
                .as("the check sees fully qualified names (the topology's own classes)").isNotEmpty();
        assertThat(mentions("topology", List.of("registry", "runtime", "local", "bench", "cli", "reference")))
                .as("registry failures reach the topology as the serde layer's exceptions").isEmpty();
    }

    @Test
    void theProductionRuntimeDoesNotUseTheTooling() {
        assertThat(mentions("runtime", List.of("local", "bench", "cli", "reference"))).isEmpty();
    }
}
