package io.divergent.topology;

import io.divergent.math.Histogram;
import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

/** The window tasks' decoded references (ReferenceLookup): shared by content, bounded by a budget of categories. */
class DecodedReferencesTest {

    private static byte[] reference(final int categories, final String source) {
        final Histogram.Builder builder = Histogram.builder();
        for (int i = 0; i < categories; i++) {
            builder.add("c" + i, i + 1);
        }
        return HistogramCodec.encode(builder.build(), source);
    }

    @Test
    void equalBytesShareOneDecodedVersion() {
        final ReferenceLookup.DecodedReferences decoded = new ReferenceLookup.DecodedReferences(100);
        final HistogramCodec.Stored a = decoded.decode(reference(10, "s"));
        final HistogramCodec.Stored b = decoded.decode(reference(10, "s"));   // another series, same reference
        assertThat(b).isSameAs(a);
        assertThat(decoded).hasSize(1);
        assertThat(decoded.categories()).isEqualTo(10);
        assertThat(a.histogram().toMap()).containsEntry("c9", 10.0);
    }

    @Test
    void theLeastRecentlyUsedGoFirstOnceTheBudgetIsExceeded() {
        final ReferenceLookup.DecodedReferences decoded = new ReferenceLookup.DecodedReferences(25);
        final byte[] one = reference(10, "one");
        final byte[] two = reference(10, "two");
        decoded.decode(one);
        decoded.decode(two);
        decoded.decode(one);                              // one used last: two is the eldest
        decoded.decode(reference(10, "three"));           // 30 > 25: two goes
        assertThat(decoded.categories()).isEqualTo(20);
        assertThat(decoded).hasSize(2);
        assertThat(decoded.holds(two)).isFalse();
        assertThat(decoded.holds(one)).isTrue();
        // One version larger than the whole budget is still kept (the latest always is).
        decoded.decode(reference(40, "big"));
        assertThat(decoded).hasSize(1);
        assertThat(decoded.categories()).isEqualTo(40);
    }

    @Test
    void versionsTheHashSampleCannotTellApartAreStillTwo() {
        final ReferenceLookup.DecodedReferences decoded = new ReferenceLookup.DecodedReferences(100_000);
        final byte[] a = reference(1_000, "s");
        // Equal but for one byte: the sampled hash reads at most 64 of these ~10,000 bytes.
        final byte[] b = a.clone();
        int changed = -1;
        for (int i = 1; i < b.length && changed < 0; i++) {
            final byte[] probe = a.clone();
            probe[i] ^= 1;
            if (new ReferenceLookup.DecodedReferences.Key(probe).hashCode()
                    == new ReferenceLookup.DecodedReferences.Key(a).hashCode()) {
                changed = i;
            }
        }
        assertThat(changed).as("a byte outside the hash sample").isPositive();
        b[changed] ^= 1;
        decoded.decode(a);
        assertThat(decoded.holds(b)).isFalse();
        assertThat(decoded.holds(a.clone())).isTrue();
    }
}
