package io.divergent.docs;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every repository path the README and the docs cite (in backticks, as a link or in a command) and every
 * {@code docs/...} file the javadoc cites exists in a clone, so that a reader following them
 * finds what they point at.
 */
class CitedPathsTest {

    /**
     * A path under a directory of the repository: in backticks, a link target, or a word of a
     * command in a code block ({@code --file examples/...}).
     */
    private static final Pattern CITED = Pattern.compile(
            "(?:^|[\\s`(=])((?:docs|examples|schemas|src)/[A-Za-z0-9_./-]*[A-Za-z0-9_/])(?=[\\s`)#:,]|$)",
            Pattern.MULTILINE);
    private static final Pattern JAVADOC = Pattern.compile("\\bdocs/[A-Za-z0-9_./-]+\\.md\\b");

    private static List<String> cited(final Path file, final Pattern pattern) throws IOException {
        final List<String> paths = new ArrayList<>();
        final Matcher m = pattern.matcher(Files.readString(file));
        while (m.find()) {
            paths.add(m.groupCount() > 0 ? m.group(1) : m.group());
        }
        return paths;
    }

    private static List<String> missing(final List<String> paths) {
        return paths.stream().filter(p -> !Files.exists(Path.of(p))).toList();
    }

    @Test
    void pathsTheReadmeAndTheDocsCiteExist() throws IOException {
        final List<String> paths = new ArrayList<>();
        for (final Path doc : List.of(Path.of("README.md"), Path.of("docs/docker.md"))) {
            paths.addAll(cited(doc, CITED));
        }
        assertThat(paths).as("the README cites some paths").contains("docs/divergence.md",
                "examples/first-alert/plays-baseline.csv", "schemas/DivergenceEvent.avsc");
        assertThat(missing(paths)).as("cited but not in the repository").isEmpty();
    }

    @Test
    void docsTheJavadocCitesExist() throws IOException {
        final TreeSet<String> paths = new TreeSet<>();
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (final Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                paths.addAll(cited(source, JAVADOC));
            }
        }
        assertThat(paths).contains("docs/divergence.md");
        assertThat(missing(new ArrayList<>(paths))).isEmpty();
    }
}
