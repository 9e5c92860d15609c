package io.divergent.math;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** {@link Ln#ln} against {@link StrictMath#log} (itself within 1 ulp of the exact logarithm). */
class LnTest {

    private static final double MAX_ULPS = 2;

    @Test
    void exactAtOneAndPowersOfTwo() {
        assertThat(Ln.ln(1.0)).isZero();
        for (int k = -1074; k <= 1023; k++) {
            final double x = Math.scalb(1.0, k);
            assertWithinUlps(x);
        }
    }

    @Test
    void extremesAndBucketEdges() {
        for (final double x : new double[] {Double.MIN_VALUE, 2 * Double.MIN_VALUE, Double.MIN_NORMAL,
                Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE, Math.nextDown(1.0), Math.nextUp(1.0),
                Math.sqrt(2), Math.sqrt(0.5), 0.5, 0.7, 1.4140625, Math.nextDown(1.4140625), 1 + 1.0 / 128,
                Math.nextDown(1 + 1.0 / 128), 1 - 1.0 / 256, Math.nextDown(1 - 1.0 / 256), 1e-300, 1e300}) {
            assertWithinUlps(x);
        }
    }

    @Test
    void randomArgumentsOverTheWholeRange() {
        final SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 1_000_000; i++) {
            final double x;
            switch (i % 4) {
                case 0:
                    x = random.nextDouble();
                    break;
                case 1:
                    x = Math.exp(random.nextDouble(-744, 709));
                    break;
                case 2:
                    x = 1 + random.nextDouble(-1e-6, 1e-6);
                    break;
                default:
                    x = Double.longBitsToDouble(random.nextLong(1, 0x7ff0000000000000L));
                    break;
            }
            if (x > 0 && x < Double.POSITIVE_INFINITY) {
                assertWithinUlps(x);
            }
        }
    }

    private static void assertWithinUlps(final double x) {
        final double expected = StrictMath.log(x);
        final double actual = Ln.ln(x);
        assertThat(Math.abs(actual - expected) / Math.ulp(expected))
                .as("ln(%s) = %s, StrictMath %s", x, actual, expected)
                .isLessThanOrEqualTo(MAX_ULPS);
    }
}
