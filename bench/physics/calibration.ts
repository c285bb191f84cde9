/**
 * bench/physics/calibration.ts — what the law-preserving calibration (src/physics/calibrate.ts)
 * changes, from the stored runs in assets/physics/*.json: for the LED, the block's decay rate read
 * as if it were invariant vs calibrated through z - bOff = C b^p; for Torricelli, the outflow
 * coefficient converted with the latent's least-squares line vs through sqrt(z - hOff) = r sqrt(h) + K.
 * Usage: npx tsx bench/physics/calibration.ts
 */
import { decayRateFromEuler } from '../../src/physics/blocks.js';
import { median, readSuites, suiteRuns } from '../../src/physics/summary.js';
import { ASSETS } from '../../src/physics/tour.js';

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const row = (label: string, errors: number[]) =>
  console.log(`| ${label} | ${errors.length} | ${pct(median(errors))} | ${pct(Math.max(...errors))} |`);
const runs = suiteRuns(readSuites(ASSETS)).filter((r) => !r.variant && r.noise === 0 && r.background === 'plain');
console.log('| estimate | runs | median error | worst error |');
console.log('| --- | --- | --- | --- |');
for (const preset of ['fast', 'paper']) {
  const led = runs.filter((r) => r.system === 'led' && r.preset === preset && r.raw);
  if (led.length) {
    const asInvariant = led.map((r) => {
      const k = r.raw!.k;
      return Math.abs((r.substeps === 1 ? decayRateFromEuler(k, 0.1) : k) - 0.8) / 0.8;
    });
    row(`LED k, ${preset}: block value read as invariant`, asInvariant);
    row(
      `LED k, ${preset}: calibrated through z - bOff = C b^p`,
      led.map((r) => r.params.k.relativeError!),
    );
  }
  const tank = runs.filter((r) => r.system === 'torricelli' && r.preset === preset && r.raw);
  if (tank.length) {
    const linear = tank.map((r) => {
      const c = r.raw!.c;
      const a = r.latentFit!.scale;
      return Math.abs((Math.sign(a) * c) / Math.sqrt(Math.abs(a)) - 0.5) / 0.5;
    });
    row(`Torricelli c, ${preset}: least-squares line`, linear);
    row(
      `Torricelli c, ${preset}: through sqrt(z - hOff) = r sqrt(h) + K`,
      tank.map((r) => r.params.c.relativeError!),
    );
  }
}
