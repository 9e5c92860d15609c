package io.divergent.topology;

import io.divergent.avro.NoDriftCalibration;
import io.divergent.avro.NoDriftMethod;
import io.divergent.avro.NoDriftValue;
import io.divergent.math.BaselineKind;
import io.divergent.math.Histogram;
import io.divergent.math.NoDrift;
import io.divergent.math.NoDriftCalibrator;
import io.divergent.math.Unit;

/**
 * The event's {@code no_drift} field: the window's distances calibrated against no drift by
 * {@link NoDriftCalibrator}. The baseline is a fixed distribution or a sample of its raw total as
 * the G-test takes it: previous and last-n baselines are samples; a topic reference is what its
 * {@code weights_kind} declares. Seeded (see {@link #seed}) so that a replay writes the same numbers.
 */
final class NoDriftFields {

    private NoDriftFields() {
    }

    /**
     * @return the calibration, or null when the window or the baseline has no weight (nothing to
     *         compare: possible only with smoothing, which computes the measures anyway)
     */
    static NoDriftCalibration of(final String series, final long windowStart, final Histogram observed,
                                 final EventFactory.Baseline baseline, final double alpha, final Unit unit) {
        if (observed.total() == 0 || baseline.histogram().total() == 0) {
            return null;
        }
        final NoDrift c = NoDriftCalibrator.instance().calibrate(observed, baseline.histogram(), baseline.weights(), alpha, unit,
                seed(series, windowStart, baseline.weights()));
        return NoDriftCalibration.newBuilder()
                .setBaselineSampleSize(c.fixedBaseline() ? null : c.baselineTotal())
                .setCategories(c.categories())
                .setReplicates(c.replicates())
                .setJsDivergence(value(c.jsDivergence()))
                .setJsDistance(value(c.jsDistance()))
                .setHellinger(value(c.hellinger()))
                .setTotalVariation(value(c.totalVariation()))
                .setLInfinity(value(c.lInfinity()))
                .build();
    }

    /**
     * Against a fixed baseline the null model repeats (the same reference, N and categories), so
     * the seed is the monitor's and those windows share one simulation, which the calibrator
     * keeps; against a sample baseline the null model changes every window (it pools the window's
     * counts), so the seed is the series' and the window's, keeping the simulations independent.
     */
    private static long seed(final String series, final long windowStart, final BaselineKind weights) {
        return weights == BaselineKind.FIXED ? NoDriftCalibrator.seed(SeriesId.monitorOf(series), 0)
                : NoDriftCalibrator.seed(series, windowStart);
    }

    private static NoDriftValue value(final NoDrift.Value v) {
        return new NoDriftValue(v.observed(), v.expected(), v.pValue(), NoDriftMethod.valueOf(v.method().name()));
    }
}
