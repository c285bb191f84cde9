"""PyTorch peer of bench/diffusion/lab-train.ts: the same lab networks (SiLU MLP trunk of width H,
depth L, Fourier noise features, linear head) and the same denoising loss with AdamW, timed per
step. For the energy network eps = grad_x g(x, t) is taken with create_graph=True (second order).
Usage: python3 lab_train_torch.py --model energy|eps --steps N --batch B --hidden H --depth L
Prints one JSON line {model, msPerStep, finalLoss}.
"""
import argparse
import json
import math
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--model", default="energy")
p.add_argument("--steps", type=int, default=200)
p.add_argument("--batch", type=int, default=256)
p.add_argument("--hidden", type=int, default=128)
p.add_argument("--depth", type=int, default=3)
p.add_argument("--freqs", type=int, default=6)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

T = 1000
betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
abar = torch.cumprod(1 - betas, 0).float()

layers = []
d_in = 2 + 2 * a.freqs + 1
for i in range(a.depth):
    layers += [torch.nn.Linear(d_in if i == 0 else a.hidden, a.hidden), torch.nn.SiLU()]
trunk = torch.nn.Sequential(*layers)
head = torch.nn.Linear(a.hidden, 2 if a.model == "eps" else 1, bias=a.model == "eps")
params = list(trunk.parameters()) + list(head.parameters())
opt = torch.optim.AdamW(params, lr=3e-3, weight_decay=0.0)
k = torch.arange(1, a.freqs + 1).float() * math.pi


def features(u):
    ang = u[:, None] * k[None, :]
    return torch.cat([u[:, None], torch.sin(ang), torch.cos(ang)], 1)


def eps_pred(xt, u):
    if a.model == "eps":
        return head(trunk(torch.cat([xt, features(u)], 1)))
    xt = xt.requires_grad_(True)
    g = head(trunk(torch.cat([xt, features(u)], 1))).sum()
    return torch.autograd.grad(g, xt, create_graph=True)[0]


def moons(n):
    th = math.pi * torch.rand(n)
    up = torch.arange(n) % 2 == 0
    x = torch.where(up, torch.cos(th), 1 - torch.cos(th))
    y = torch.where(up, torch.sin(th), 0.5 - torch.sin(th))
    return (torch.stack([x - 0.5, y - 0.25], 1) + 0.05 * torch.randn(n, 2)) / 0.7


losses = []
start = time.perf_counter()
for step in range(a.steps):
    x0 = moons(a.batch)
    eps = torch.randn(a.batch, 2)
    idx = torch.randint(0, T, (a.batch,))
    al = abar[idx].sqrt()[:, None]
    si = (1 - abar[idx]).sqrt()[:, None]
    u = 1 + torch.log(si[:, 0]) / 5
    loss = ((eps_pred(al * x0 + si * eps, u) - eps) ** 2).mean()
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    losses.append(loss.item())
ms = (time.perf_counter() - start) * 1000 / a.steps
print(json.dumps({"model": a.model, "msPerStep": ms, "finalLoss": sum(losses[-20:]) / 20}))
