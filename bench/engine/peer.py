"""PyTorch peer for bench/engine/engine.ts: the same measurements on torch (CPU), printed as one
JSON object. Usage: /usr/bin/python3 bench/engine/peer.py [--threads 1,2] [--quick]
Measures fp32 1024^2 matmul GFLOPS, per-op overhead of a tiny add, MLP training steps/s
(5600 -> 1000 -> 100 -> 1, ReLU, batch 128, Adam), steps/s of a small causal attention + MLP block
(B 8, T 32, D 64, H 4) and gradient correctness (float32 autograd vs
float64 central differences) for a small GELU MLP and a small attention block."""
import argparse
import json
import math
import time

import torch


def timed(fn, reps):
    """Best (minimum) wall and process-CPU seconds over reps runs (as bench/engine/engine.ts)."""
    wall, cpu = math.inf, math.inf
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return {"wall": wall, "cpu": cpu}


def rate(t, work):
    return {k: work / v for k, v in t.items()}


def per_unit_us(t, units):
    return {k: v / units * 1e6 for k, v in t.items()}


def matmul_gflops(reps):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(1024, 1024, generator=g)
    b = torch.randn(1024, 1024, generator=g)
    a @ b
    return rate(timed(lambda: a @ b, reps), 2 * 1024**3 / 1e9)


def small_op_us(n):
    x = torch.tensor([1.0, 2.0, 3.0, 4.0])
    x + x

    def run():
        for _ in range(n):
            x + x

    return per_unit_us(timed(run, 3), n)


def mlp_steps_per_s(steps):
    g = torch.Generator().manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(5600, 1000), torch.nn.ReLU(), torch.nn.Linear(1000, 100), torch.nn.ReLU(), torch.nn.Linear(100, 1)
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(128, 5600, generator=g)
    y = torch.randn(128, 1, generator=g)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()
    return rate(timed(step, steps), 1)


class Block(torch.nn.Module):
    """Causal multi-head attention + ReLU MLP with residuals (as BLOCK in engine.ts)."""

    def __init__(self, d=64, heads=4, f=256):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (torch.nn.Linear(d, d) for _ in range(4))
        self.ff = torch.nn.Sequential(torch.nn.Linear(d, f), torch.nn.ReLU(), torch.nn.Linear(f, d))

    def forward(self, x):
        b, t, d = x.shape
        split = lambda z: z.view(b, t, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        mask = torch.triu(torch.full((t, t), float("-inf")), diagonal=1)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + mask, dim=-1)
        h = x + self.o((att @ v).transpose(1, 2).reshape(b, t, d))
        return h + self.ff(h)


def block_steps_per_s(steps):
    g = torch.Generator().manual_seed(0)
    model = Block()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(8, 32, 64, generator=g)
    y = torch.randn(8, 32, 64, generator=g)

    def run():
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()

    run()
    return rate(timed(run, steps), 1)


def gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def rel_error(f, params):
    """max |autograd_f32 - FD_f64| / max |FD_f64| over all parameters."""
    p32 = [p.detach().float().clone().requires_grad_(True) for p in params]
    f(p32).backward()
    ga = [p.grad.double() for p in p32]
    p64 = [p.detach().double().clone() for p in params]
    h = 1e-6
    num, den = 0.0, 0.0
    for k, p in enumerate(p64):
        flat = p.view(-1)
        for i in range(flat.numel()):
            x0 = flat[i].item()
            flat[i] = x0 + h
            fp = f(p64).item()
            flat[i] = x0 - h
            fm = f(p64).item()
            flat[i] = x0
            fd = (fp - fm) / (2 * h)
            num = max(num, abs(ga[k].view(-1)[i].item() - fd))
            den = max(den, abs(fd))
    return num / den


def grad_errors():
    g = torch.Generator().manual_seed(1)
    dims = [4, 6, 5, 2]
    mlp_params = [torch.randn(3, 4, generator=g, dtype=torch.float64)]
    for i in range(3):
        mlp_params += [torch.randn(dims[i], dims[i + 1], generator=g, dtype=torch.float64) / math.sqrt(dims[i])]
        mlp_params += [torch.randn(dims[i + 1], generator=g, dtype=torch.float64) * 0.5]
    r = torch.randn(3, 2, generator=g, dtype=torch.float64)

    def mlp(ps):
        h = ps[0]
        for i in range(3):
            h = h @ ps[1 + 2 * i] + ps[2 + 2 * i]
            if i < 2:
                h = gelu(h)
        return (h * r.to(h.dtype)).sum()

    t, d, heads = 3, 4, 2
    att_params = [torch.randn(1, t, d, generator=g, dtype=torch.float64)]
    for _ in range(4):
        att_params += [torch.randn(d, d, generator=g, dtype=torch.float64) / 2, torch.randn(d, generator=g, dtype=torch.float64) * 0.3]
    ra = torch.randn(1, t, d, generator=g, dtype=torch.float64)

    def attention(ps):
        x, wq, bq, wk, bk, wv, bv, wo, bo = ps
        split = lambda z: z.view(1, t, heads, d // heads).transpose(1, 2)
        q, k, v = split(x @ wq + bq), split(x @ wk + bk), split(x @ wv + bv)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), dim=-1)
        out = (att @ v).transpose(1, 2).reshape(1, t, d) @ wo + bo
        return (out * ra.to(out.dtype)).sum()

    return {"mlp": rel_error(mlp, mlp_params), "attention": rel_error(attention, att_params)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    reps = 3 if args.quick else 7
    out = {"torch": torch.__version__, "gradRelError": grad_errors()}
    for n in [int(s) for s in args.threads.split(",")]:
        torch.set_num_threads(n)
        out[f"threads{n}"] = {
            "matmulGflops": matmul_gflops(reps),
            "smallOpUs": small_op_us(2000),
            "mlpStepsPerSec": mlp_steps_per_s(3 if args.quick else 5),
            "blockStepsPerSec": block_steps_per_s(5 if args.quick else 20),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
