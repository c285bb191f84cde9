import { Rng } from '../../src/core/rng.js';
import { applyRopeInto, ropeTables } from '../../src/rope/index.js';
import { ropeBuffer } from '../../src/rope/kernels.js';
const [heads, P, d] = [8, 128, 128]; // 512 KiB
const n = heads * P * d;
const rb = ropeBuffer(2 * n); const rx = rb.subarray(0, n), ro = rb.subarray(n); rx.set(new Rng(0).normals(n));
const t = ropeTables(P, d);
const reps = 128; // 64 MiB worth
function med(fn: () => void) { fn(); const ts: number[] = []; for (let i = 0; i < 7; i++) { const c = process.cpuUsage(); for (let k = 0; k < reps; k++) fn(); const u = process.cpuUsage(c); ts.push((u.user + u.system) / 1000); } ts.sort((a, b) => a - b); return ts[3]; }
for (const layout of ['interleaved', 'half'] as const) console.log(layout, 'in-cache ms per 64 MiB', med(() => applyRopeInto(rx, t, d, layout, rx)), med(() => applyRopeInto(rx, t, d, layout, ro)), 'copy', med(() => ro.set(rx)));
