package dev.spikeforge.runtime.audio;

import dev.spikeforge.compiler.ir.Frontend;
import dev.spikeforge.compiler.ir.TrainSpec;

/** A dataset's front end, run on one clip (mono, at the dataset's rate and length): the sample's bytes. */
@FunctionalInterface
public interface FrontendRunner {

    byte[] bytes(float[] clip);

    /** The runner of {@code spec}'s front end; it may be called from several threads at once. */
    static FrontendRunner of(TrainSpec.AudioDataset spec) {
        if (spec.frontend() instanceof Frontend.Filterbank f) {
            Filterbank bank = new Filterbank(f, spec.rate());
            int steps = spec.eventSteps();
            return clip -> bank.events(Filterbank.pcm(clip), steps);
        }
        MfccFrontend mfcc = new MfccFrontend((Frontend.Mfcc) spec.frontend(), spec.rate());
        return clip -> mfcc.bytes(mfcc.features(clip));
    }
}
