# Sourced by the speed benchmarks: writes the model files they train into build/bench, from the
# models in examples/models (one epoch, batch 128):
#   lenet5_spike_bp.snn   LeNet5 of seed 003, spike_bp (as examples/models/lenet5.snn)
#   lenet5_surrogate.snn  the same with surrogate BPTT (fast sigmoid, slope 25)
#   mlp_surrogate.snn     the 784-500-10 MLP of examples/models/mlp.snn
spikeforge_bench_models() {
    mkdir -p build/bench
    sed 's/batch     = 64/batch     = 128/; s/epochs    = 10/epochs    = 1/' examples/models/lenet5.snn \
        > build/bench/lenet5_spike_bp.snn
    sed 's/method    = spike_bp/method    = surrogate(shape = fast_sigmoid, slope = 25)/' \
        build/bench/lenet5_spike_bp.snn > build/bench/lenet5_surrogate.snn
    sed 's/epochs    = 5/epochs    = 1/' examples/models/mlp.snn > build/bench/mlp_surrogate.snn
}
