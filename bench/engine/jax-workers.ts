/**
 * Imported first by bench/engine/engine.ts: with --jax-workers, lets @jax-js/jax run its wasm
 * kernels on worker threads under Node. jax-js looks for a global `Worker` (Node has none: the
 * `web-worker` package provides one) and starts its workers from blob: URLs, which Node's
 * worker_threads cannot load, so blob URLs of script text become data: URLs. It must run before
 * jax-js is evaluated. A measurement aid for the engine decision, not a feature.
 */
import NodeWorker from 'web-worker';

if (process.argv.includes('--jax-workers')) {
  const sources = new WeakMap<Blob, string>();
  class RecordingBlob extends Blob {
    constructor(parts: BlobPart[], options?: BlobPropertyBag) {
      super(parts, options);
      sources.set(this, parts.map(String).join(''));
    }
  }
  const createObjectURL = URL.createObjectURL;
  globalThis.Blob = RecordingBlob as typeof Blob;
  URL.createObjectURL = (blob: Blob) => {
    const src = sources.get(blob);
    return src === undefined
      ? createObjectURL(blob)
      : `data:text/javascript;base64,${Buffer.from(src).toString('base64')}`;
  };
  URL.revokeObjectURL = () => {};
  (globalThis as { Worker?: unknown }).Worker = NodeWorker;
}
