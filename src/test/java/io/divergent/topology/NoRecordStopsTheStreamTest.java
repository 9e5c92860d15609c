package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random bytes and random JSON (deep, wide, huge numbers and strings, odd encodings, bad
 * timestamps) through the production topology: no record stops it, and every record is, for each
 * monitor, either counted once or dead-lettered once (a record rejected as a whole counts as
 * dead for every monitor).
 */
class NoRecordStopsTheStreamTest {

    private static final long S = 1_000;

    @Property(tries = 20)
    void everyRecordIsCountedOrDeadLetteredAndTheStreamGoesOn(@ForAll("inputs") final List<Tuple.Tuple2<Long, byte[]>> records) {
        final Map<String, String> keys = TopologyHarness.jsonMonitor("genres", "genre",
                "monitor.genres.segment.fields", "country");
        keys.putAll(TopologyHarness.jsonMonitor("devices", "device", "monitor.devices.timestamp.field", "ts"));
        try (TopologyHarness t = new TopologyHarness(keys)) {
            for (final Tuple.Tuple2<Long, byte[]> record : records) {
                t.raw("plays", record.get1(), record.get2());
            }
            // closes every window of the inputs (their times are below 1,000 s; window 60 s, no grace),
            // less than max.future (1 h) ahead of any stream time they set
            t.json(2_000 * S, "{\"genre\":\"closer\",\"device\":\"closer\",\"ts\":" + 2_000 * S + "}");

            final Map<String, Long> counted = new HashMap<>();
            for (final DivergenceEvent event : t.events()) {
                counted.merge(event.getMonitor(), event.getObservedTotal(), Long::sum);
            }
            final Map<String, Long> dead = new HashMap<>();
            for (final TestRecord<byte[], byte[]> letter : t.deadLetters()) {
                final String monitor = TopologyHarness.header(letter, DeadLetter.MONITOR);
                for (final String m : monitor == null ? List.of("genres", "devices") : List.of(monitor)) {
                    dead.merge(m, 1L, Long::sum);
                }
                assertThat(letter.value() == null ? 0 : letter.value().length).isLessThanOrEqualTo(DeadLetter.budget(Map.of()));
            }
            for (final String monitor : List.of("genres", "devices")) {
                assertThat(counted.getOrDefault(monitor, 0L) + dead.getOrDefault(monitor, 0L))
                        .as("records of monitor %s counted %s + dead-lettered %s", monitor, counted.get(monitor), dead.get(monitor))
                        .isEqualTo(records.size());
            }
        }
    }

    @Provide
    Arbitrary<List<Tuple.Tuple2<Long, byte[]>>> inputs() {
        final Arbitrary<Long> time = Arbitraries.longs().between(0, 999 * S);
        final Arbitrary<byte[]> value = Arbitraries.frequencyOf(
                Tuple.of(3, randomBytes()),
                Tuple.of(6, jsonEvent().map(NoRecordStopsTheStreamTest::utf8)),
                Tuple.of(2, jsonEvent().map(text -> text.getBytes(StandardCharsets.UTF_16))),
                Tuple.of(2, jsonEvent().map(text -> text + " trailing").map(NoRecordStopsTheStreamTest::utf8)),
                Tuple.of(1, Arbitraries.integers().between(990, 1_100).map(depth -> utf8("[".repeat(depth) + "]".repeat(depth)))),
                Tuple.of(1, Arbitraries.integers().between(990, 1_100)
                        .map(n -> utf8("{\"genre\":\"a\",\"device\":\"b\",\"ts\":1,\"n\":" + "7".repeat(n) + "}"))),
                Tuple.of(1, Arbitraries.just((byte[]) null)));
        return Combinators.combine(time, value).as(Tuple::of).list().ofMinSize(1).ofMaxSize(40);
    }

    private static Arbitrary<byte[]> randomBytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    /** A JSON object with a genre, a country, a device and a ts, each of which may be odd or missing. */
    private static Arbitrary<String> jsonEvent() {
        final Arbitrary<String> category = Arbitraries.oneOf(
                Arbitraries.of("\"drama\"", "\"comedy\"", "\"\"", "null", "7", "1.5", "true", "[1,2]", "{\"a\":1}",
                        "1e999", "\"\\u0000\"", "\"\\ud800\"", "123456789012345678901234567890"),
                Arbitraries.strings().ofMaxLength(20).map(NoRecordStopsTheStreamTest::quoted),
                Arbitraries.integers().between(990, 1_500).map(n -> quoted("x".repeat(n))));
        final Arbitrary<String> ts = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 999 * S).map(String::valueOf),
                Arbitraries.of("-5", "1.5", "\"yesterday\"", "18446744073709556616", "9223372036854775807", "null", "[]",
                        "\"1970-01-01T00:00:02Z\"", "\"+1000000000-01-01T00:00:00Z\"", "1e3"));
        final Arbitrary<String> field = Arbitraries.oneOf(category.map(c -> ":" + c), Arbitraries.just(null));
        return Arbitraries.of("genre", "country", "device").list().uniqueElements().ofMinSize(0).ofMaxSize(3)
                .flatMap(names -> Arbitraries.oneOf(field, field).list().ofSize(names.size())
                        .flatMap(values -> ts.map(t -> {
                            final StringBuilder json = new StringBuilder("{");
                            for (int i = 0; i < names.size(); i++) {
                                if (values.get(i) != null) {
                                    json.append('"').append(names.get(i)).append('"').append(values.get(i)).append(',');
                                }
                            }
                            return json.append("\"ts\":").append(t).append('}').toString();
                        })));
    }

    private static String quoted(final String text) {
        final StringBuilder out = new StringBuilder("\"");
        for (final char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static byte[] utf8(final String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
