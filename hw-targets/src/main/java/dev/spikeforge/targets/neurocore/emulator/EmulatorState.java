package dev.spikeforge.targets.neurocore.emulator;

import dev.spikeforge.compiler.ir.Timing;
import java.util.Arrays;

/** The per-thread state of {@link NeurocoreEmulator}: membranes, currents and inboxes of every core. */
final class EmulatorState {

    private final Mapping m;
    private final CoreProgram[] programs;
    private final int[][] inputRoutesOf;
    private final long[][] membrane;
    private final long[][] current;
    /** The synaptic current kept between steps, per core of a CUBA layer (else null). */
    private final long[][] synaptic;
    private final int[][] fired;
    private final NeurocoreEmulator.Inbox[] inbox;
    /** Packets per directed mesh link in the current step (pipelined timing's contention). */
    private final MeshLinks links;

    EmulatorState(Mapping m, CoreProgram[] programs, int[][] inputRoutesOf) {
        this.m = m;
        this.programs = programs;
        this.inputRoutesOf = inputRoutesOf;
        int cores = programs.length;
        membrane = new long[cores][];
        current = new long[cores][];
        synaptic = new long[cores][];
        fired = new int[cores][];
        inbox = new NeurocoreEmulator.Inbox[cores];
        links = new MeshLinks(m);
        for (int c = 0; c < cores; c++) {
            membrane[c] = new long[programs[c].size];
            current[c] = new long[programs[c].size];
            synaptic[c] = programs[c].layer.synapticDecay() != null ? new long[programs[c].size] : null;
            fired[c] = new int[programs[c].size];
            inbox[c] = new NeurocoreEmulator.Inbox();
        }
    }

