package io.divergent.math;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every measure of every case of {@code golden/divergence-cases.jsonl} (41 cases, reference
 * values computed at 60 significant digits, cross-checked with scipy where scipy is defined),
 * in bits and in nats. Tolerance: relative 1e-9, absolute 1e-15 near 0 (spec/divergence.md);
 * {@code "Infinity"} is +Infinity and must be exactly that.
 *
 * <p>Source: the system property {@code divergent.golden.dir} (set by surefire to the shared
 * folder), else the copy in {@code src/test/resources/golden} (see the README there).
 */
class DivergenceGoldenTest {

    private static final String FILE = "divergence-cases.jsonl";
    private static final double RELATIVE = 1e-9;
    private static final double ABSOLUTE = 1e-15;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Map<String, ToDoubleFunction<Divergence>> INFORMATION_MEASURES = new TreeMap<>(Map.of(
            "kl_pq", Divergence::klPq,
            "kl_qp", Divergence::klQp,
            "js_divergence", Divergence::jsDivergence,
            "js_distance", Divergence::jsDistance,
            "entropy_p", Divergence::entropyP,
            "entropy_q", Divergence::entropyQ,
            "cross_entropy_pq", Divergence::crossEntropyPq,
            "psi", Divergence::psi));

    private static final String L_INFINITY_FILE = "l-infinity-cases.jsonl";
    /** Case name to its golden l_infinity (classpath only: the shared file predates the measure). */
    private static final Map<String, JsonNode> L_INFINITY = loadLInfinity();

    static Stream<Arguments> cases() {
        return load().stream().map(c -> Arguments.of(Named.of(c.get("name").asText(), c)));
    }

    @Test
    void fileHoldsAll41Cases() {
        assertEquals(41, load().size(), "number of golden cases");
    }

    @Test
    void classpathCopyIsTheSharedFile() {
        final List<JsonNode> copy = load(null);
        assertEquals(41, copy.size(), "number of golden cases in src/test/resources/golden");
        final String dir = System.getProperty("divergent.golden.dir");
        if (dir != null && Files.isRegularFile(Path.of(dir, FILE))) {
            assertEquals(load(dir), copy, "src/test/resources/golden is out of date: copy " + dir + "/" + FILE);
        }
    }

    @ParameterizedTest(name = "{0} (bits)")
    @MethodSource("cases")
    void informationMeasuresInBits(final JsonNode golden) {
        checkInformationMeasures(golden, Unit.BITS);
    }

