import { Rng } from '../../src/core/rng.js';
import { applyRopeInto, ropeTables } from '../../src/rope/index.js';
import { ropeBuffer, _setTile } from '../../src/rope/kernels.js';
_setTile(Math.max(...(process.argv[2] ?? "16384").split(",").map(Number)));
const [heads, P, d] = [32, 4096, 128];
const n = heads * P * d;
const rb = ropeBuffer(2 * n); const rx = rb.subarray(0, n), ro = rb.subarray(n); rx.set(new Rng(0).normals(n));
const t = ropeTables(P, d);
const tiles = (process.argv[2] ?? '2048,4096,16384').split(',').map(Number);
const res: Record<string, number[]> = {};
function once(fn: () => void) { const c = process.cpuUsage(); fn(); const u = process.cpuUsage(c); return (u.user + u.system) / 1000; }
for (let round = 0; round < 15; round++) for (const tile of tiles) for (const layout of ['interleaved', 'half'] as const) {
  _setTile(tile);
  applyRopeInto(rx, t, d, layout, rx);
  (res[`${layout}@${tile}`] ??= []).push(once(() => applyRopeInto(rx, t, d, layout, rx)));
}
for (const [k, v] of Object.entries(res)) { v.sort((a, b) => a - b); console.log(k, v[v.length >> 1].toFixed(2), v[2].toFixed(2)); }
