"""PyTorch peer of bench/physics/epoch.ts: seconds per epoch of the latent-physics model.

Same model and step as modelmath's paper preset (Castañeda Garcia et al. 2025): MLP 5600 -> 1000 -> 100 -> 1 with ReLU,
Eq. 6 rollout over 10-frame clips from the first two encodings, KL(N(mean, var) || N(0, 1)),
Adam with lr 1e-3 (encoder) and 1e-2 (g0, g1). Random frames (timing only).
Usage: python3 epoch_torch.py --threads 1 --clips 256 --batch 128 --epochs 2 --pixels 5600 --hidden 1000,100
Prints one JSON object (wall and process-CPU seconds per epoch).
"""
import argparse
import json
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clips", type=int, default=256)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--pixels", type=int, default=5600)
    ap.add_argument("--hidden", type=str, default="1000,100")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dims = [a.pixels] + [int(h) for h in a.hidden.split(",")] + [1]
    layers = []
    for i in range(len(dims) - 1):
        layers.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            layers.append(torch.nn.ReLU())
    enc = torch.nn.Sequential(*layers)
    g0 = torch.nn.Parameter(torch.tensor(10.0))
    g1 = torch.nn.Parameter(torch.tensor(1.0))
    opt = torch.optim.Adam([{"params": enc.parameters(), "lr": 1e-3}, {"params": [g0, g1], "lr": 1e-2}])
    frames = torch.rand(a.clips, 10, a.pixels) * 2 - 1
    dt = 0.1

    def step(x):
        b, t, p = x.shape
        z = enc(x.reshape(b * t, p)).reshape(b, t)
        zp, zc = z[:, 0], z[:, 1]
        preds = []
        for _ in range(t - 2):
            v = (zc - zp) / dt
            zn = zc + dt * (v - dt * (g1 * v + g0 * zc))  # lecture Eq. 6
            preds.append(zn)
            zp, zc = zc, zn
        mse = ((torch.stack(preds, 1) - z[:, 2:]) ** 2).mean()
        mu, var = z.mean(), z.var()
        kl = 0.5 * (var + mu * mu - 1 - torch.log(var))
        loss = mse + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    def epoch():
        perm = torch.randperm(a.clips)
        for i in range(0, a.clips, a.batch):
            step(frames[perm[i : i + a.batch]])

    epoch()  # warm-up
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.epochs):
        epoch()
    sec = (time.perf_counter() - t0) / a.epochs
    cpu = (time.process_time() - c0) / a.epochs
    print(json.dumps({"threads": a.threads, "secondsPerEpoch": sec, "cpuSecondsPerEpoch": cpu, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