    @ParameterizedTest(name = "{0} (nats)")
    @MethodSource("cases")
    void informationMeasuresInNats(final JsonNode golden) {
        checkInformationMeasures(golden, Unit.NATS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void unitFreeMeasuresAndGTest(final JsonNode golden) {
        final String name = golden.get("name").asText();
        for (final Unit unit : Unit.values()) {
            final Divergence d = compute(golden, unit);
            final String where = name + " (" + unit.label() + ") ";
            final JsonNode g = golden.get("g_test");
            assertAll(
                    () -> assertClose(where + "n_p", golden.get("n_p"), d.observedTotal()),
                    () -> assertClose(where + "hellinger", golden.get("hellinger"), d.hellinger()),
                    () -> assertClose(where + "total_variation", golden.get("total_variation"), d.totalVariation()),
                    () -> assertClose(where + "g_test.statistic", g.get("statistic"), d.gStatistic()),
                    () -> assertEquals(g.get("df").asInt(), d.gDegreesOfFreedom(), where + "g_test.df"),
                    () -> assertClose(where + "g_test.p_value", g.get("p_value"), d.gPValue()),
                    () -> assertEquals(golden.get("nats").get("kl_pq").isTextual(), d.klInfinite(),
                            where + "kl_infinite"));
        }
    }

    private static void checkInformationMeasures(final JsonNode golden, final Unit unit) {
        final String name = golden.get("name").asText();
        final Divergence d = compute(golden, unit);
        final JsonNode expected = golden.get(unit.label());
        final List<Executable> checks = new ArrayList<>();
        final Iterator<String> fields = expected.fieldNames();
        while (fields.hasNext()) {
            final String measure = fields.next();
            final ToDoubleFunction<Divergence> getter = INFORMATION_MEASURES.get(measure);
            checks.add(() -> assertTrue(getter != null, name + ": golden measure '" + measure + "' is not checked"));
            if (getter != null) {
                // psi is in nats whatever the unit since issue 13: the golden bits.psi predates that.
                final JsonNode source = "psi".equals(measure) ? golden.get(Unit.NATS.label()) : expected;
                checks.add(() -> assertClose(name + " " + measure + " (" + unit.label() + ")",
                        source.get(measure), getter.applyAsDouble(d)));
            }
        }
        checks.add(() -> assertEquals(INFORMATION_MEASURES.keySet().size(), expected.size(),
                name + ": number of " + unit.label() + " measures"));
        assertAll(checks);
    }

    /**
     * psi is in nats in both units (issue 13): the expected value is the golden {@code nats.psi},
     * which must be the golden {@code bits.psi} times ln 2 (so that both columns of the shared
     * file say the same psi, only on different scales).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void psiIsTheGoldenBitsValueTimesLn2(final JsonNode golden) {
        final String name = golden.get("name").asText();
        final JsonNode nats = golden.get("nats").get("psi");
        final JsonNode bits = golden.get("bits").get("psi");
        if (bits.isTextual()) {
            assertClose(name + " nats.psi (bits.psi is Infinity)", bits, nats.asDouble());
        } else {
            assertClose(name + " bits.psi * ln 2", nats, bits.doubleValue() * Math.log(2));
        }
        assertEquals(compute(golden, Unit.NATS).psi(), compute(golden, Unit.BITS).psi(),
                name + ": psi depends on the unit");
    }

    /**
     * L-infinity (issue 13) for every golden case: {@code golden/l-infinity-cases.jsonl}, computed
     * from the same inputs in exact rational arithmetic by {@code golden/l_infinity.py} (Python
     * {@code fractions}, rounded once to a double); same tolerance as the other measures.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void lInfinity(final JsonNode golden) {
        final String name = golden.get("name").asText();
        final JsonNode expected = L_INFINITY.get(name);
        assertTrue(expected != null, name + ": no L-infinity value in " + L_INFINITY_FILE);
        for (final Unit unit : Unit.values()) {
            final Divergence d = compute(golden, unit);
            assertClose(name + " (" + unit.label() + ") l_infinity", expected, d.lInfinity());
            assertTrue(d.lInfinity() <= d.totalVariation(), name + ": l_infinity above total_variation");
        }
    }

    @Test
    void lInfinityFileCoversEveryCase() {
        assertEquals(load().stream().map(c -> c.get("name").asText()).collect(java.util.stream.Collectors.toSet()),
                L_INFINITY.keySet(), "cases of " + L_INFINITY_FILE);
    }

    private static Divergence compute(final JsonNode golden, final Unit unit) {
        return DivergenceCalculator.withDefaults()
                .withAlpha(golden.get("alpha").asDouble())
                .withUnit(unit)
                .compute(histogram(golden.get("p")), histogram(golden.get("q")));
    }

    private static Histogram histogram(final JsonNode weights) {
        final Histogram.Builder builder = Histogram.builder();
        weights.properties().forEach(e -> builder.add(e.getKey(), e.getValue().doubleValue()));
        return builder.build();
    }

    /** Relative 1e-9, absolute 1e-15 near 0; "Infinity" must be exactly +Infinity. Never NaN. */
    static void assertClose(final String what, final JsonNode expected, final double actual) {
        if (Double.isNaN(actual)) {
            fail(what + ": NaN, expected " + expected);
        }
        if (expected.isTextual()) {
            assertEquals("Infinity", expected.asText(), what + ": unexpected golden text");
            assertEquals(Double.POSITIVE_INFINITY, actual, what + ": expected +Infinity");
            return;
        }
        final double value = expected.doubleValue();
        final double tolerance = Math.max(RELATIVE * Math.abs(value), ABSOLUTE);
        if (!(Math.abs(actual - value) <= tolerance)) {
            fail(what + ": expected " + value + " but was " + actual + " (relative error "
                    + Math.abs(actual - value) / Math.abs(value) + ")");
        }
    }

    static List<JsonNode> load() {
        return load(System.getProperty("divergent.golden.dir"));
    }

    /** From {@code dir} when it holds the file, else from the classpath copy. */
    static List<JsonNode> load(final String dir) {
        try {
            if (dir != null && Files.isRegularFile(Path.of(dir, FILE))) {
                try (BufferedReader reader = Files.newBufferedReader(Path.of(dir, FILE), StandardCharsets.UTF_8)) {
                    return parse(reader);
                }
            }
            try (InputStream in = DivergenceGoldenTest.class.getResourceAsStream("/golden/" + FILE)) {
                if (in == null) {
                    throw new IllegalStateException("golden file found neither in " + dir + " nor on the classpath");
                }
                return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, JsonNode> loadLInfinity() {
        try (InputStream in = DivergenceGoldenTest.class.getResourceAsStream("/golden/" + L_INFINITY_FILE)) {
            if (in == null) {
                throw new IllegalStateException(L_INFINITY_FILE + " is not on the classpath");
            }
            final Map<String, JsonNode> values = new TreeMap<>();
            for (final JsonNode line : parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))) {
                values.put(line.get("name").asText(), line.get("l_infinity"));
            }
            return values;
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<JsonNode> parse(final BufferedReader reader) throws IOException {
        final List<JsonNode> cases = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            if (!line.isBlank()) {
                cases.add(JSON.readTree(line));
            }
        }
        return cases;
    }
}
