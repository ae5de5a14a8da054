package dev.spikeforge.targets.fpga;

import static dev.spikeforge.targets.fpga.FpgaLayer.indexBits;
import static dev.spikeforge.targets.fpga.Verilog.k;

/**
 * The widths of one layer engine, computed once so that every emitter declares a signal at the
 * width the others read it at (verilator -Wall reports any mismatch). The short names are the
 * ones the generator has always used; each says which signal it sizes.
 */
final class EngineWidths {

    final FpgaLayer l;
    /** The engine drives the readout ports of the top. */
    final boolean last;
    final int p;     // lanes: neurons updated per clock
    final int lw;    // a lane index
    final int ab;    // one membrane lane (acc_bits: M plus guard bits)
    final int wb;    // one weight
    final int vb;    // an event's value; 0 when events carry none
    final int evw;   // an event word {value, channel, row, column}
    final int evb;   // an event buffer entry: the event word, or {own, payload} in a recurrent layer
    final boolean rec;  // the layer's own spikes come back as events of the next step
    final boolean cuba; // the layer keeps a synaptic current: mem holds currents, vmem membranes
    final int inw;   // an input event buffer entry (the event word)
    final int ocw;   // a count of the layer's own spikes (recurrent), which must also hold all of them
    final int evd;   // event buffer entries
    final int eaw;   // an event buffer address
    final int ecw;   // an event count, which must also hold a full buffer
    final int mw;    // membrane words
    final int maw;   // a membrane address
    final int mcw;   // the neuron phase's word counter, which runs one past the last word
    final int wd;    // weight words
    final int waw;   // a weight address
    final int nb;    // blocks of P channels
    final int bw;    // a block index
    final int kk;    // kernel size
    final int kb;    // a kernel offset
    final int cb;    // an input event's channel
    final int yb;    // an input event's row
    final int xb;    // an input event's column
    final int ocb;   // an output spike's channel
    final int oyb;   // an output spike's row
    final int oxb;   // an output spike's column
    final int nbits; // a flat output neuron index
    final long allLanes;
    /** The lanes of the last block, fewer than all when the channels do not fill it. */
    final long lastLanes;

    EngineWidths(FpgaDesign d, FpgaLayer l) {
        this.l = l;
        this.last = l.index() == d.layers().size() - 1;
        this.p = l.lanes();
        this.lw = indexBits(p);
        this.ab = l.accBits();
        this.wb = l.weightBits();
        this.vb = l.valueBits();
        this.evw = l.eventBits();
        this.evb = l.bufferBits();
        this.rec = l.recurrent();
        this.cuba = l.hasCurrent();
        this.inw = l.eventBits();
        this.ocw = indexBits(l.outC() + 1L);
        this.evd = l.eventDepth();
        this.eaw = indexBits(evd);
        this.ecw = indexBits(evd + 1);
        this.mw = l.memoryWords();
        this.maw = indexBits(mw);
        this.mcw = indexBits(mw + 1);
        this.wd = l.weightWords();
        this.waw = indexBits(wd);
        this.nb = l.blocks();
        this.bw = indexBits(nb);
        this.kk = l.kernel();
        this.kb = indexBits(kk);
        this.cb = l.cBits();
        this.yb = l.yBits();
        this.xb = l.xBits();
        this.ocb = l.outCBits();
        this.oyb = l.outYBits();
        this.oxb = l.outXBits();
        this.nbits = indexBits(l.outputSize());
        this.allLanes = lanesMask(p);
        this.lastLanes = lanesMask(l.validLanes(nb - 1));
    }

    private static long lanesMask(int lanes) {
        return lanes == 64 ? -1L : (1L << lanes) - 1;
    }

    /** The lanes a word of a block enables: the last block's unused lanes must not fire or count. */
    String laneMask(String isLast) {
        return lastLanes == allLanes ? k(p, allLanes) : isLast + " ? " + k(p, lastLanes) + " : " + k(p, allLanes);
    }
}
