"""PyTorch peer of the ChordEdit math at SD-Turbo size (latent [1,4,64,64], one noise draw):
query noising at t and t - delta for both prompts (batch 4), x0 estimates from a given eps,
residual fields, chord field, transport, and the refinement's noising + x0 estimate.
The "model" returns a precomputed eps, so only the math is timed (1 thread). Prints JSON."""
import json
import time

import torch

torch.set_num_threads(1)
torch.manual_seed(0)
betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
abar = torch.cumprod(1 - betas, 0).float()
x = torch.randn(1, 4, 64, 64)
eps_model = torch.randn(4, 4, 64, 64)


def alpha_sigma(idx):
    return abar[idx].sqrt(), (1 - abar[idx]).sqrt()


def edit(seed, t=0.9, delta=0.15, lam=1.0, tc=0.3):
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(x.shape, generator=g)
    i_s, i_p = round(999 * t), round(999 * (t - delta))
    a_s, s_s = alpha_sigma(i_s)
    a_p, s_p = alpha_sigma(i_p)
    z_s = a_s * x + s_s * noise
    z_p = a_p * x + s_p * noise
    samples = torch.cat([z_s, z_s, z_p, z_p])
    a = torch.stack([a_s, a_s, a_p, a_p]).view(4, 1, 1, 1)
    s = torch.stack([s_s, s_s, s_p, s_p]).view(4, 1, 1, 1)
    x0 = (samples - s * eps_model) / a
    r_s = x0[1] - x0[0]
    r_p = x0[3] - x0[2]
    u = (t * r_p + delta * r_s) / (t + delta)
    x_pred = x + lam * u
    a_c, s_c = alpha_sigma(round(999 * tc))
    z_c = a_c * x_pred + s_c * noise
    return (z_c - s_c * eps_model[:1]) / a_c


times = []
for r in range(21):
    t0 = time.perf_counter()
    edit(r)
    if r > 0:
        times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(json.dumps({"peer": "torch", "version": torch.__version__, "threads": 1, "msMedian": times[len(times) // 2], "msMin": times[0]}))
