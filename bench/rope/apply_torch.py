"""PyTorch peer for bench/rope/apply.ts: RoPE at [heads, positions, head_dim] fp32, one thread.

half: the Hugging Face style (q * cos + rotate_half(q) * sin with cos/sin repeated over both halves).
interleaved: adjacent pairs (2j, 2j+1) through a [.., d/2, 2] view (Meta-style real arithmetic).
Prints one JSON object with median milliseconds per call (tables included, and apply only).
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
heads, positions, dim = (int(v) for v in sys.argv[1:4])
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 7


def tables(base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    ang = torch.outer(torch.arange(positions, dtype=torch.float32), inv)  # [P, d/2]
    return ang.cos(), ang.sin()


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def apply_half(x, cos, sin):
    c = torch.cat((cos, cos), dim=-1)
    s = torch.cat((sin, sin), dim=-1)
    return x * c + rotate_half(x) * s


def apply_interleaved(x, cos, sin):
    pairs = x.view(*x.shape[:-1], dim // 2, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)


def median_ms(fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


x = torch.randn(heads, positions, dim, generator=torch.Generator().manual_seed(0))
cos, sin = tables()
out = {"torch": torch.__version__, "threads": torch.get_num_threads()}
for name, fn in (("half", apply_half), ("interleaved", apply_interleaved)):
    out[name] = {
        "fullMs": median_ms(lambda: fn(x, *tables())),
        "applyMs": median_ms(lambda: fn(x, cos, sin)),
    }
print(json.dumps(out))
