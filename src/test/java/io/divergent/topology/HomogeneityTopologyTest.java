package io.divergent.topology;

import io.divergent.avro.DivergenceEvent;
import io.divergent.avro.GTestKind;
import io.divergent.avro.WeightsKind;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.divergent.topology.TopologyHarness.jsonMonitor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

/**
 * Issue 13, item 1 on the production topology: the G-test follows what the reference declares,
 * and the declaration travels with the stored reference version. S = 1,000 ms.
 */
class HomogeneityTopologyTest {

    private static final long S = 1_000;

    /** The window of every case: a 10, b 20, c 30 (N_P = 60) in [0, 60s), closed by a record at 60s. */
    private static void window(final TopologyHarness t) {
        t.genre(1 * S, "a", 10);   // [0, 60s)
        t.genre(2 * S, "b", 20);   // [0, 60s)
        t.genre(3 * S, "c", 30);   // [0, 60s)
        t.genre(60 * S, "a", 1);   // opens [60s, 120s), closes [0, 60s)
    }

    @Test
    void aReferenceDeclaredASampleIsTestedForHomogeneity() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 20.0, "b", 20.0, "c", 10.0), WeightsKind.SAMPLE);   // N_Q = 50
            window(t);

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getGTest()).isEqualTo(GTestKind.HOMOGENEITY);
            assertThat(e.getReference().getSampleSize()).isEqualTo(50.0);
            // By hand, N = 110, column totals c = 30, 40, 40, E_P = 60 c / 110, E_Q = 50 c / 110:
            //   a: 10 ln(10 / 16.3636) + 20 ln(20 / 13.6364) = -4.92476 + 7.65985
            //   b: 20 ln(20 / 21.8182) + 20 ln(20 / 18.1818) = -1.74023 + 1.90620
            //   c: 30 ln(30 / 21.8182) + 10 ln(10 / 18.1818) =  9.55361 - 5.97837
            //   G = 2 x 6.47630 = 12.9526, df = 3 - 1 = 2, p = exp(-G / 2) = 0.0015395 (chi-square, 2 df).
            // mpmath at 50 digits (gtest/homogeneity_reference.py, "three"): 12.952596352875820253, 0.001539499098102369006.
            assertThat(e.getGStatistic()).isCloseTo(12.952596352875820253, withinPercentage(1e-10));
            assertThat(e.getGDf()).isEqualTo(2);
            assertThat(e.getGPValue()).isCloseTo(Math.exp(-12.952596352875820253 / 2), withinPercentage(1e-10));
            // The distances do not depend on the kind: KL(P||Q) in bits is the goodness-of-fit G / (2 N_P ln 2).
            assertThat(e.getKlPq()).isPositive();
        }
    }

    @Test
    void aReferenceWithoutDeclarationKeepsTheGoodnessOfFitTest() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre"))) {
            t.reference("genres", 0, Map.of("a", 20.0, "b", 20.0, "c", 10.0));   // FIXED, the default
            window(t);

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getGTest()).isEqualTo(GTestKind.GOODNESS_OF_FIT);
            assertThat(e.getReference().getSampleSize()).isNull();
            // q = 0.4, 0.4, 0.2 as fixed: G = 2 (10 ln(10/24) + 20 ln(20/24) + 30 ln(30/12)), df = 2.
            final double g = 2 * (10 * Math.log(10 / 24.0) + 20 * Math.log(20 / 24.0) + 30 * Math.log(30 / 12.0));
            assertThat(e.getGStatistic()).isCloseTo(g, withinPercentage(1e-10));
            assertThat(e.getGPValue()).isCloseTo(Math.exp(-g / 2), withinPercentage(1e-9));
        }
    }

    @Test
    void aJsonReferenceDeclaresItsKindAndABadKindIsSkipped() {
        try (TopologyHarness t = new TopologyHarness(jsonMonitor("genres", "genre", "reference.format", "json"))) {
            t.rawReference("genres", 0, """
                    {"weights": {"a": 20, "b": 20, "c": 10}, "weights_kind": "SAMPLE"}""".getBytes(StandardCharsets.UTF_8));
            t.rawReference("other", 0, """
                    {"weights": {"a": 1}, "weights_kind": "sample"}""".getBytes(StandardCharsets.UTF_8));
            window(t);

            final DivergenceEvent e = t.events().get(0);
            assertThat(e.getGTest()).isEqualTo(GTestKind.HOMOGENEITY);
            assertThat(e.getGStatistic()).isCloseTo(12.952596352875820253, withinPercentage(1e-10));
            assertThat(t.metric("invalid-reference-records-total", "all")).isEqualTo(1.0);
            assertThat(t.storeSize(DivergentTopology.REFERENCE_STORE)).isEqualTo(1);
        }
    }

    @Test
    void theStoredKindRoundTripsAndAnEncodingFromBeforeTheKindReadsAsFixed() {
        final Histogram h = Histogram.of(Map.of("a", 1, "b", 2));
        final byte[] fixed = HistogramCodec.encode(h, "src", BaselineKind.FIXED);
        final byte[] sample = HistogramCodec.encode(h, "src", BaselineKind.SAMPLE);
        assertThat(HistogramCodec.decode(sample)).isEqualTo(new HistogramCodec.Stored(h, "src", BaselineKind.SAMPLE));
        assertThat(HistogramCodec.decode(HistogramCodec.encode(h, null, BaselineKind.SAMPLE)))
                .isEqualTo(new HistogramCodec.Stored(h, null, BaselineKind.SAMPLE));
        // The layout stored before issue 13, written field by field: [K][len][name][weight]...[source len][source].
        final ByteBuffer old = ByteBuffer.allocate(4 + 2 * (4 + 1 + 8) + 4 + 3).putInt(2);
        old.putInt(1).put((byte) 'a').putDouble(1).putInt(1).put((byte) 'b').putDouble(2);
        old.putInt(3).put("src".getBytes(StandardCharsets.UTF_8));
        assertThat(Arrays.equals(fixed, old.array())).as("a FIXED reference encodes exactly as before").isTrue();
        assertThat(HistogramCodec.decode(old.array())).isEqualTo(new HistogramCodec.Stored(h, "src", BaselineKind.FIXED));
    }
}