    EmulatedSample run(int[] input, boolean record) {
        int steps = m.timesteps();
        int n = m.input().size();
        if (input.length != steps * n) {
            throw new IllegalArgumentException("input has " + input.length + " values, expected T x N = " + steps
                    + " x " + n);
        }
        int cores = programs.length;
        int layers = m.layers().size();
        Mapping.Figures fig = m.target();
        for (int c = 0; c < cores; c++) {
            Arrays.fill(membrane[c], 0);
            if (synaptic[c] != null) {
                Arrays.fill(synaptic[c], 0);
            }
            inbox[c].count = 0; // also no recurrent packets: s[-1] = 0
        }
        long[] synOps = new long[cores];
        long[] updates = new long[cores];
        long[] busy = new long[cores];
        int[][] spikesSent = new int[steps][cores];
        long[] stepCycles = new long[steps];
        long[] layerCycles = new long[layers];
        long packets = 0;
        long inputPackets = 0;
        long hops = 0;
        long[][][] memRec = record ? new long[layers][steps][] : null;
        byte[][][] spikeRec = record ? new byte[layers][steps][] : null;
        Mapping.Layer last = m.readout();
        long[] readout = new long[last.size()];
        int[] hopsInto = new int[layers];
        boolean pipelined = fig.timing() == Timing.PIPELINED;
        long[][] opsOf = new long[layers][];
        for (int l = 0; l < layers; l++) {
            opsOf[l] = new long[m.layers().get(l).cores().length];
        }
        for (int t = 0; t < steps; t++) {
            Arrays.fill(hopsInto, 0);
            if (pipelined) {
                links.clear();
            }
            long inputPacketsBefore = inputPackets;
            for (int i = 0; i < n; i++) {
                int v = input[t * n + i];
                if (v == 0) {
                    continue;
                }
                for (int r : inputRoutesOf[i]) {
                    Mapping.Route route = m.inputRoutes().get(r);
                    inbox[route.toCore()].add(-1, i, v);
                    inputPackets++;
                    hops += route.hops();
                    int dl = programs[route.toCore()].layer.index();
                    hopsInto[dl] = Math.max(hopsInto[dl], route.hops());
                    if (pipelined) {
                        links.send(0, 0, programs[route.toCore()].core);
                    }
                }
            }
            if (pipelined) {
                // docs/semantics.md section 2.7: every core takes the packets of step t-1 (and the step's
                // input) before any core updates; what the updates send waits in the inboxes for step t+1
                for (int l = 0; l < layers; l++) {
                    int[] layerCores = m.layers().get(l).cores();
                    for (int i = 0; i < layerCores.length; i++) {
                        opsOf[l][i] = synapticPhase(layerCores[i]);
                    }
                }
            }
            long busiestCore = 0;
            long allWork = 0;
            for (int l = 0; l < layers; l++) {
                Mapping.Layer layer = m.layers().get(l);
                if (record) {
                    memRec[l][t] = new long[layer.size()];
                    spikeRec[l][t] = new byte[layer.size()];
                }
                long synMax = 0;
                long neuronMax = 0;
                long workMax = 0;
                long workSum = 0;
                // sequential: every core of the layer takes its packets first, then every core updates and
                // sends: a recurrent packet (to a core of the same layer, itself included) thus arrives after
                // the layer's synaptic phase and waits in the inbox for the next step (delay 1, s[t-1])
                long[] layerOps = opsOf[l];
                if (!pipelined) {
                    for (int i = 0; i < layerOps.length; i++) {
                        layerOps[i] = synapticPhase(layer.cores()[i]);
                    }
                }
                for (int i = 0; i < layerOps.length; i++) {
                    int c = layer.cores()[i];
                    CoreProgram p = programs[c];
                    long coreOps = layerOps[i];
                    int count = neuronPhase(c, t, record ? memRec[l][t] : null, record ? spikeRec[l][t] : null);
                    spikesSent[t][c] = count;
                    if (layer == last && layer.role().fires()) {
                        for (int e = 0; e < count; e++) {
                            readout[p.global[fired[c][e]]]++;
                        }
                    }
                    for (int e = 0; e < count; e++) {
                        int k = fired[c][e];
                        for (int r : p.routesOf[k]) {
                            Mapping.Route route = p.core.routes().get(r);
                            inbox[route.toCore()].add(l, p.global[k], 1);
                            packets++;
                            hops += route.hops();
                            int dl = programs[route.toCore()].layer.index();
                            hopsInto[dl] = Math.max(hopsInto[dl], route.hops());
                            if (pipelined) {
                                links.send(p.core.x(), p.core.y(), programs[route.toCore()].core);
                            }
                        }
                    }
                    synOps[c] += coreOps;
                    updates[c] += p.size;
                    long synCycles = coreOps * fig.cyclesPerSynapticOp();
                    long neuronCycles = (long) p.size * fig.cyclesPerNeuronUpdate();
                    busy[c] += synCycles + neuronCycles;
                    synMax = Math.max(synMax, synCycles);
                    neuronMax = Math.max(neuronMax, neuronCycles);
                    workMax = Math.max(workMax, synCycles + neuronCycles);
                    workSum += synCycles + neuronCycles;
                }
                if (pipelined) {
                    layerCycles[l] += fig.serialCores() ? workSum : workMax;
                    busiestCore = Math.max(busiestCore, workMax);
                    allWork += workSum;
                } else {
                    long cycles = synMax + neuronMax + (long) hopsInto[l] * fig.cyclesPerHop();
                    layerCycles[l] += cycles;
                    stepCycles[t] += cycles;
                }
            }
            if (pipelined) {
                // docs/targets.md, "Timing": the cores work at once (the busiest one sets the pace), or with
                // core_schedule "serial" one after another (their sum), then the packets cross the mesh (the
                // longest route, or the busiest link at one packet per cycle), while the host streams the
                // step's input; then the barrier
                long longestRoute = Arrays.stream(hopsInto).max().orElse(0);
                long network = Math.max(longestRoute * fig.cyclesPerHop(), links.busiest());
                long host = (inputPackets - inputPacketsBefore) * fig.inputCyclesPerSpike();
                stepCycles[t] = Math.max((fig.serialCores() ? allWork : busiestCore) + network, host);
            }
            stepCycles[t] += fig.barrierCycles();
        }
        packets += inputPackets;
        if (!last.role().fires()) {
            for (int c : last.cores()) {
                CoreProgram p = programs[c];
                for (int k = 0; k < p.size; k++) {
                    readout[p.global[k]] = membrane[c][k];
                }
            }
        }
        long cycles = 0;
        for (long s : stepCycles) {
            cycles += s;
        }
        long ops = Arrays.stream(synOps).sum();
        long neuronUpdates = Arrays.stream(updates).sum();
        EmulatedSample.Energy energy = new EmulatedSample.Energy(ops * fig.synapticOpPj() * 1e-12,
                neuronUpdates * fig.neuronUpdatePj() * 1e-12, hops * fig.spikeHopPj() * 1e-12,
                fig.staticMw() * 1e-3 * fig.seconds(cycles));
        return new EmulatedSample(readout, dev.spikeforge.compiler.target.TargetSample.argmax(readout), synOps, updates, packets, inputPackets,
                hops, spikesSent, stepCycles, layerCycles, busy, spikeLimit(spikesSent, fig.maxSpikesPerCorePerStep()),
                energy, memRec, spikeRec);
    }

