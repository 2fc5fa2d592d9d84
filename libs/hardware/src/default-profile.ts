import { deepFreeze } from './deep-freeze';
import type { DeviceProfile } from './profile';

/**
 * `rram-40nm-ternary`: a 40 nm RRAM compute-in-memory macro running a ternary network, with a
 * 2T2R RRAM TCAM beside it. Each figure is cited below (docs/energy-model.md collects the energy
 * constants with their sources); anything not taken from a publication is labelled an assumption.
 */
export const DEFAULT_DEVICE_PROFILE: DeviceProfile = deepFreeze({
  version: 1,
  name: 'rram-40nm-ternary',
  conductance: {
    // NeuRRAM programming window 1..40 µS, write-verify, differential pairs
    // (Wan et al., Nature 608, 2022).
    hrsUs: 1,
    lrsUs: 40,
    // Assumption: filament ceiling 25% above the window top; keeps clipping of LRS cells beyond
    // 9 sigma at the default noise, while a negative conductance is impossible (floor 0).
    maxUs: 50,
  },
  // aihwkit ReRamWan2022NoiseModel (fit to Wan et al. 2022, 1 s after programming):
  // sigma(g) = 0.348 + 16.030x - 43.853x^2 + 45.393x^3 - 16.815x^4 µS, x = g / 40 µS.
  // A ternary array only holds the two extreme states: sigma(40 µS) = 1.103 µS = 2.83% of the
  // 39 µS window, sigma(1 µS) = 0.722 µS = 1.85%. The fit peaks at about 2.3 µS (6% of the window)
  // for intermediate conductances, which a ternary array never programs; sweeps use the
  // 'uniform' model with relativeStd as the noise level (0.06 = that worst case).
  programmingNoise: { model: 'state-dependent', lrsRelativeStd: 0.0283, hrsRelativeStd: 0.0185 },
  // Order of magnitude from the aihwkit ReRamWan2022NoiseModel note ("short-term read noise about
  // 1%"); Wan et al. publish no separate read-noise data, so this value is an assumption.
  readNoise: { model: 'uniform', relativeStd: 0.01 },
  // Assumption: write-verify programming with spare-column repair leaves no stuck cells; the
  // source collection has no stuck-at rate. Sweep it through withOverrides.
  stuckAtFaults: { lrsRate: 0, hrsRate: 0 },
  // aihwkit ReRamWan2022NoiseModel: "ReRAM does not show drift in the usual sense"; the
  // programming-noise fit above already includes relaxation up to the 1 s read.
  drift: null,
  // NeuroSim V1.3 RRAM default subarray is 128x128. 128 rows bound a ternary column's partial
  // sum to +-128 input steps, which an 8-bit ADC resolves when its range is calibrated.
  tile: { rows: 128, cols: 128 },
  dac: {
    // Assumption: 8-bit activations, as in int8 inference (MNIST pixels are 8-bit natively).
    bits: 8,
    // Assumption: the input range is the largest calibration input, so calibration data never clip.
    calibrationPercentile: 100,
  },
  adc: {
    // ISAAC's 8-bit SAR ADC (Kull et al., ISSCC 2013, via Accelergy isaac.py); finer than
    // NeuroSim's 5-bit default because inputs are multi-bit, not bit-serial.
    bits: 8,
    // Assumption: calibrated range (as chips calibrate per layer); full scale would waste most of
    // the 255 levels because typical partial sums are about sqrt(128) of the 128-row maximum.
    rangePolicy: 'calibrated',
    // Assumption: the 99.9th percentile of |partial sum| sets the range, so about 0.1% of the
    // calibration partial sums clip in exchange for finer steps than their maximum would give.
    calibrationPercentile: 99.9,
    // Assumption: ranges from the noise-free network, shared by every chip (no calibration pass
    // per programmed chip); 'chip' calibrates each chip after programming.
    calibrationData: 'artifact',
  },
  tcam: {
    // Assumption: same RRAM technology as the crossbar (Eva-CAM 2T2R TCAM cell, 40 nm), binary
    // states at the window ends, so the same state-dependent fit applies.
    programmingNoise: { model: 'state-dependent', lrsRelativeStd: 0.0283, hrsRelativeStd: 0.0185 },
    // Assumption: sense-amplifier input noise of 10% of one mismatch step (one LRS-HRS difference).
    senseNoiseRelativeStd: 0.1,
  },
  energy: {
    // Component level (the crossbar's cell reads, ADCs, DACs and accumulation priced one by one),
    // so the ADC and DAC constants below are what the crossbar costs. The macro-level alternative
    // is Li et al., IEEE JSSC 2022, 40 nm MLC RRAM macro, ternary VGG-8: 44.5 TOPS/W = 2 ops /
    // 44.5e12 ops/J = 0.045 pJ per MAC with its periphery; set macroMacPj to 0.045 and
    // cellReadPjPerPulse to null to use it (never both: that would count the periphery twice).
    macroMacPj: null,
    // One weight = a differential pair, one cell at LRS and one at HRS (40 + 1 µS), read at 0.2 V
    // (Liu et al., ISSCC 2020, 2T2R RRAM macro) for 10 ns (NeuroSim V1.3 read pulse, Param.cpp):
    // E = V^2 * G * t = 0.04 V^2 * 41e-6 S * 10e-9 s = 0.0164 pJ. Assumption: every pulse conducts
    // and zero weights (2 µS) cost as much as +-1 ones: an upper bound.
    cellReadPjPerPulse: 0.0164,
    // ISAAC SAR ADC (Kull et al., ISSCC 2013; Accelergy hwcomponents-library isaac.py): 8 bit
    // 1.67 pJ, scaled table 4/5/6/7/9/10 bit = 0.79/0.99/1.20/1.42/1.97/2.38 pJ (after Saberi et
    // al. 2011). Two-term SAR model, b comparator cycles plus a capacitive DAC charged in
    // proportion to 2^b: E = 0.1955 b + 0.000412 * 2^b pJ, a least-squares fit within 0.2% of
    // every table entry; outside 4..10 bits it is an extrapolation.
    adcPjPerBit: 0.1955,
    adcPjPerLevel: 0.000412,
    // ISAAC 1-bit DAC, 0.417 pJ per conversion; a b-bit input is applied as b one-bit pulses
    // integrated before one ADC conversion (as NeuRRAM does), so E_dac = b * 0.417 pJ.
    dacPjPerBit: 0.417,
    // Horowitz ISSCC 2014 (45 nm): 32-bit integer add 0.1 pJ; a tile's partial sum is added into
    // its column's 32-bit total.
    accumulatePj: 0.1,
    // Assumption: 128 KB of activation SRAM, the order of Eyeriss' 108 KB global buffer; both the
    // chip and the digital baselines read operands from and write outputs to a buffer this size.
    activationBufferKb: 128,
    // CAMASim TCAM_64 cost model: 1.28 pJ per 64-bit-wide subarray search (simulated, not silicon;
    // no fabricated memristor TCAM figure exists). Read as one 64-bit row compare: 0.02 pJ per
    // bit; if the figure covers several rows this overstates CAM energy (conservative).
    camBitSearchPj: 0.02,
    // Assumption: the margin rule needs each row's mismatch count (best and second best), read
    // by a match-line ADC (or time-to-digital converter) of 7 bits (counts 0..127 of a 128-bit
    // query), priced with the ISAAC ADC model above: 1.42 pJ per row per search.
    camReadoutBits: 7,
    // Horowitz ISSCC 2014 (45 nm): 32-bit integer add 0.1 pJ; accumulators and comparators on the
    // digital side are 32-bit.
    digitalOpPj: 0.1,
  },
  digitalBaseline: {
    // Assumption (the choice): the int8 weight-stationary dataflow accelerator
    // (digital-baseline.ts, docs/energy-model.md) is the baseline results are compared with.
    name: 'int8-dataflow',
    // Horowitz ISSCC 2014's largest SRAM, 1 MB: holds the int8 weights of either network, so
    // the default baseline reads each weight from SRAM once per inference, never from DRAM.
    weightBufferKb: 1024,
  },
});
