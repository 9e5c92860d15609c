package io.divergent.local;

import io.divergent.testing.ShippedLogCapture;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's first command, shortened: its own broker, drifting traffic, a live table that shows the drift. */
class DemoIT {

    @Test
    void theDemoShowsEveryWindowOfBothSeriesAndFlagsTheDrift() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final int code;
        final Demo demo;
        final List<String> problems;
        final List<String> logged;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             ShippedLogCapture log = new ShippedLogCapture()) {
            demo = new Demo(new Demo.Options(null, 4, Duration.ofSeconds(5), 200, out, false, null, false));
            code = demo.run();
            problems = log.atLeast(Level.WARN);
            logged = log.all();
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);
        // The console shows the table and real problems only: with the shipped logging, a normal
        // run logs no WARN or ERROR, nor the topology or a line per reference record.
        assertThat(problems).as(String.join("\n", logged)).isEmpty();
        assertThat(logged).as(String.join("\n", logged)).noneMatch(l -> l.contains("Topology:") || l.contains("Reference of series"));
        // Nothing is left on disk: the Kafka Streams state directory is gone.
        assertThat(demo.stateDirectory()).isNotNull().doesNotExist();
        assertThat(code).as(text).isZero();
        final List<String> rows = text.lines().filter(l -> l.contains("genres|country=")).toList();
        assertThat(rows).as(text).hasSize(8);
        // Every window holds all 200 events of its series: none was late.
        assertThat(rows).allSatisfy(r -> assertThat(r).contains(" 200 "));
        // DE drifts from the third window on (documentary appears): flagged; US never is critical.
        assertThat(rows.stream().filter(r -> r.contains("country=DE")).toList().get(3)).contains("js_distance")
                .as("the drifting categories named, with how they moved").contains("documentary new");
        // Short rows: one line each, no KL column (infinite as soon as a category is new).
        assertThat(rows).allSatisfy(r -> assertThat(r.length()).isLessThanOrEqualTo(125));
        assertThat(text).doesNotContain("KL(P||Q)");
        assertThat(rows.stream().filter(r -> r.contains("country=US"))).noneMatch(r -> r.contains("CRITICAL"));
        assertThat(text).contains("Done: 4 windows per series.").contains("run --config");
    }
}
