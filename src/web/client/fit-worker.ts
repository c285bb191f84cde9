/**
 * The scaling page's fit, off the page's thread: CSV text -> runs (the scaling part's parser) ->
 * the Approach-3 fit with the CLI's settings (FIT_DEFAULTS: Huber on log loss, the 4500-start grid,
 * L-BFGS), the same code `modelmath scaling fit` runs.
 */
import { checkFittable, fitApproach3, parseRunsCsv } from '../../scaling/index.js';

export interface FitRequest {
  csv: string;
  name: string;
}

self.onmessage = (e: MessageEvent<FitRequest>) => {
  try {
    const runs = parseRunsCsv(e.data.csv, e.data.name);
    checkFittable(runs, e.data.name);
    const t0 = performance.now();
    const { logRuns: _l, optima: _o, ...fit } = fitApproach3(runs);
    const points = Array.from(runs.params, (n, i) => ({ params: n, tokens: runs.tokens[i] }));
    self.postMessage({ fit, points, seconds: (performance.now() - t0) / 1000 });
  } catch (err) {
    self.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
};
