#!/usr/bin/env python3
"""PyTorch twin of zkd-bench (docs/performance.md protocol): the same cases on the same GPU.

Cases: a cross-entropy training step of resnet32x4, KD+LS steps resnet32x4 -> resnet8x4 and
-> ShuffleV2, and inference, on synthetic uint8 images resident on the GPU with a per-image random
crop (zero pad 4) + flip + normalize done on the GPU, as zkd does. Modes: fp32 (TF32 off), tf32
(TF32 on, zkd's default "fast" math), and bf16 autocast + channels_last. Warm-up 30 steps (with
cudnn.benchmark), then CUDA events over 200 steps, median of 3. The nets are the PyTorch
definitions of tests/nets/pytorch_crosscheck.py (checked there against zkd's)."""
import argparse
import os
import statistics
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "nets"))
import pytorch_crosscheck as zoo  # noqa: E402

MEAN = torch.tensor([0.5071, 0.4867, 0.4408]).view(1, 3, 1, 1)
STD = torch.tensor([0.2675, 0.2565, 0.2761]).view(1, 3, 1, 1)


def augment(images, gen):
    """uint8 [B, 3, 32, 32] on the GPU -> normalized float, per-image crop of the 4-padded image
    and horizontal flip."""
    b = images.shape[0]
    dev = images.device
    x = F.pad(images.float() / 255.0, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (b,), device=dev, generator=gen)
    dx = torch.randint(0, 9, (b,), device=dev, generator=gen)
    flip = torch.rand(b, device=dev, generator=gen) < 0.5
    ar = torch.arange(32, device=dev)
    rows = (ar[None, :] + dy[:, None])[:, None, :, None]
    cols = ar[None, :] + dx[:, None]
    cols = torch.where(flip[:, None], cols.flip(1), cols)[:, None, None, :]
    x = x[torch.arange(b, device=dev)[:, None, None, None], torch.arange(3, device=dev)[None, :, None, None], rows, cols]
    return (x - MEAN.to(dev)) / STD.to(dev)


def normalize(logit):
    mean = logit.mean(dim=-1, keepdims=True)
    stdv = logit.std(dim=-1, keepdims=True)
    return (logit - mean) / (1e-7 + stdv)


def kd_ls_loss(z, v, y, t=2.0, ce=0.1, kd=9.0):
    log_q = F.log_softmax(normalize(z) / t, dim=1)
    p = F.softmax(normalize(v) / t, dim=1)
    return ce * F.cross_entropy(z, y) + kd * F.kl_div(log_q, p, reduction="none").sum(1).mean() * t * t


def timed(step, warmup, steps, repeats):
    for i in range(warmup):
        step(i)
    torch.cuda.synchronize()
    out = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        for i in range(steps):
            step(i)
        b.record()
        b.synchronize()
        out.append(a.elapsed_time(b) / steps)
    return statistics.median(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--infer-batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", default="fp32,tf32,bf16")
    args = ap.parse_args()
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)
    rows = []
    for mode in args.modes.split(","):
        torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
        torch.backends.cudnn.allow_tf32 = mode == "tf32"
        fmt = torch.channels_last if mode == "bf16" else torch.contiguous_format
        ctx = (lambda: torch.autocast("cuda", dtype=torch.bfloat16)) if mode == "bf16" else (lambda: torch.autocast("cuda", enabled=False))

        def data(batch, seed):
            g = torch.Generator(device=dev)
            g.manual_seed(seed)
            imgs = torch.randint(0, 256, (8 * batch, 3, 32, 32), dtype=torch.uint8, device=dev, generator=g)
            labels = torch.randint(0, 100, (8 * batch,), device=dev, generator=g)
            return imgs, labels

        def batch_at(d, i, b):
            j = (i % 8) * b
            x = augment(d[0][j:j + b], gen).contiguous(memory_format=fmt)
            return x, d[1][j:j + b]

        def net(name):
            return zoo.MODELS[name](100).to(dev).to(memory_format=fmt)

        # teacher training step (CE)
        m = net("resnet32x4").train()
        opt = torch.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, fused=True)
        d = data(args.batch, 1)

        def train_step(i):
            x, y = batch_at(d, i, args.batch)
            with ctx():
                loss = F.cross_entropy(m(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        torch.cuda.reset_peak_memory_stats()
        ms = timed(train_step, args.warmup, args.steps, args.repeats)
        rows.append(("train", "resnet32x4", mode, args.batch, ms, torch.cuda.max_memory_allocated() / 2**20))
        del m, opt
        for student in ["resnet8x4", "ShuffleV2"]:
            t = net("resnet32x4").eval()
            s = net(student).train()
            opt = torch.optim.SGD(s.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4, fused=True)
            d = data(args.batch, 2)

            def kd_step(i):
                x, y = batch_at(d, i, args.batch)
                with ctx():
                    with torch.no_grad():
                        v = t(x)
                    z = s(x)
                    loss = kd_ls_loss(z.float(), v.float(), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            torch.cuda.reset_peak_memory_stats()
            ms = timed(kd_step, args.warmup, args.steps, args.repeats)
            rows.append(("kd+ls", "resnet32x4:" + student, mode, args.batch, ms, torch.cuda.max_memory_allocated() / 2**20))
            del t, s, opt
        for name in ["resnet32x4", "resnet8x4", "ShuffleV2"]:
            m = net(name).eval()
            d = data(args.infer_batch, 3)

            @torch.no_grad()
            def infer(i):
                x, _ = batch_at(d, i, args.infer_batch)
                with ctx():
                    m(x)
            torch.cuda.reset_peak_memory_stats()
            ms = timed(infer, args.warmup, args.steps, args.repeats)
            rows.append(("infer", name, mode, args.infer_batch, ms, torch.cuda.max_memory_allocated() / 2**20))
            del m
    print("\nPyTorch %s on %s, eager, cudnn.benchmark, warm-up %d, %d steps x %d (median)" % (
        torch.__version__, torch.cuda.get_device_name(), args.warmup, args.steps, args.repeats))
    print("| case  | model                    | mode | batch | ms/step  | images/s  | peak MiB |")
    print("|-------|--------------------------|------|-------|----------|-----------|----------|")
    for kind, model, mode, b, ms, mib in rows:
        print("| %-5s | %-24s | %-4s | %5d | %8.3f | %9.0f | %8.1f |" % (kind, model, mode, b, ms, b / (ms * 1e-3), mib))


if __name__ == "__main__":
    main()
