package io.divergent.runtime;

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
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            code = new Demo(new Demo.Options(null, 4, Duration.ofSeconds(5), 200, out, false)).run();
        }
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(code).as(text).isZero();
        final List<String> rows = text.lines().filter(l -> l.contains("genres|country=")).toList();
        assertThat(rows).as(text).hasSize(8);
        // Every window holds all 200 events of its series: none was late.
        assertThat(rows).allSatisfy(r -> assertThat(r).contains(" 200 "));
        // DE drifts from the third window on (documentary appears): flagged; US never is critical.
        assertThat(rows.stream().filter(r -> r.contains("country=DE")).toList().get(3)).contains("js_distance");
        assertThat(rows.stream().filter(r -> r.contains("country=US"))).noneMatch(r -> r.contains("CRITICAL"));
        assertThat(text).contains("Done: 4 windows per series.").contains("run --config");
    }
}
