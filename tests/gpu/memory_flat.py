#!/usr/bin/env python3
"""Memory flat over epochs (docs/memory.md), the GPU check's phase "memory flat": zkd-train on a
tiny synthetic CIFAR-100-format set (2 classes x 8 images, resnet20, batch 8), evaluating and
writing last.safetensors every epoch; the memory that log.jsonl records after each epoch may not
grow after epoch 3 by more than the bound: gpu_allocated_mb and gpu_reserved_mb (CUDA runs) by
1 MiB (the caching allocator reuses its blocks once every shape has been seen), rss_mb by 12 MiB
(tests/e2e/memory_test.cpp's bound). Prints one line per value; exit 1 when one grows past its
bound or is missing. Standard library only (the GPU machine's python may lack numpy).

Usage: memory_flat.py --train BUILD/apps/zkd-train --work DIR [--device cuda] [--epochs 16]
"""
import argparse
import json
import os
import random
import shutil
import subprocess
import sys

BOUNDS_MB = {"gpu_allocated_mb": 1.0, "gpu_reserved_mb": 1.0, "rss_mb": 12.0}
AFTER = 3  # epochs before the check starts (first shapes, caches, the allocator's first blocks)


def write_data(folder, classes=2, train_per_class=8, test_per_class=4):
    """CIFAR-100 binary records (coarse label, fine label, 3072 pixels) and the name files."""
    rng = random.Random(0)
    os.makedirs(folder, exist_ok=True)
    for name, per in (("train.bin", train_per_class), ("test.bin", test_per_class)):
        out = bytearray()
        for i in range(classes * per):
            c = i % classes
            out += bytes([c, c]) + bytes(rng.randrange(256) for _ in range(3072))
        with open(os.path.join(folder, name), "wb") as f:
            f.write(out)
    with open(os.path.join(folder, "fine_label_names.txt"), "w") as f:
        f.write("".join("class%d\n" % k for k in range(100)))
    with open(os.path.join(folder, "coarse_label_names.txt"), "w") as f:
        f.write("".join("coarse%d\n" % k for k in range(20)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True, help="the zkd-train binary")
    ap.add_argument("--work", required=True, help="a folder for the data and the run")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--epochs", type=int, default=16)
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    data = os.path.join(a.work, "cifar-100-binary")
    write_data(data)
    out = os.path.join(a.work, "run")
    cmd = [a.train, "--model", "resnet20", "--device", a.device, "--data", data, "--num-classes", "2",
           "--batch-size", "8", "--epochs", str(a.epochs), "--lr", "0.01", "--out", out, "--overwrite"]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        print(r.stdout[-2000:])
        print("memory flat: FAILED: zkd-train exited %d" % r.returncode)
        return 1
    with open(os.path.join(out, "log.jsonl")) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    fields = ["rss_mb"] + (["gpu_allocated_mb", "gpu_reserved_mb"] if a.device.startswith("cuda") else [])
    ok = len(lines) == a.epochs
    if not ok:
        print("memory flat: expected %d lines in log.jsonl, got %d" % (a.epochs, len(lines)))
    for field in fields:
        values = [line.get(field) for line in lines]
        if len(values) <= AFTER or any(not isinstance(v, (int, float)) for v in values):
            print("memory flat: %s: expected a number on every line, got %s" % (field, values))
            ok = False
            continue
        base, most = values[AFTER - 1], max(values[AFTER:])
        good = most - base <= BOUNDS_MB[field]
        ok = ok and good
        print("memory flat: %s after epoch %d: %.2f MiB; most after: %.2f MiB (+%.3f, bound %.1f) %s; by epoch: %s"
              % (field, AFTER, base, most, most - base, BOUNDS_MB[field], "ok" if good else "GROWS",
                 " ".join("%.2f" % v for v in values)))
    print("memory flat: %s" % ("PASSED" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
