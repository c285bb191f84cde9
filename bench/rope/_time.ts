import { Rng } from '../../src/core/rng.js';
import { applyRopeInto, ropeTables } from '../../src/rope/index.js';
import { ropeBuffer } from '../../src/rope/kernels.js';
const [heads, P, d] = [32, 4096, 128];
const n = heads * P * d;
const x = new Rng(0).normals(n);
const work = x.slice(), buf = new Float32Array(n);
const rb = ropeBuffer(2 * n); const rx = rb.subarray(0, n), ro = rb.subarray(n); rx.set(x);
const t = ropeTables(P, d);
function med(fn: () => void) { fn(); const ts: number[] = []; for (let i = 0; i < 7; i++) { const c = process.cpuUsage(); fn(); const u = process.cpuUsage(c); ts.push((u.user + u.system) / 1000); } ts.sort((a, b) => a - b); return ts[3]; }
for (let round = 0; round < 2; round++) for (const layout of ['interleaved', 'half'] as const) {
  console.log(layout, JSON.stringify({
    tileInPlace: med(() => applyRopeInto(work, t, d, layout, work)),
    tileIntoBuf: med(() => applyRopeInto(x, t, d, layout, buf)),
    resInPlace: med(() => applyRopeInto(rx, t, d, layout, rx)),
    resIntoBuf: med(() => applyRopeInto(rx, t, d, layout, ro)),
    copy: med(() => buf.set(x)),
  }));
}
