import { Rng } from '../../src/core/rng.js';
import { applyRopeInto, ropeTables } from '../../src/rope/index.js';
import { ropeBuffer } from '../../src/rope/kernels.js';
const [P, d] = [4096, 128];
const n = P * d;
const rb = ropeBuffer(n); rb.set(new Rng(0).normals(n));
const t = ropeTables(P, d);
function once(fn: () => void) { const c = process.cpuUsage(); for (let k = 0; k < 32; k++) fn(); const u = process.cpuUsage(c); return (u.user + u.system) / 1000; }
for (const layout of ['interleaved', 'half'] as const) { const v: number[] = []; for (let r = 0; r < 9; r++) v.push(once(() => applyRopeInto(rb, t, d, layout, rb))); v.sort((a, b) => a - b); console.log(layout, 'heads=1 x32 calls', v[4]); }
