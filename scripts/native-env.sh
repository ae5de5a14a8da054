# Sourced by the launcher (./spikeforge) and by scripts/bench-kernels.sh: the environment ND4J's
# native code runs best in on this project's machines. A value the caller set is kept.
#
# ND4J's native threads (OpenMP) spin after each operation by default, holding a core that the
# Java kernels between operations need: on two cores, letting them sleep made MLP and LeNet5
# spike_bp training 9-12% faster (docs/benchmarks.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# libnd4j allocates its temporaries per operation (conv2d_bp's im2col buffer for LeNet5's second
# layer is about 400 MB a batch). glibc serves blocks that large with mmap and returns them at
# free, so every batch faulted them in again page by page: 2.65 million minor faults in a
# 2,560-sample LeNet5 run. Keeping freed memory in the heap cut that to 0.55 million and LeNet5
# BPTT training time by 8-13%, for 4% more peak memory (docs/benchmarks.md).
export MALLOC_MMAP_MAX_="${MALLOC_MMAP_MAX_:-0}"
export MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-8589934592}"
