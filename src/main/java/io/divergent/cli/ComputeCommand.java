package io.divergent.cli;

import io.divergent.serde.JsonNumbers;
import io.divergent.serde.ReferenceJson;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.divergent.math.Contribution;
import io.divergent.math.Divergence;
import io.divergent.math.DivergenceCalculator;
import io.divergent.math.EmptyHistogramException;
import io.divergent.math.Histogram;
import io.divergent.math.InvalidHistogramException;
import io.divergent.math.Measure;
import io.divergent.math.Unit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code divergent compute}: every measure of {@code docs/divergence.md} between two
 * histograms given on the command line or in JSON files, as a table or as one JSON object.
 *
 * <p>Exit codes: 0 computed; 2 bad input (malformed or invalid histogram, empty histogram
 * without smoothing, bad option), with one {@code error: ...} line on stderr.
 */
@Command(name = "compute", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Computes KL (both ways), Jensen-Shannon, entropies, cross-entropy, PSI, Hellinger,",
            "total variation, L-infinity and the G-test between an observed histogram P and a",
            "reference Q,",
            "smoothed over the union of their categories."},
        footer = {"",
            "Example: divergent compute --observed action=40,comedy=30,drama=20,horror=10 \\",
            "                           --reference action=3,comedy=4,drama=2,horror=1"})
public final class ComputeCommand implements Callable<Integer> {

    /** A plain decimal number: no NaN, Infinity, hex or type suffixes that Double.parseDouble would take. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    private static final int SIGNIFICANT_DIGITS = 10;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    @Spec
    private CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source observed;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private ReferenceSource reference;

    @Option(names = "--unit", defaultValue = "bits", converter = UnitConverter.class, paramLabel = "bits|nats",
            description = "Unit of the information measures (default: ${DEFAULT-VALUE}).")
    private Unit unit;

    @Option(names = "--alpha", defaultValue = "0", converter = AlphaConverter.class, paramLabel = "A",
            description = "Pseudo-count added to every category of both sides: 0 none (default),"
                    + " 0.5 Jeffreys, 1 Laplace.")
    private double alpha;

    @Option(names = "--top", defaultValue = "5", converter = CountConverter.class, paramLabel = "N",
            description = "How many top contributors to KL(P||Q) to list (default: ${DEFAULT-VALUE}).")
    private int top;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    private boolean json;

    /** Where the observed histogram comes from: exactly one of the two options. */
    static final class Source {
        @Option(names = "--observed", paramLabel = "CAT=W[,CAT=W...]", required = true,
                description = "Observed histogram P (the window), inline: category=weight pairs.")
        private String inline;

        @Option(names = "--observed-file", paramLabel = "FILE", required = true,
                description = "Observed histogram P as a JSON object {\"category\": weight, ...}.")
        private Path file;
    }

    /** Where the reference histogram comes from: exactly one of the two options. */
    static final class ReferenceSource {
        @Option(names = "--reference", paramLabel = "CAT=W[,CAT=W...]", required = true,
                description = "Reference histogram Q, inline: category=weight pairs.")
        private String inline;

        @Option(names = "--reference-file", paramLabel = "FILE", required = true,
                description = "Reference histogram Q as a JSON object {\"category\": weight, ...}.")
        private Path file;
    }

