package dev.spikeforge.runtime.engine;

import dev.spikeforge.compiler.ir.TrainSpec;

/**
 * The surrogate of the Heaviside step for x = h - theta (seed 000; Neftci, Mostafa, Zenke 2019),
 * with the shapes and slope conventions of snnTorch so that models and hyper-parameters carry over:
 *
 * <pre>
 *   fast_sigmoid  dσ/dx = 1 / (k|x| + 1)^2                  σ(x) = 1/2 + x / (1 + k|x|)
 *   arctan        dσ/dx = (k/2) / (1 + (π k x / 2)^2)        σ(x) = 1/2 + arctan(π k x / 2) / π
 *   sigmoid       dσ/dx = k σ(kx) (1 - σ(kx))               σ(x) = 1 / (1 + e^(-kx))
 * </pre>
 *
 * {@link #value} is the smooth function whose derivative is the surrogate. Training never uses
 * it (the forward pass fires with the true step); gradient checks do, so that central finite
 * differences of a smooth network can be compared with the engine's gradients.
 */
record SurrogateFunction(TrainSpec.SurrogateShape shape, double slope) {

    double derivative(double x) {
        double k = slope;
        switch (shape) {
            case FAST_SIGMOID: {
                double d = k * Math.abs(x) + 1;
                return 1 / (d * d);
            }
            case ARCTAN: {
                double z = Math.PI * k * x / 2;
                return (k / 2) / (1 + z * z);
            }
            default: {
                double s = 1 / (1 + Math.exp(-k * x));
                return k * s * (1 - s);
            }
        }
    }

    /** An antiderivative of {@link #derivative}: x / (1 + k|x|) + 1/2 for the fast sigmoid. */
    double value(double x) {
        double k = slope;
        switch (shape) {
            case FAST_SIGMOID:
                return 0.5 + x / (1 + k * Math.abs(x));
            case ARCTAN:
                return 0.5 + Math.atan(Math.PI * k * x / 2) / Math.PI;
            default:
                return 1 / (1 + Math.exp(-k * x));
        }
    }
}
