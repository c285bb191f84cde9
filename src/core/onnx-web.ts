/**
 * The browser's ONNX Runtime: onnxruntime-web sessions (WebAssembly CPU, or WebGPU where the browser
 * has it) behind the same OnnxSession interface as onnxruntime-node's (./onnx-session.ts), so the
 * pipeline code is the same on both sides. Used only by the web build; the runtime's .wasm binary
 * comes from the page's own build (`wasmBinary`), never from the network.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { ConfigError, InputError } from './errors.js';
import { OrtSession } from './onnx-session.js';

/** Execution back-ends of the page: 'webgpu' needs `navigator.gpu`; 'wasm' runs everywhere. */
export const WEB_DEVICES = ['wasm', 'webgpu'] as const;
export type WebDevice = (typeof WEB_DEVICES)[number];

export interface WebRuntimeOptions {
  device: WebDevice;
  /**
   * The runtime's WebAssembly binary for the device, fetched by the page from its own build (so it
   * can show progress): ort-wasm-simd-threaded.wasm for 'wasm', the .asyncify build for 'webgpu'.
   */
  wasmBinary: ArrayBuffer;
  /** Intra-op threads of the wasm back-end (more than 1 needs a cross-origin-isolated page). */
  threads: number;
}

type OrtWeb = typeof import('onnxruntime-web');

type GpuNavigator = { gpu?: { requestAdapter(): Promise<unknown | null> } };

let gpuCheck: Promise<boolean> | null = null;

/** Whether this browser has a usable WebGPU adapter (`navigator.gpu` alone is not enough: headless browsers expose it without one). */
export function hasWebGpu(): Promise<boolean> {
  gpuCheck ??= (async () => {
    const gpu = typeof navigator === 'undefined' ? undefined : (navigator as GpuNavigator).gpu;
    if (!gpu) return false;
    try {
      return Boolean(await gpu.requestAdapter());
    } catch {
      return false;
    }
  })();
  return gpuCheck;
}

const runtimes = new Map<WebDevice, Promise<OrtWeb>>();

/** Loads the runtime build for a device once (the WebGPU build is larger; it is only loaded when asked for). */
function runtime(o: WebRuntimeOptions): Promise<OrtWeb> {
  let r = runtimes.get(o.device);
  if (!r) {
    r = (o.device === 'webgpu' ? import('onnxruntime-web/webgpu') : import('onnxruntime-web/wasm')).then((ort) => {
      ort.env.wasm.wasmBinary = o.wasmBinary;
      ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? o.threads : 1;
      ort.env.wasm.proxy = false;
      ort.env.logLevel = 'error';
      return ort as OrtWeb;
    });
    runtimes.set(o.device, r);
  }
  return r;
}

/**
 * A session for one graph given as bytes (`name` labels it in messages); `externalData` carries a
 * graph's weights file (e.g. model.onnx_data of a large export) under the name the graph refers to.
 */
export async function loadWebSession(
  name: string,
  bytes: Uint8Array,
  o: WebRuntimeOptions,
  externalData: { path: string; data: Uint8Array }[] = [],
): Promise<OrtSession> {
  if (!WEB_DEVICES.includes(o.device)) {
    throw new ConfigError(`device ${JSON.stringify(o.device)} is not available; supported: ${WEB_DEVICES.join(', ')}`);
  }
  if (o.device === 'webgpu' && !(await hasWebGpu())) {
    throw new ConfigError('device webgpu: this browser has no WebGPU adapter; use wasm');
  }
  const ort = await runtime(o);
  const options: InferenceSession.SessionOptions = {
    executionProviders: [o.device],
    graphOptimizationLevel: 'all',
    ...(externalData.length ? { externalData } : {}),
  };
  try {
    const session = await ort.InferenceSession.create(bytes, options);
    return new OrtSession(name, session, ort.Tensor);
  } catch (err) {
    const reason = (err as Error).message?.split('\n')[0] ?? String(err);
    throw new InputError(`cannot load ONNX model ${name} on ${o.device}: ${reason}`, { cause: err });
  }
}
