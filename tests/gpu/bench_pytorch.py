#!/usr/bin/env python3
"""PyTorch twin of zkd-bench (docs/performance.md protocol): the same cases on the same GPU.

Cases: a cross-entropy training step of resnet32x4, KD+LS steps resnet32x4 -> resnet8x4 and
-> ShuffleV2, and inference, on synthetic uint8 images resident on the device with a per-image
random crop (zero pad 4) + flip + normalize done on the device for the training steps (normalize
only for inference), as zkd's loader does. Warm-up 30 steps (with cudnn.benchmark), then CUDA
events over 200 steps, median of 3. The nets are the PyTorch definitions of
tests/nets/pytorch_crosscheck.py (checked there against zkd's).

A mode is a precision with an optional execution, joined by '+':
  fp32 (TF32 off) | tf32 (TF32 on, zkd's default "fast" math) | bf16 (autocast + channels_last)
  +graph    the whole step (augmentation, forward, backward, SGD) captured once by
            torch.cuda.graph and replayed; each step copies its uint8 batch into the static input
  +compile  torch.compile of every net (default mode), the rest of the step eager
e.g. --modes tf32,bf16,tf32+graph,bf16+graph,tf32+compile. A case that fails (a mode this torch
or device lacks, a capture error) is recorded as a row with its error and the others go on.

--json FILE is rewritten after every row (so a run cut by a time limit keeps what it measured):
{"tool": "bench_pytorch", "torch": ..., "device": ..., "rows": [{"impl": "pytorch", "name",
"case", "model", "mode", "precision", "layout", "graph", "compile", "batch", "ms_per_step",
"images_per_s", "peak_mib"} or {..., "error": "..."}]}.

--device cpu (or no CUDA device) runs the same cases on the CPU with a steady clock, for the dry
run of tests/gpu/check.sh (graph modes are then recorded as failed: they need CUDA).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nets"))
import pytorch_crosscheck as zoo  # noqa: E402

MEAN = [0.5071, 0.4867, 0.4408]
STD = [0.2675, 0.2565, 0.2761]
PRECISIONS = ("fp32", "tf32", "bf16")
EXECUTIONS = ("eager", "graph", "compile")


class Mode:
    """'bf16+graph' -> precision bf16, execution graph."""

    def __init__(self, text):
        parts = text.split("+")
        if parts[0] not in PRECISIONS or len(parts) > 2 or (len(parts) == 2 and parts[1] not in EXECUTIONS[1:]):
            raise ValueError("expected a mode PRECISION[+graph|+compile] with PRECISION in %s, got '%s'"
                             % ("/".join(PRECISIONS), text))
        self.text = text
        self.precision = parts[0]
        self.execution = parts[1] if len(parts) == 2 else "eager"
        self.layout = "NHWC" if self.precision == "bf16" else "NCHW"


class Data:
    """8 batches of random uint8 images and labels on the device (rotated so L2 does not hold
    them); the normalization constants live on the device (no copy per step)."""

    def __init__(self, dev, batch, seed):
        g = torch.Generator(device="cpu")
        g.manual_seed(seed)
        self.images = torch.randint(0, 256, (8 * batch, 3, 32, 32), dtype=torch.uint8, generator=g).to(dev)
        self.labels = torch.randint(0, 100, (8 * batch,), generator=g).to(dev)
        self.batch = batch
        self.mean = torch.tensor(MEAN, device=dev).view(1, 3, 1, 1)
        self.std = torch.tensor(STD, device=dev).view(1, 3, 1, 1)

    def at(self, i):
        j = (i % 8) * self.batch
        return self.images[j:j + self.batch], self.labels[j:j + self.batch]


def augment(images, data, train, fmt):
    """uint8 [B, 3, 32, 32] -> normalized float; train: per-image crop of the 4-padded image and
    horizontal flip (the default generator: safe inside CUDA-graph capture)."""
    x = images.float() / 255.0
    if train:
        b, dev = images.shape[0], images.device
        x = F.pad(x, (4, 4, 4, 4))
        dy = torch.randint(0, 9, (b,), device=dev)
        dx = torch.randint(0, 9, (b,), device=dev)
        flip = torch.rand(b, device=dev) < 0.5
        ar = torch.arange(32, device=dev)
        rows = (ar[None, :] + dy[:, None])[:, None, :, None]
        cols = ar[None, :] + dx[:, None]
        cols = torch.where(flip[:, None], cols.flip(1), cols)[:, None, None, :]
        x = x[torch.arange(b, device=dev)[:, None, None, None], torch.arange(3, device=dev)[None, :, None, None],
              rows, cols]
    return ((x - data.mean) / data.std).contiguous(memory_format=fmt)


def normalize(logit):
    mean = logit.mean(dim=-1, keepdims=True)
    stdv = logit.std(dim=-1, keepdims=True)
    return (logit - mean) / (1e-7 + stdv)


def kd_ls_loss(z, v, y, t=2.0, ce=0.1, kd=9.0):
    log_q = F.log_softmax(normalize(z) / t, dim=1)
    p = F.softmax(normalize(v) / t, dim=1)
    return ce * F.cross_entropy(z, y) + kd * F.kl_div(log_q, p, reduction="none").sum(1).mean() * t * t


def sgd(params):
    """Fused SGD where this torch has it (2.x), else the default implementation."""
    kw = dict(lr=0.05, momentum=0.9, weight_decay=5e-4)
    try:
        return torch.optim.SGD(params, fused=True, **kw)
    except (TypeError, RuntimeError, ValueError):
        return torch.optim.SGD(params, **kw)


def timed(dev, step, warmup, steps, repeats):
    """Median over repeats of the mean ms per step."""
    for i in range(warmup):
        step(i)
    out = []
    if dev.type == "cuda":
        torch.cuda.synchronize()
        for r in range(repeats):
            a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            a.record()
            for i in range(steps):
                step(warmup + r * steps + i)
            b.record()
            b.synchronize()
            out.append(a.elapsed_time(b) / steps)
    else:
        for r in range(repeats):
            t0 = time.perf_counter()
            for i in range(steps):
                step(warmup + r * steps + i)
            out.append((time.perf_counter() - t0) * 1e3 / steps)
    return statistics.median(out)


def as_graph(dev, data, body, opt):
    """body(images_u8, labels) captured once in a CUDA graph (after 3 warm-up calls on a side
    stream, as torch.cuda.graph requires; the gradients set to None before the capture, so the
    captured backward writes them afresh on every replay); returns step(i): copy batch i into the
    static input, replay."""
    if dev.type != "cuda":
        raise RuntimeError("CUDA-graph capture needs a CUDA device")
    x0, y0 = data.at(0)
    static_x, static_y = x0.clone(), y0.clone()
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(3):
            if opt is not None:
                opt.zero_grad(set_to_none=True)
            body(static_x, static_y)
    torch.cuda.current_stream().wait_stream(side)
    if opt is not None:
        opt.zero_grad(set_to_none=True)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        body(static_x, static_y)

    def step(i):
        x, y = data.at(i)
        static_x.copy_(x)
        static_y.copy_(y)
        graph.replay()
    return step


class Runner:
    def __init__(self, args, dev):
        self.args, self.dev = args, dev
        self.rows = []
        self.meta = {"tool": "bench_pytorch", "torch": torch.__version__,
                     "device": torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu",
                     "warmup": args.warmup, "steps": args.steps, "repeats": args.repeats,
                     "command": " ".join(sys.argv)}

    def save(self):
        if self.args.json:
            tmp = self.args.json + ".tmp"
            with open(tmp, "w") as f:
                json.dump(dict(self.meta, rows=self.rows), f, indent=2)
                f.write("\n")
            os.replace(tmp, self.args.json)

    def net(self, name, mode):
        fmt = torch.channels_last if mode.layout == "NHWC" else torch.contiguous_format
        m = zoo.MODELS[name](100).to(self.dev).to(memory_format=fmt)
        return m

    def run(self, mode, kind, model, batch, make_step):
        """Times make_step() (which builds the nets and returns step(i)); records a row or the error."""
        row = {"impl": "pytorch", "name": "%s %s" % (kind, model), "case": kind, "model": model,
               "mode": mode.text, "precision": mode.precision, "layout": mode.layout,
               "graph": mode.execution == "graph", "compile": mode.execution == "compile",
               "batch": batch, "device": self.meta["device"], "version": "torch " + torch.__version__}
        t0 = time.time()
        try:
            if self.dev.type == "cuda":
                torch.cuda.reset_peak_memory_stats()
            step = make_step()
            ms = timed(self.dev, step, self.args.warmup, self.args.steps, self.args.repeats)
            row.update(ms_per_step=ms, images_per_s=batch / (ms * 1e-3),
                       peak_mib=torch.cuda.max_memory_allocated() / 2**20 if self.dev.type == "cuda" else 0.0)
        except Exception as e:  # recorded, not fatal: the other cases and modes go on
            row["error"] = ("%s: %s" % (type(e).__name__, e)).splitlines()[0][:300]
        row["seconds"] = round(time.time() - t0, 1)
        self.rows.append(row)
        self.save()
        if "error" in row:
            print("%-6s %-24s %-12s FAILED: %s" % (kind, model, mode.text, row["error"]), flush=True)
        else:
            print("%-6s %-24s %-12s %8.3f ms/step %9.0f img/s" % (kind, model, mode.text, row["ms_per_step"],
                                                                  row["images_per_s"]), flush=True)
        if self.dev.type == "cuda":
            torch.cuda.empty_cache()


def steps_for(runner, mode):
    """The three case builders of one mode: each returns a make_step for Runner.run."""
    dev, args = runner.dev, runner.args
    fmt = torch.channels_last if mode.layout == "NHWC" else torch.contiguous_format

    def ctx():
        # Under graph capture autocast must not cache the casted weights (PyTorch's CUDA-graph
        # notes): the cache is freed when the context exits, under the captured kernels.
        if mode.precision == "bf16":
            return torch.autocast(dev.type, dtype=torch.bfloat16, cache_enabled=mode.execution != "graph")
        return torch.autocast(dev.type, enabled=False)

    def compiled(m):
        if mode.execution != "compile":
            return m
        if not hasattr(torch, "compile"):
            raise RuntimeError("torch.compile is not in torch " + torch.__version__)
        return torch.compile(m)

    def finish(data, body, opt):
        """step(i): the captured graph, or eager (compiled nets included)."""
        if mode.execution == "graph":
            return as_graph(dev, data, body, opt)

        def step(i):
            x, y = data.at(i)
            if opt is not None:
                opt.zero_grad(set_to_none=True)
            body(x, y)
        return step

    def train(name):
        def make():
            m = runner.net(name, mode).train()
            opt = sgd(m.parameters())
            fwd = compiled(m)
            data = Data(dev, args.batch, 1)

            def body(x, y):
                with ctx():
                    loss = F.cross_entropy(fwd(augment(x, data, True, fmt)), y)
                loss.backward()
                opt.step()
            return finish(data, body, opt)
        return make

    def kd(teacher, student):
        def make():
            t = runner.net(teacher, mode).eval()
            s = runner.net(student, mode).train()
            opt = sgd(s.parameters())
            tf, sf = compiled(t), compiled(s)
            data = Data(dev, args.batch, 2)

            def body(x, y):
                xa = augment(x, data, True, fmt)
                with ctx():
                    with torch.no_grad():
                        v = tf(xa)
                    z = sf(xa)
                    loss = kd_ls_loss(z.float(), v.float(), y)
                loss.backward()
                opt.step()
            return finish(data, body, opt)
        return make

    def infer(name):
        def make():
            m = compiled(runner.net(name, mode).eval())
            data = Data(dev, args.infer_batch, 3)

            @torch.no_grad()
            def body(x, y):
                with ctx():
                    m(augment(x, data, False, fmt))
            return finish(data, body, None)
        return make

    return train, kd, infer


def split(text):
    return [s for s in text.split(",") if s]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--infer-batch", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=30)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", default="tf32,bf16,tf32+graph,bf16+graph,tf32+compile")
    ap.add_argument("--train", default="resnet32x4", help="models of the training step (comma list)")
    ap.add_argument("--kd", default="resnet32x4:resnet8x4,resnet32x4:ShuffleV2",
                    help="teacher:student pairs of the KD+LS step (comma list)")
    ap.add_argument("--infer", default="resnet32x4,resnet8x4,ShuffleV2", help="models of inference (comma list)")
    ap.add_argument("--device", default="auto", choices=["auto", "cuda", "cpu"])
    ap.add_argument("--json", default="", help="write the rows here (rewritten after every row)")
    args = ap.parse_args()
    for flag, v in (("--batch", args.batch), ("--infer-batch", args.infer_batch), ("--steps", args.steps),
                    ("--repeats", args.repeats)):
        if v < 1:
            ap.error("%s expects a positive integer, got %d" % (flag, v))
    try:
        modes = [Mode(m) for m in split(args.modes)]
    except ValueError as e:
        ap.error("--modes " + str(e))
    for name in split(args.train) + split(args.infer) + [n for p in split(args.kd) for n in p.split(":")]:
        if name not in zoo.MODELS:
            ap.error("expected a model of tests/nets/pytorch_crosscheck.py (%s), got '%s'"
                     % (", ".join(sorted(zoo.MODELS)), name))
    pairs = [p.split(":") for p in split(args.kd)]
    if any(len(p) != 2 for p in pairs):
        ap.error("--kd expects teacher:student pairs, got '%s'" % args.kd)
    if args.device == "cuda" and not torch.cuda.is_available():
        ap.error("--device cuda: torch %s sees no CUDA device" % torch.__version__)
    dev = torch.device("cuda" if args.device != "cpu" and torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(0)
    runner = Runner(args, dev)
    runner.save()
    for mode in modes:
        torch.backends.cuda.matmul.allow_tf32 = mode.precision == "tf32"
        torch.backends.cudnn.allow_tf32 = mode.precision == "tf32"
        train, kd, infer = steps_for(runner, mode)
        for name in split(args.train):
            runner.run(mode, "train", name, args.batch, train(name))
        for t, s in pairs:
            runner.run(mode, "kd+ls", t + ":" + s, args.batch, kd(t, s))
        for name in split(args.infer):
            runner.run(mode, "infer", name, args.infer_batch, infer(name))
    print("\nPyTorch %s on %s, cudnn.benchmark, warm-up %d, %d steps x %d (median)" % (
        torch.__version__, runner.meta["device"], args.warmup, args.steps, args.repeats))
    print("| case  | model                    | mode         | batch | ms/step  | images/s  | peak MiB |")
    print("|-------|--------------------------|--------------|-------|----------|-----------|----------|")
    for r in runner.rows:
        if "error" in r:
            print("| %-5s | %-24s | %-12s | %5d | FAILED: %s |" % (r["case"], r["model"], r["mode"], r["batch"],
                                                                r["error"][:80]))
        else:
            print("| %-5s | %-24s | %-12s | %5d | %8.3f | %9.0f | %8.1f |" % (
                r["case"], r["model"], r["mode"], r["batch"], r["ms_per_step"], r["images_per_s"], r["peak_mib"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
