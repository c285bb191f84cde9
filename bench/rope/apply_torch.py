"""PyTorch peer for bench/rope/apply.ts: RoPE on x [1, heads, positions, head_dim] fp32, one thread.

Every eager form a PyTorch user would write, per layout (cos/sin precomputed unless "full"):
  half        naive          q * cos + rotate_half(q) * sin (Hugging Face; cos/sin [P, d] repeated halves)
              addcmulBuffer  mul + addcmul into the two halves of a reused output buffer
              full           naive, with the tables built in the call
  interleaved naive          real arithmetic on a [..., d/2, 2] view, torch.stack of the two results
              complex        view_as_real(view_as_complex(q) * freqs_cis) (Meta's Llama code)
              complexBuffer  torch.mul(view_as_complex(q), freqs_cis, out=view_as_complex(buf))
              complexInPlace view_as_complex(q).mul_(freqs_cis)
              addcmulBuffer  mul + addcmul on the even/odd strided views of a reused buffer
              full           complex, with freqs_cis built in the call (torch.polar)
  copy                       buf.copy_(q): reading and writing the same bytes (memory-bandwidth bound)
Usage: apply_torch.py heads positions head_dim repeats. Prints one JSON object: median process-CPU
milliseconds per call of each form.
"""
import json
import sys
import time

import torch

torch.set_num_threads(1)
heads, positions, dim = (int(v) for v in sys.argv[1:4])
repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 7
h = dim // 2


def angles(base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.float32) / dim))
    return torch.outer(torch.arange(positions, dtype=torch.float32), inv)  # [P, d/2]


def hf_tables():
    ang = angles()
    emb = torch.cat((ang, ang), dim=-1)  # [P, d]
    return emb.cos(), emb.sin()


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


x = torch.randn(1, heads, positions, dim, generator=torch.Generator().manual_seed(0))
cos2, sin2 = hf_tables()
ang = angles()
cos, sin = ang.cos(), ang.sin()
freqs_cis = torch.polar(torch.ones_like(ang), ang)  # [P, d/2] complex64
buf = torch.empty_like(x)
buf_c = torch.view_as_complex(buf.view(*x.shape[:-1], h, 2))
work = x.clone()
work_c = torch.view_as_complex(work.view(*x.shape[:-1], h, 2))


def half_naive():
    return x * cos2 + rotate_half(x) * sin2


def half_full():
    c, s = hf_tables()
    return x * c + rotate_half(x) * s


def rotate_into(a, b, out_a, out_b):
    """out_a = a cos - b sin, out_b = b cos + a sin with mul and addcmul_ into views of buf."""
    torch.mul(a, cos, out=out_a)
    out_a.addcmul_(b, sin, value=-1)
    torch.mul(b, cos, out=out_b)
    out_b.addcmul_(a, sin)
    return buf


def half_addcmul_buffer():
    return rotate_into(x[..., :h], x[..., h:], buf[..., :h], buf[..., h:])


def inter_naive():
    pairs = x.view(*x.shape[:-1], h, 2)
    a, b = pairs[..., 0], pairs[..., 1]
    return torch.stack((a * cos - b * sin, a * sin + b * cos), dim=-1).flatten(-2)


def inter_complex():
    xc = torch.view_as_complex(x.view(*x.shape[:-1], h, 2))
    return torch.view_as_real(xc * freqs_cis).flatten(-2)


def inter_full():
    a = angles()
    f = torch.polar(torch.ones_like(a), a)
    xc = torch.view_as_complex(x.view(*x.shape[:-1], h, 2))
    return torch.view_as_real(xc * f).flatten(-2)


def inter_complex_buffer():
    torch.mul(torch.view_as_complex(x.view(*x.shape[:-1], h, 2)), freqs_cis, out=buf_c)
    return buf


def inter_complex_in_place():
    work_c.mul_(freqs_cis)
    return work


def inter_addcmul_buffer():
    return rotate_into(x[..., 0::2], x[..., 1::2], buf[..., 0::2], buf[..., 1::2])


def copy():
    return buf.copy_(x)


def check():
    """Every form of a layout gives the same result (so the timings compare the same work)."""
    ref_h = half_naive()
    for f in (half_full, half_addcmul_buffer):
        assert torch.allclose(f(), ref_h, atol=1e-5), f.__name__
    ref_i = inter_naive()
    for f in (inter_complex, inter_full, inter_complex_buffer, inter_addcmul_buffer):
        assert torch.allclose(f(), ref_i, atol=1e-5), f.__name__
    work.copy_(x)
    assert torch.allclose(inter_complex_in_place(), ref_i, atol=1e-5)


def median_cpu_ms(fn):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append((time.process_time() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


check()
forms = {
    "half": {"naive": half_naive, "addcmulBuffer": half_addcmul_buffer, "full": half_full},
    "interleaved": {
        "naive": inter_naive,
        "complex": inter_complex,
        "complexBuffer": inter_complex_buffer,
        "complexInPlace": inter_complex_in_place,
        "addcmulBuffer": inter_addcmul_buffer,
        "full": inter_full,
    },
}
out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "copy": median_cpu_ms(copy)}
for layout, fns in forms.items():
    out[layout] = {name: median_cpu_ms(fn) for name, fn in fns.items()}
print(json.dumps(out))