    @Override
    public Integer call() {
        final Histogram p = observed.inline != null
                ? parseInline("--observed", observed.inline) : readFile("--observed-file", observed.file);
        final Histogram q = reference.inline != null
                ? parseInline("--reference", reference.inline) : readFile("--reference-file", reference.file);
        final Divergence divergence;
        try {
            divergence = DivergenceCalculator.withDefaults().withAlpha(alpha).withUnit(unit)
                    .withTopContributors(top).compute(p, q);
        } catch (final EmptyHistogramException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        final PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(divergence));
        } else {
            printTable(out, divergence);
        }
        out.flush();
        return 0;
    }

    /**
     * Parses {@code cat=weight,cat=weight}; the last {@code =} of a pair separates the weight, so
     * a category may contain {@code =} but not {@code ,} (use a file for those).
     */
    private Histogram parseInline(final String option, final String text) {
        if (text.isBlank()) {
            throw invalid(option, "no CATEGORY=WEIGHT pairs given");
        }
        final Histogram.Builder builder = Histogram.builder();
        final Set<String> seen = new HashSet<>();
        for (final String rawPair : text.split(",", -1)) {
            final String pair = rawPair.strip();
            final int equals = pair.lastIndexOf('=');
            if (pair.isEmpty()) {
                throw invalid(option, "empty entry in '" + text + "': expected CATEGORY=WEIGHT[,CATEGORY=WEIGHT...]");
            }
            if (equals < 0) {
                throw invalid(option, "'" + pair + "' is not CATEGORY=WEIGHT");
            }
            final String category = pair.substring(0, equals).strip();
            final String weight = pair.substring(equals + 1).strip();
            if (category.isEmpty()) {
                throw invalid(option, "'" + pair + "' has an empty category name");
            }
            if (!DECIMAL.matcher(weight).matches()) {
                throw invalid(option, "weight of '" + category + "' is not a number ('" + weight + "')");
            }
            if (!seen.add(category)) {
                throw invalid(option, "category '" + category + "' is given twice");
            }
            add(option, builder, category, Double.parseDouble(weight));
        }
        return build(option, builder);
    }

    private Histogram readFile(final String option, final Path file) {
        final JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (final NoSuchFileException e) {
            throw invalid(option, "no such file: " + file);
        } catch (final JsonProcessingException e) {
            throw invalid(option, file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (final IOException e) {
            throw invalid(option, "cannot read " + file + ": " + e);
        }
        if (root == null || !root.isObject()) {
            throw invalid(option, file + " must hold one JSON object {\"category\": weight, ...}");
        }
        final Map<String, Double> weights;
        try {
            weights = ReferenceJson.categoryWeights(root);
        } catch (final IllegalArgumentException e) {
            throw invalid(option, e.getMessage());
        }
        final Histogram.Builder builder = Histogram.builder();
        weights.forEach((category, weight) -> add(option, builder, category, weight));
        return build(option, builder);
    }

    private void add(final String option, final Histogram.Builder builder, final String category,
                     final double weight) {
        try {
            builder.add(category, weight);
        } catch (final InvalidHistogramException e) {
            throw invalid(option, e.getMessage());
        }
    }

    private Histogram build(final String option, final Histogram.Builder builder) {
        try {
            return builder.build();
        } catch (final InvalidHistogramException e) {
            throw invalid(option, e.getMessage());
        }
    }

    private ParameterException invalid(final String option, final String message) {
        return new ParameterException(spec.commandLine(), option + ": " + message);
    }

    static String toJson(final Divergence d) {
        final ObjectNode root = JSON.createObjectNode();
        JsonNumbers.put(root, "kl_pq", d.klPq());
        JsonNumbers.put(root, "kl_qp", d.klQp());
        JsonNumbers.put(root, "js_divergence", d.jsDivergence());
        JsonNumbers.put(root, "js_distance", d.jsDistance());
        JsonNumbers.put(root, "entropy_p", d.entropyP());
        JsonNumbers.put(root, "entropy_q", d.entropyQ());
        JsonNumbers.put(root, "cross_entropy_pq", d.crossEntropyPq());
        JsonNumbers.put(root, "psi", d.psi());
        JsonNumbers.put(root, "hellinger", d.hellinger());
        JsonNumbers.put(root, "total_variation", d.totalVariation());
        final ObjectNode g = root.putObject("g_test");
        JsonNumbers.put(g, "statistic", d.gStatistic());
        g.put("df", d.gDegreesOfFreedom());
        JsonNumbers.put(g, "p_value", d.gPValue());
        root.put("unit", d.unit().label());
        JsonNumbers.put(root, "alpha", d.alpha());
        root.put("categories", d.categories());
        JsonNumbers.put(root, "observed_total", d.observedTotal());
        JsonNumbers.put(root, "reference_total", d.referenceTotal());
        root.put("kl_infinite", d.klInfinite());
        JsonNumbers.put(root, "unseen_mass", d.unseenMass());
        JsonNumbers.put(root, "missing_mass", d.missingMass());
        final ArrayNode contributors = root.putArray("top_contributors");
        for (final Contribution c : d.topContributors()) {
            final ObjectNode item = contributors.addObject();
            item.put("category", c.category());
            JsonNumbers.put(item, "p", c.p());
            JsonNumbers.put(item, "q", c.q());
            JsonNumbers.put(item, "term", c.term());
            JsonNumbers.put(item, "js_term", c.jsTerm());
            item.put("direction", c.direction().name().toLowerCase(Locale.ROOT));
        }
        // After the keys of 0.1.0, whose order scripts may rely on.
        JsonNumbers.put(root, "l_infinity", d.lInfinity());
        try {
            return JSON.writeValueAsString(root);
        } catch (final JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    static void printTable(final PrintWriter out, final Divergence d) {
        final String unit = d.unit().label();
        out.println("P = observed (N_P = " + format(d.observedTotal()) + "), Q = reference (N_Q = "
                + format(d.referenceTotal()) + "), K = " + d.categories() + " categories, alpha = "
                + format(d.alpha()));
        out.println();
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"measure", "value", "unit"});
        rows.add(new String[] {"kl_pq", format(d.klPq()), unit});
        rows.add(new String[] {"kl_qp", format(d.klQp()), unit});
        rows.add(new String[] {"js_divergence", format(d.jsDivergence()), unit});
        rows.add(new String[] {"js_distance", format(d.jsDistance()), unit});
        rows.add(new String[] {"entropy_p", format(d.entropyP()), unit});
        rows.add(new String[] {"entropy_q", format(d.entropyQ()), unit});
        rows.add(new String[] {"cross_entropy_pq", format(d.crossEntropyPq()), unit});
        rows.add(new String[] {"psi", format(d.psi()), Measure.PSI.unitIn(d.unit()).label()});
        rows.add(new String[] {"hellinger", format(d.hellinger()), "-"});
        rows.add(new String[] {"total_variation", format(d.totalVariation()), "-"});
        rows.add(new String[] {"g_test statistic", format(d.gStatistic()), "-"});
        rows.add(new String[] {"g_test df", Integer.toString(d.gDegreesOfFreedom()), "-"});
        rows.add(new String[] {"g_test p_value", format(d.gPValue()), "-"});
        rows.add(new String[] {"unseen_mass", format(d.unseenMass()), "fraction of P"});
        rows.add(new String[] {"missing_mass", format(d.missingMass()), "fraction of Q"});
        rows.add(new String[] {"l_infinity", format(d.lInfinity()), "-"});
        printAligned(out, rows, new boolean[] {false, true, false});
        if (d.klInfinite()) {
            out.println();
            out.println("KL infinite: P has mass on categories where Q has none (unseen mass "
                    + format(d.unseenMass()) + "); smooth with --alpha > 0 for a finite KL(P||Q).");
        }
        if (!d.topContributors().isEmpty()) {
            out.println();
            out.println("Top contributors, largest share of js_divergence first: term = p log(p/q) (kl_pq),"
                    + " js_term = share of js_divergence, both in " + unit);
            final List<String[]> top = new ArrayList<>();
            top.add(new String[] {"category", "p", "q", "term", "js_term", "direction"});
            for (final Contribution c : d.topContributors()) {
                top.add(new String[] {c.category(), format(c.p()), format(c.q()), format(c.term()),
                    format(c.jsTerm()), c.direction().name().toLowerCase(Locale.ROOT)});
            }
            printAligned(out, top, new boolean[] {false, true, true, true, true, false});
        }
    }

    private static void printAligned(final PrintWriter out, final List<String[]> rows, final boolean[] right) {
        final int[] width = new int[right.length];
        for (final String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (final String[] row : rows) {
            final StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                final String padding = " ".repeat(width[c] - row[c].length());
                line.append(right[c] ? padding + row[c] : row[c] + (c < row.length - 1 ? padding : ""));
            }
            out.println(line);
        }
    }

    /** 10 significant digits, no trailing zeros, plain unless very large or small; "Infinity" as in JSON. */
    static String format(final double value) {
        if (Double.isInfinite(value)) {
            return value > 0 ? JsonNumbers.INFINITY : JsonNumbers.NEGATIVE_INFINITY;
        }
        if (Double.isNaN(value)) {
            return JsonNumbers.NAN;
        }
        if (value == 0) {
            return "0";
        }
        final BigDecimal rounded = new BigDecimal(value).round(new MathContext(SIGNIFICANT_DIGITS))
                .stripTrailingZeros();
        final double magnitude = Math.abs(value);
        return magnitude >= 1e-6 && magnitude < 1e15 ? rounded.toPlainString() : rounded.toString();
    }

    /** {@code bits} or {@code nats}, any case. */
    static final class UnitConverter implements ITypeConverter<Unit> {
        @Override
        public Unit convert(final String value) {
            try {
                return Unit.parse(value);
            } catch (final IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A finite number {@code >= 0}. */
    static final class AlphaConverter implements ITypeConverter<Double> {
        @Override
        public Double convert(final String value) {
            final String text = value.strip();
            if (!DECIMAL.matcher(text).matches()) {
                throw new TypeConversionException("'" + value + "' is not a number");
            }
            final double alpha = Double.parseDouble(text);
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new TypeConversionException("'" + value + "' must be finite and >= 0");
            }
            return alpha;
        }
    }

    /** A whole number {@code >= 0}. */
    static final class CountConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(final String value) {
            final int count;
            try {
                count = Integer.parseInt(value.strip());
            } catch (final NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a whole number");
            }
            if (count < 0) {
                throw new TypeConversionException("'" + value + "' must be >= 0");
            }
            return count;
        }
    }
}
