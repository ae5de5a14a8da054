package dev.spikeforge.targets.neurocore;

import dev.spikeforge.compiler.ir.DeploySpec;
import dev.spikeforge.compiler.ir.Timing;
import java.util.Map;
import java.util.Set;

/**
 * A many-core neuromorphic chip as data (schema {@code spikeforge.target.neurocore/1}): a 2-D mesh of
 * cores, what one core holds, its integer numerics, its timing and its energy per event. Every
 * figure of a preset names its source in {@code sources} (key: the JSON field name).
 *
 * @param meshWidth              cores along x of the mesh
 * @param meshHeight             cores along y
 * @param cores                  usable cores (at most meshWidth * meshHeight)
 * @param neuronsPerCore         neurons (compartments) one core updates
 * @param axonsPerCore           distinct input lines (source neurons) one core can receive
 * @param fanInPerNeuron         synapses into one neuron (0 = limited by memory only)
 * @param synapseMemoryBitsPerCore bits of synaptic weight memory per core
 * @param maxSpikesPerCorePerStep  spikes a core can send in one step (0 = no limit)
 * @param minWeightBits          narrowest weight the core stores
 * @param maxWeightBits          widest weight the core stores (signed)
 * @param membraneBits           membrane register width
 * @param overflow               what the membrane does past its range
 * @param leakForms              leak forms the core implements: "shift", "multiplier", "none"
 * @param shiftTowardZero        right shifts round toward zero (else toward minus infinity)
 * @param decayMinLsb            a leak removes at least 1 LSB from a positive state (Xylo's bit-shift
 *                               decay): where it would leave a positive v unchanged it gives v - 1
 * @param thresholdBits          unsigned threshold register width
 * @param thresholdGreaterThan   fires on h > threshold (the compiler then stores theta_q - 1)
 * @param gradedInput            accepts multi-bit (direct) input values, not only spikes
 * @param biasBits               signed bias register width (0 = no bias)
 * @param synapticCurrentBits    signed width of the synaptic current register (CUBA, docs/semantics.md
 *                               section 4.9); 0 = the chip keeps no synaptic current between steps
 * @param synapticLeakForms      decay forms of the synaptic current ("shift", "multiplier", "none");
 *                               empty exactly when synapticCurrentBits is 0
 * @param recurrentSynapses      a core can take its own layer's spikes of the previous step as input
 *                               (recurrent dense layers, full or diagonal)
 * @param conv1d                 1-D convolutions (CxL) map onto the chip as explicit synapses
 * @param maxPool                max pooling maps onto the chip: threshold-1 neurons that reset to zero
 * @param inputChannels          input lines the chip takes from outside (sensor or host), counted as
 *                               the model input's values per step; 0 = no limit
 * @param outputChannels         output neurons the host can read (the readout's classes); 0 = no limit
 * @param resetModes             what a neuron can do after a spike: "zero", "subtract" (the language's resets)
 * @param neuronsPerChip         neurons of the whole chip, the readout's counted only when outputChannels
 *                               is 0; 0 = no limit beyond cores x neuronsPerCore
 * @param fanOutPerNeuron        cores one neuron's spike can reach; 0 = no limit
 * @param outputAxonsPerCore     (neuron, destination core) pairs one core can send on; 0 = no limit
 * @param destinationsPerCore    other cores one core can send to; 0 = no limit
 * @param routingTableEntries    entries of the chip's routing table, one per core that sends; 0 = no limit
 * @param axonTypes              distinct weights one neuron gives its synapses (one per axon type); 0 = any
 * @param convWeightSharing      a core stores each filter's kernel once (else one weight per synapse)
 * @param splitLayers            a layer may be cut over several cores
 * @param packLayers             consecutive layers other than the readout share a core while it holds them
 * @param clockMhz               core clock
 * @param cyclesPerSynapticOp    cycles per synaptic operation (one weight added to one neuron)
 * @param cyclesPerNeuronUpdate  cycles per neuron update (leak, fire, reset)
 * @param cyclesPerHop           cycles per mesh hop of one spike packet
 * @param barrierCycles          cycles of the end-of-step barrier
 * @param synapticOpPj           energy of one synaptic operation
 * @param neuronUpdatePj         energy of one neuron update
 * @param spikeHopPj             energy of one spike packet crossing one mesh hop
 * @param staticMw               static power of the whole chip
 * @param timing                 when a layer's spikes reach the next layer (docs/semantics.md section
 *                               2.7): the chip's own mode, or the target's {@code timing =} override
 * @param inputCyclesPerSpike    cycles the host link needs to deliver one input spike (value) to the
 *                               chip; 0 = the host's bandwidth is not modelled
 * @param serialCores            under pipelined timing, one processor runs the cores one after another
 *                               (a step takes the sum of their work), not all at once (the busiest core's)
 * @param sources                field name -> where its figure comes from
 */
public record NeurocoreSpec(String name, String description, int meshWidth, int meshHeight, int cores,
                            int neuronsPerCore, int axonsPerCore, int fanInPerNeuron, long synapseMemoryBitsPerCore,
                            int maxSpikesPerCorePerStep, int minWeightBits, int maxWeightBits, int membraneBits,
                            DeploySpec.Overflow overflow, Set<String> leakForms, boolean shiftTowardZero, boolean decayMinLsb,
                            int thresholdBits, boolean thresholdGreaterThan, boolean gradedInput, int biasBits,
                            int synapticCurrentBits, Set<String> synapticLeakForms, boolean recurrentSynapses,
                            boolean conv1d, boolean maxPool, int inputChannels, int outputChannels,
                            Set<String> resetModes, int neuronsPerChip, int fanOutPerNeuron, int outputAxonsPerCore,
                            int destinationsPerCore, int routingTableEntries, int axonTypes,
                            boolean convWeightSharing, boolean splitLayers, boolean packLayers,
                            double clockMhz, int cyclesPerSynapticOp, int cyclesPerNeuronUpdate, int cyclesPerHop,
                            int barrierCycles, double synapticOpPj, double neuronUpdatePj, double spikeHopPj,
                            double staticMw, Timing timing, int inputCyclesPerSpike, boolean serialCores,
                            Map<String, String> sources) {

    public NeurocoreSpec {
        leakForms = Set.copyOf(leakForms);
        synapticLeakForms = Set.copyOf(synapticLeakForms);
        resetModes = Set.copyOf(resetModes);
        sources = Map.copyOf(sources);
    }

    /** Whether the chip keeps a synaptic current per neuron (CUBA). */
    public boolean hasSynapticCurrent() {
        return synapticCurrentBits > 0;
    }
}
