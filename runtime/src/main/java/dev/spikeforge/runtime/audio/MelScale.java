package dev.spikeforge.runtime.audio;

/**
 * The two mel scales of torchaudio ({@code _hz_to_mel}, {@code _mel_to_hz}; librosa's):
 *
 * <pre>
 *   HTK      m = 2595 log10(1 + f / 700)                 f = 700 (10^(m / 2595) - 1)
 *   SLANEY   m = 3 f / 200                 for f &lt; 1000   f = 200 m / 3
 *            m = 15 + ln(f / 1000) / (ln(6.4) / 27)      f = 1000 exp((ln(6.4) / 27) (m - 15))   for m &gt;= 15
 * </pre>
 */
public enum MelScale {
    HTK,
    SLANEY;

    private static final double F_SP = 200.0 / 3;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOGSTEP = Math.log(6.4) / 27.0;

    public double hzToMel(double f) {
        if (this == HTK) {
            return 2595.0 * Math.log10(1.0 + f / 700.0);
        }
        return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(f / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
    }

    public double melToHz(double m) {
        if (this == HTK) {
            return 700.0 * (Math.pow(10.0, m / 2595.0) - 1.0);
        }
        return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
    }
}
