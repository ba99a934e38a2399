#!/usr/bin/env python3
"""zkd-bench --device cpu next to its PyTorch CPU twin, in one sitting (docs/cpu-results.md).

Cases, each at every thread count of --threads and each precision of --precisions: a
cross-entropy training step and a KD+LS distillation step (teacher forward without grad + student
step) for each student of --models, batch 64, on synthetic uint8 images with per-image crop (zero
pad 4) + flip + normalize, SGD momentum 0.9 wd 5e-4. zkd and PyTorch alternate case by case (and
precision by precision) so both see the same machine load. Precisions: fp32; bf16 = zkd-bench
--precision bf16 (docs/precision.md) next to PyTorch's torch.autocast("cpu", dtype=torch.bfloat16)
around the forward passes, the losses in float32 on both sides.
Timing: --warmup untimed steps, then --repeats x --steps timed steps: wall ms/step (median of the
repeats) and process CPU ms/step (all threads, mean), the fairer number when other jobs share
the cores. Run it with Debian's /usr/bin/python3 (python3-torch).
The PyTorch nets are those of tests/nets/pytorch_crosscheck.py (checked there against zkd's).
Writes a Markdown table to stdout and all rows to --json."""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "nets"))
sys.path.insert(0, os.path.join(HERE, "..", "gpu"))
import pytorch_crosscheck as zoo  # noqa: E402
from bench_pytorch import kd_ls_loss  # noqa: E402

MEAN = torch.tensor([0.5071, 0.4867, 0.4408]).view(1, 3, 1, 1)
STD = torch.tensor([0.2675, 0.2565, 0.2761]).view(1, 3, 1, 1)


def augment(images, gen):
    """uint8 [B, 3, 32, 32] -> normalized float, per-image crop of the 4-padded image + flip."""
    b = images.shape[0]
    x = F.pad(images.float() / 255.0, (4, 4, 4, 4))
    dy = torch.randint(0, 9, (b,), generator=gen)
    dx = torch.randint(0, 9, (b,), generator=gen)
    flip = torch.rand(b, generator=gen) < 0.5
    ar = torch.arange(32)
    rows = (ar[None, :] + dy[:, None])[:, None, :, None]
    cols = ar[None, :] + dx[:, None]
    cols = torch.where(flip[:, None], cols.flip(1), cols)[:, None, None, :]
    x = x[torch.arange(b)[:, None, None, None], torch.arange(3)[None, :, None, None], rows, cols]
    return (x - MEAN) / STD