    /** Currents of core c's neurons: bias plus the weights of every packet it received this step. */
    private long synapticPhase(int c) {
        CoreProgram p = programs[c];
        long[] cur = current[c];
        System.arraycopy(p.bias, 0, cur, 0, p.size);
        NeurocoreEmulator.Inbox box = inbox[c];
        long ops = 0;
        for (int e = 0; e < box.count; e++) {
            int src = box.source[e];
            for (CoreProgram.Delivery d : p.paths) {
                if (d.source == src) {
                    ops += d.deliver(box.index[e], box.value[e], cur);
                }
            }
        }
        box.count = 0;
        return ops;
    }

    /** Leak, clamp, fire, reset (or the readout's accumulation); returns the spikes, listed in {@code fired[c]}. */
    private int neuronPhase(int c, int t, long[] memRec, byte[] spikeRec) {
        CoreProgram p = programs[c];
        Mapping.Layer layer = p.layer;
        Mapping.Numerics num = m.numerics();
        long[] v = membrane[c];
        long[] cur = current[c];
        long[] syn = synaptic[c];
        if (syn != null) {
            // the synaptic current decays, takes the step's input, saturates; the membrane then takes it
            Mapping.Leak decay = layer.synapticDecay();
            for (int k = 0; k < p.size; k++) {
                syn[k] = num.clampCurrent(decay.apply(syn[k], num) + cur[k]);
                cur[k] = syn[k];
            }
        }
        int count = 0;
        switch (layer.role()) {
            case READOUT_ACCUMULATE -> {
                for (int k = 0; k < p.size; k++) {
                    v[k] += cur[k];
                }
            }
            case READOUT_MEMBRANE -> {
                for (int k = 0; k < p.size; k++) {
                    v[k] = layer.leak().apply(v[k], num) + cur[k];
                }
            }
            default -> {
                int[] out = fired[c];
                boolean greater = num.greaterThan();
                boolean zero = layer.resetZero();
                for (int k = 0; k < p.size; k++) {
                    long h = num.clamp(layer.leak().apply(v[k], num) + cur[k]);
                    boolean s = greater ? h > p.threshold[k] : h >= p.threshold[k];
                    if (s) {
                        out[count++] = k;
                        v[k] = zero ? 0 : h - p.theta[k];
                    } else {
                        v[k] = h;
                    }
                }
            }
        }
        if (memRec != null) {
            for (int k = 0; k < p.size; k++) {
                memRec[p.global[k]] = v[k];
            }
            for (int e = 0; e < count; e++) {
                spikeRec[p.global[fired[c][e]]] = 1;
            }
        }
        return count;
    }

    private static EmulatedSample.SpikeLimit spikeLimit(int[][] spikesSent, int limit) {
        if (limit <= 0) {
            return new EmulatedSample.SpikeLimit(0, 0, -1, 0, 0);
        }
        int violations = 0;
        int worstCore = -1;
        int worstStep = 0;
        int worstSpikes = 0;
        for (int t = 0; t < spikesSent.length; t++) {
            for (int c = 0; c < spikesSent[t].length; c++) {
                int s = spikesSent[t][c];
                if (s > limit) {
                    violations++;
                    if (s > worstSpikes) {
                        worstSpikes = s;
                        worstCore = c;
                        worstStep = t + 1;
                    }
                }
            }
        }
        return new EmulatedSample.SpikeLimit(limit, violations, worstCore, worstStep, worstSpikes);
    }
}
