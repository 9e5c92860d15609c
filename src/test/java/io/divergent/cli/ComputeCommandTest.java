package io.divergent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.Histogram;
import io.divergent.math.Unit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

class ComputeCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] MOVIES = {
        "compute", "--observed", "action=40,comedy=30,drama=20,horror=10",
        "--reference", "action=3,comedy=4,drama=2,horror=1"};
    private static final Histogram MOVIES_P = Histogram.builder()
            .add("action", 40).add("comedy", 30).add("drama", 20).add("horror", 10).build();
    private static final Histogram MOVIES_Q = Histogram.builder()
            .add("action", 3).add("comedy", 4).add("drama", 2).add("horror", 1).build();

    @TempDir
    Path dir;

    /** What one run printed and returned. */
    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    static Run run(final String... args) {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        final int exitCode = commandLine.execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static String[] with(final String[] base, final String... more) {
        return Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
    }

    @Test
    void tablePrintsEveryMeasureWithItsUnit() {
        final Run run = run(MOVIES);
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        // Values from the worked example: KL = 0.1 log2(4/3) = 0.04150374993 bits; G = 200 * 0.1 ln(4/3).
        assertThat(run.out())
                .contains("N_P = 100", "N_Q = 10", "K = 4 categories", "alpha = 0")
                .containsPattern("(?m)^measure +value +unit$")
                .containsPattern("(?m)^kl_pq +0\\.04150374993 +bits$")
                .containsPattern("(?m)^kl_qp +0\\.04150374993 +bits$")
                .containsPattern("(?m)^js_divergence +0\\.01034030478 +bits$")
                .containsPattern("(?m)^js_distance +0\\.1016872892 +bits$")
                .containsPattern("(?m)^entropy_p +1\\.846439345 +bits$")
                .containsPattern("(?m)^cross_entropy_pq +1\\.887943095 +bits$")
                // PSI in nats whatever the unit (issue 13): 0.2 ln(4/3), no longer 0.2 log2(4/3).
                .containsPattern("(?m)^psi +0\\.05753641449 +nats$")
                .containsPattern("(?m)^hellinger +0\\.08473297453 +-$")
                .containsPattern("(?m)^total_variation +0\\.1 +-$")
                .containsPattern("(?m)^g_test statistic +5\\.753641449 +-$")
                .containsPattern("(?m)^g_test df +3 +-$")
                .containsPattern("(?m)^g_test p_value +0\\.1242310188 +-$")
                .containsPattern("(?m)^unseen_mass +0 +fraction of P$")
                .containsPattern("(?m)^missing_mass +0 +fraction of Q$")
                // action and comedy each move by 0.1.
                .containsPattern("(?m)^l_infinity +0\\.1 +-$")
                .doesNotContain("KL infinite");
        // Contributors, by JS term: action and comedy tie at (0.4 log2(0.8/0.7) + 0.3 log2(0.6/0.7)) / 2
        // = 0.005170152388 (so by name), then the unchanged ties at 0. KL terms: action 0.4 log2(4/3) =
        // 0.1660149997, comedy 0.3 log2(3/4) = -0.1245112498.
        assertThat(run.out())
                .containsPattern("(?m)^category +p +q +term +js_term +direction$")
                .containsPattern("(?s)action +0\\.4 +0\\.3 +0\\.1660149997 +0\\.005170152388 +grew\\n"
                        + "comedy +0\\.3 +0\\.4 +-0\\.1245112498 +0\\.005170152388 +shrank\\n"
                        + "drama +0\\.2 +0\\.2 +0 +0 +unchanged\\nhorror +0\\.1 +0\\.1 +0 +0 +unchanged\\n");
    }

    @Test
    void tableColumnsAreAligned() {
        final List<String> measureLines = run(MOVIES).out().lines()
                .filter(l -> l.matches("^(kl_|js_|entropy_|cross_|psi|hellinger|total_|g_test|l_infinity).*")).toList();
        assertThat(measureLines).hasSize(14);
        // Values are right-aligned: every value ends in the same column.
        final int end = measureLines.get(0).stripTrailing().lastIndexOf("bits") - 2;
        for (final String line : measureLines) {
            assertThat(line.charAt(end - 1)).as(line).isNotEqualTo(' ');
            assertThat(line.charAt(end)).as(line).isEqualTo(' ');
        }
    }

    @Test
    void tableSaysWhenKlIsInfinite() {
        final Run run = run("compute", "--observed", "a=3,b=1", "--reference", "a=1", "--top", "1");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out())
                .containsPattern("(?m)^kl_pq +Infinity +bits$")
                .containsPattern("(?m)^g_test p_value +0 +-$")
                .containsPattern("(?m)^unseen_mass +0\\.25 +fraction of P$")
                .contains("KL infinite: P has mass on categories where Q has none (unseen mass 0.25)")
                // b: new, JS term (1/4 log2 2) / 2 = 1/8 bit.
                .containsPattern("(?m)^b +0\\.25 +0 +Infinity +0\\.125 +new$")
                .doesNotContainPattern("(?m)^a +0\\.75");
    }

    @Test
    void jsonHoldsEveryMeasureUnderItsSpecName() throws IOException {
        final Run run = run(with(MOVIES, "--json"));
        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out().lines()).hasSize(1);
        final JsonNode json = JSON.readTree(run.out());
        final List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("kl_pq", "kl_qp", "js_divergence", "js_distance", "entropy_p", "entropy_q",
                "cross_entropy_pq", "psi", "hellinger", "total_variation", "g_test", "unit", "alpha", "categories",
                "observed_total", "reference_total", "kl_infinite", "unseen_mass", "missing_mass", "top_contributors",
                "l_infinity");

        // The JSON numbers are the calculator's doubles, exactly.
        final Divergence d = DivergenceCalculator.withDefaults().compute(MOVIES_P, MOVIES_Q);
        assertThat(json.get("kl_pq").doubleValue()).isEqualTo(d.klPq());
        assertThat(json.get("kl_qp").doubleValue()).isEqualTo(d.klQp());
        assertThat(json.get("js_divergence").doubleValue()).isEqualTo(d.jsDivergence());
        assertThat(json.get("js_distance").doubleValue()).isEqualTo(d.jsDistance());
        assertThat(json.get("entropy_p").doubleValue()).isEqualTo(d.entropyP());
        assertThat(json.get("entropy_q").doubleValue()).isEqualTo(d.entropyQ());
        assertThat(json.get("cross_entropy_pq").doubleValue()).isEqualTo(d.crossEntropyPq());
        assertThat(json.get("psi").doubleValue()).isEqualTo(d.psi());
        assertThat(json.get("hellinger").doubleValue()).isEqualTo(d.hellinger());
        assertThat(json.get("total_variation").doubleValue()).isEqualTo(d.totalVariation());
        assertThat(json.get("l_infinity").doubleValue()).isEqualTo(d.lInfinity());
        assertThat(json.get("g_test").get("statistic").doubleValue()).isEqualTo(d.gStatistic());
        assertThat(json.get("g_test").get("df").intValue()).isEqualTo(3);
        assertThat(json.get("g_test").get("p_value").doubleValue()).isEqualTo(d.gPValue());
        assertThat(json.get("unit").textValue()).isEqualTo("bits");
        assertThat(json.get("alpha").doubleValue()).isZero();
        assertThat(json.get("categories").intValue()).isEqualTo(4);
        assertThat(json.get("observed_total").doubleValue()).isEqualTo(100.0);
        assertThat(json.get("reference_total").doubleValue()).isEqualTo(10.0);
        assertThat(json.get("kl_infinite").booleanValue()).isFalse();
        assertThat(json.get("unseen_mass").doubleValue()).isZero();
        assertThat(json.get("missing_mass").doubleValue()).isZero();
        // And they are the worked example: KL = 0.1 log2(4/3) bits.
        assertThat(json.get("kl_pq").doubleValue()).isCloseTo(0.1 * Math.log(4.0 / 3) / Math.log(2), within());

        final JsonNode top = json.get("top_contributors");
        assertThat(top).hasSize(4);
        assertThat(top.get(0).get("category").textValue()).isEqualTo("action");
        assertThat(top.get(0).get("p").doubleValue()).isEqualTo(0.4);
        assertThat(top.get(0).get("q").doubleValue()).isEqualTo(0.3);
        assertThat(top.get(0).get("term").doubleValue()).isEqualTo(d.topContributors().get(0).term());
        assertThat(top.get(0).get("js_term").doubleValue()).isEqualTo(d.topContributors().get(0).jsTerm());
        assertThat(top.get(0).get("direction").textValue()).isEqualTo("grew");
        final List<String> itemKeys = new ArrayList<>();
        top.get(0).fieldNames().forEachRemaining(itemKeys::add);
        assertThat(itemKeys).containsExactly("category", "p", "q", "term", "js_term", "direction");
        assertThat(top.get(1).get("category").textValue()).isEqualTo("comedy");
    }

    @Test
    void jsonWritesInfinityAsAString() throws IOException {
        final Run run = run("compute", "--observed", "a=1", "--reference", "b=1", "--json", "--unit", "nats");
        assertThat(run.exitCode()).isZero();
        final JsonNode json = JSON.readTree(run.out());
        for (final String field : new String[] {"kl_pq", "kl_qp", "cross_entropy_pq", "psi"}) {
            assertThat(json.get(field).textValue()).as(field).isEqualTo("Infinity");
        }
        assertThat(json.get("g_test").get("statistic").textValue()).isEqualTo("Infinity");
        assertThat(json.get("g_test").get("p_value").doubleValue()).isZero();
        assertThat(json.get("js_divergence").doubleValue()).isEqualTo(Math.log(2));
        assertThat(json.get("kl_infinite").booleanValue()).isTrue();
        assertThat(json.get("unseen_mass").doubleValue()).isEqualTo(1.0);
        assertThat(json.get("missing_mass").doubleValue()).isEqualTo(1.0);
        assertThat(json.get("unit").textValue()).isEqualTo("nats");
        assertThat(json.get("top_contributors").get(0).get("term").textValue()).isEqualTo("Infinity");
    }

    @Test
    void histogramsFromJsonFilesWithOptions() throws IOException {
        final Path observed = Files.writeString(dir.resolve("p.json"),
                "{\"action\": 40, \"comedy\": 30.0, \"drama\": 20, \"horror\": 10}", StandardCharsets.UTF_8);
        final Path reference = Files.writeString(dir.resolve("q.json"),
                "{\"action\": 0.3, \"comedy\": 0.4, \"drama\": 0.2, \"horror\": 0.1, \"western\": 0}", StandardCharsets.UTF_8);
        final Run run = run("compute", "--observed-file", observed.toString(), "--reference-file", reference.toString(),
                "--unit", "nats", "--alpha", "0.5", "--top", "2", "--json");
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        final JsonNode json = JSON.readTree(run.out());
        final Divergence expected = DivergenceCalculator.withDefaults().withUnit(Unit.NATS).withAlpha(0.5)
                .withTopContributors(2)
                .compute(MOVIES_P, Histogram.builder().add("action", 0.3).add("comedy", 0.4).add("drama", 0.2)
                        .add("horror", 0.1).add("western", 0).build());
        assertThat(json.get("kl_pq").doubleValue()).isEqualTo(expected.klPq());
        assertThat(json.get("categories").intValue()).isEqualTo(5);
        assertThat(json.get("alpha").doubleValue()).isEqualTo(0.5);
        assertThat(json.get("unit").textValue()).isEqualTo("nats");
        assertThat(json.get("top_contributors")).hasSize(2);
        assertThat(json.get("g_test").get("df").intValue()).isEqualTo(4);
    }

    @Test
    void inlineAndFileCanBeMixedAndUnitIsCaseInsensitive() throws IOException {
        final Path reference = Files.writeString(dir.resolve("q.json"), "{\"a\": 1, \"b\": 1}", StandardCharsets.UTF_8);
        final Run run = run("compute", "--observed=a=1, b=1", "--reference-file", reference.toString(), "--unit", "BITS");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).containsPattern("(?m)^kl_pq +0 +bits$").containsPattern("(?m)^entropy_p +1 +bits$");
    }

    @Test
    void helpExitsZero() {
        final Run run = run("compute", "--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--observed", "--reference-file", "--alpha", "--unit", "--top", "--json");
    }

    static Stream<Arguments> badInput() {
        final String[] obs = {"--observed", "a=1,b=2"};
        final String[] ref = {"--reference", "a=2,b=1"};
        return Stream.of(
                bad("negative weight", "error: --observed: weight of 'drama' is negative (-2)",
                        "--observed", "action=40,drama=-2", ref[0], ref[1]),
                bad("pair without =", "error: --observed: 'action40' is not CATEGORY=WEIGHT",
                        "--observed", "action40", ref[0], ref[1]),
                bad("empty category", "error: --observed: '=3' has an empty category name",
                        "--observed", "=3", ref[0], ref[1]),
                bad("non-numeric weight", "error: --reference: weight of 'b' is not a number ('x')",
                        obs[0], obs[1], "--reference", "a=1,b=x"),
                bad("NaN weight", "error: --observed: weight of 'a' is not a number ('NaN')",
                        "--observed", "a=NaN", ref[0], ref[1]),
                bad("empty entry", "error: --observed: empty entry in 'a=1,,b=2': expected CATEGORY=WEIGHT[,CATEGORY=WEIGHT...]",
                        "--observed", "a=1,,b=2", ref[0], ref[1]),
                bad("nothing given", "error: --observed: no CATEGORY=WEIGHT pairs given",
                        "--observed", "", ref[0], ref[1]),
                bad("repeated category", "error: --reference: category 'a' is given twice",
                        obs[0], obs[1], "--reference", "a=1,a=2"),
                bad("empty observed histogram", "error: observed histogram has total weight 0: its distribution is"
                        + " undefined (give it weight or smooth with alpha > 0)", "--observed", "a=0", ref[0], ref[1]),
                bad("empty reference histogram", "error: reference histogram has total weight 0: its distribution is"
                        + " undefined (give it weight or smooth with alpha > 0)", obs[0], obs[1], "--reference", "b=0"),
                bad("unknown option", "error: Unknown option: '--bogus'", obs[0], obs[1], ref[0], ref[1], "--bogus"),
                bad("extra argument", "error: Unmatched argument at index 5: 'extra'", obs[0], obs[1], ref[0], ref[1], "extra"),
                bad("missing reference", "error: Missing required argument (specify one of these):"
                        + " (--reference=CAT=W[,CAT=W...] | --reference-file=FILE)", obs[0], obs[1]),
                bad("missing observed", "error: Missing required argument (specify one of these):"
                        + " (--observed=CAT=W[,CAT=W...] | --observed-file=FILE)", ref[0], ref[1]),
                bad("both observed sources", "error: --observed=CAT=W[,CAT=W...], --observed-file=FILE are mutually"
                        + " exclusive (specify only one)", obs[0], obs[1], "--observed-file", "p.json", ref[0], ref[1]),
                bad("non-numeric alpha", "error: Invalid value for option '--alpha': 'abc' is not a number",
                        obs[0], obs[1], ref[0], ref[1], "--alpha", "abc"),
                bad("negative alpha", "error: Invalid value for option '--alpha': '-1' must be finite and >= 0",
                        obs[0], obs[1], ref[0], ref[1], "--alpha", "-1"),
                bad("alpha without value", "error: Missing required parameter for option '--alpha' (A)",
                        obs[0], obs[1], ref[0], ref[1], "--alpha"),
                bad("unknown unit", "error: Invalid value for option '--unit': unknown unit 'furlongs':"
                        + " allowed are bits, nats", obs[0], obs[1], ref[0], ref[1], "--unit", "furlongs"),
                bad("negative top", "error: Invalid value for option '--top': '-3' must be >= 0",
                        obs[0], obs[1], ref[0], ref[1], "--top", "-3"),
                bad("non-numeric top", "error: Invalid value for option '--top': 'many' is not a whole number",
                        obs[0], obs[1], ref[0], ref[1], "--top", "many"));
    }

    private static Arguments bad(final String name, final String expectedError, final String... args) {
        return Arguments.of(name, with(new String[] {"compute"}, args), expectedError);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInput")
    void badInputIsOneErrorLineAndExitCode2(final String name, final String[] args, final String expectedError) {
        final Run run = run(args);
        assertThat(run.errLines()).as(name).containsExactly(expectedError);
        assertThat(run.exitCode()).as(name).isEqualTo(2);
        assertThat(run.out()).as(name).isEmpty();
    }

    @Test
    void badJsonFilesAreOneErrorLineAndExitCode2() throws IOException {
        final String ref = "a=1";
        final Path missing = dir.resolve("missing.json");
        final Path duplicate = Files.writeString(dir.resolve("dup.json"), "{\"a\": 1, \"a\": 2}");
        final Path text = Files.writeString(dir.resolve("text.json"), "{\"a\": \"x\"}");
        final Path array = Files.writeString(dir.resolve("array.json"), "[1, 2]");
        final Path truncated = Files.writeString(dir.resolve("truncated.json"), "{\"a\": 1,\n");
        final Path negative = Files.writeString(dir.resolve("negative.json"), "{\"a\": 1, \"drama\": -2}");
        final Path huge = Files.writeString(dir.resolve("huge.json"), "{\"a\": 1e400}");
        final Path empty = Files.writeString(dir.resolve("empty.json"), "");
        final String[][] cases = {
            {missing.toString(), "error: --observed-file: no such file: " + missing},
            {duplicate.toString(), "error: --observed-file: " + duplicate + " is not valid JSON: Duplicate field 'a'"},
            {text.toString(), "error: --observed-file: weight of 'a' is not a number (\"x\")"},
            {array.toString(), "error: --observed-file: " + array + " must hold one JSON object {\"category\": weight, ...}"},
            {truncated.toString(), "error: --observed-file: " + truncated + " is not valid JSON: "},
            {negative.toString(), "error: --observed-file: weight of 'drama' is negative (-2)"},
            {huge.toString(), "error: --observed-file: weight of 'a' is infinite (Infinity)"},
            {empty.toString(), "error: --observed-file: " + empty + " must hold one JSON object {\"category\": weight, ...}"},
        };
        for (final String[] c : cases) {
            final Run run = run("compute", "--observed-file", c[0], "--reference", ref);
            assertThat(run.errLines()).as(c[0]).hasSize(1);
            assertThat(run.errLines().get(0)).as(c[0]).startsWith(c[1]);
            assertThat(run.exitCode()).as(c[0]).isEqualTo(2);
            assertThat(run.out()).as(c[0]).isEmpty();
        }
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-15);
    }
}