def torch_ms(kind, teacher, student, batch, warmup, steps, repeats, precision="fp32"):
    torch.manual_seed(0)
    gen = torch.Generator()
    gen.manual_seed(0)
    imgs = torch.randint(0, 256, (8 * batch, 3, 32, 32), dtype=torch.uint8, generator=gen)
    labels = torch.randint(0, 100, (8 * batch,), generator=gen)
    s = zoo.MODELS[student](100).train()
    t = zoo.MODELS[teacher](100).eval() if kind == "kd+ls" else None
    opt = torch.optim.SGD(s.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

    def step(i):
        j = (i % 8) * batch
        x, y = augment(imgs[j:j + batch], gen), labels[j:j + batch]
        # bf16: autocast around the forward passes only; the losses in float32 (as zkd's policy).
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            if t is not None:
                with torch.no_grad():
                    v = t(x)
            z = s(x)
        if t is None:
            loss = F.cross_entropy(z.float(), y)
        else:
            loss = kd_ls_loss(z.float(), v.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for i in range(warmup):
        step(i)
    out = []
    c0 = time.process_time()
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(steps):
            step(i)
        out.append((time.perf_counter() - t0) * 1e3 / steps)
    return statistics.median(out), (time.process_time() - c0) * 1e3 / (steps * repeats)


def zkd_ms(bench, kind, teacher, student, batch, threads, warmup, steps, repeats, precision="fp32"):
    case = ["--train", student, "--kd", ""] if kind == "train" else ["--train", "", "--kd", teacher + ":" + student]
    cmd = [bench, "--device", "cpu", "--threads", str(threads), "--infer", "", "--batch-size", str(batch),
           "--warmup", str(warmup), "--steps", str(steps), "--repeats", str(repeats), "--precision", precision] + case
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"^(train|kd\+ls)\s+\S+\s+batch\s+\d+\s+([0-9.]+) ms/step.*cpu\s+([0-9.]+) ms/step", out, re.M)
    if not m:
        sys.exit("cpu_bench: no timing line in zkd-bench output:\n" + out)
    return float(m.group(2)), float(m.group(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--zkd-bench", default="build/apps/zkd-bench")
    ap.add_argument("--models", default="resnet20,resnet8x4,ShuffleV2")
    ap.add_argument("--teacher", default="resnet20", help="teacher of the KD+LS step")
    ap.add_argument("--kinds", default="train,kd+ls")
    ap.add_argument("--threads", default="1,%d" % os.cpu_count())
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--precisions", default="fp32,bf16", help="fp32 and/or bf16 (PyTorch: autocast)")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    rows = []
    for threads in [int(x) for x in args.threads.split(",")]:
        torch.set_num_threads(threads)
        for kind in args.kinds.split(","):
            for model in args.models.split(","):
                for prec in args.precisions.split(","):
                    z, zc = zkd_ms(args.zkd_bench, kind, args.teacher, model, args.batch, threads,
                                   args.warmup, args.steps, args.repeats, prec)
                    p, pc = torch_ms(kind, args.teacher, model, args.batch, args.warmup, args.steps,
                                     args.repeats, prec)
                    name = model if kind == "train" else args.teacher + ":" + model
                    rows.append(dict(kind=kind, model=name, threads=threads, precision=prec, batch=args.batch,
                                     zkd_ms=z, torch_ms=p, speedup=p / z, zkd_cpu_ms=zc, torch_cpu_ms=pc,
                                     cpu_speedup=pc / zc))
                    if args.json:  # after every row, so an interrupted sitting keeps what it measured
                        write_json(args.json, rows, args)
                    print("%-6s %-22s threads %d %s  wall: zkd %7.1f torch %7.1f ms (%.2fx)  cpu: zkd %7.1f torch "
                          "%7.1f ms (%.2fx)" % (kind, name, threads, prec, z, p, p / z, zc, pc, pc / zc), flush=True)
    meta = write_json(args.json, rows, args) if args.json else metadata(args)
    print("\nzkd %s vs PyTorch %s on %s; load average %s; warm-up %d, %d steps x %d repeats (median)" % (
        meta["commit"], torch.__version__, meta["machine"], " ".join(meta["load_avg"]), args.warmup, args.steps,
        args.repeats))
    print("| step | model | threads | precision | zkd wall ms | PyTorch wall ms | wall ratio | zkd CPU ms | "
          "PyTorch CPU ms | CPU ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %d | %s | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |" % (
            r["kind"], r["model"], r["threads"], r["precision"], r["zkd_ms"], r["torch_ms"], r["speedup"],
            r["zkd_cpu_ms"], r["torch_cpu_ms"], r["cpu_speedup"]))
    print("ratio = PyTorch ms / zkd ms (above 1: zkd faster)")


def metadata(args):
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return dict(commit=commit, machine="%s, %d cores (%s)" % (platform.machine(), os.cpu_count(), cpu_model()),
                avx512_bf16=cpu_has("avx512_bf16"),
                torch=torch.__version__, load_avg=load, warmup=args.warmup, steps=args.steps, repeats=args.repeats)


def write_json(path, rows, args):
    meta = metadata(args)
    with open(path, "w") as f:
        json.dump(dict(meta=meta, rows=rows), f, indent=1)
    return meta


def cpu_has(flag):
    """Whether /proc/cpuinfo lists the CPU flag (avx512_bf16: native bf16 for oneDNN and PyTorch)."""
    with open("/proc/cpuinfo") as f:
        return any(line.startswith("flags") and flag in line.split() for line in f)


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


if __name__ == "__main__":
    main()
