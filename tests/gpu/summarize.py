#!/usr/bin/env python3
"""The one-screen summary of tests/gpu/check.sh: card, driver, CUDA, cuDNN, build and test times,
tests passed / failed / skipped per label (from the verbose ctest logs), the failed tests, the
benchmark tables (zkd-bench, the PyTorch twin, the quick preset) and the worst error per op from the "[zkd-error] <op> max_abs=.. max_rel=.. nmse=.. shape=[..]" lines the
CUDA-vs-CPU tests print (tests/common/test_util.h: report_error).

Usage: summarize.py --logs build-gpu/check-logs [--status TEXT]
"""
import argparse
import os
import re

ERROR_RE = re.compile(
    r"\[zkd-error\] (\S+) max_abs=(\S+) max_rel=(\S+) nmse=(\S+) shape=(\[[^\]]*\])")
# "12/64 Test #12: Suite.Name .....   Passed    0.10 sec", "... ***Failed", "... ***Skipped",
# "... ***Timeout", "... ***Exception: SegFault"; parameterized names carry "  # GetParam() = ..".
RESULT_RE = re.compile(r"\d+/\d+ Test\s+#\d+: (.+?) \.+\s*\**\s*(Subprocess aborted|Not Run|\w+)")
TOTAL_RE = re.compile(r"tests passed, (\d+) tests? failed out of (\d+)")
DEVICE_RE = re.compile(r"\[zkd-device\] (.*)")


def read(logs, name):
    path = os.path.join(logs, name)
    if not os.path.exists(path):
        return ""
    with open(path, errors="replace") as f:
        return f.read()


def first_line(text, default="?"):
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return default


def parse_ctest(text):
    """Per test: its last reported status; plus the error lines and the device line."""
    results, errors, device = {}, [], None
    for line in text.splitlines():
        m = RESULT_RE.search(line)
        if m:
            results[m.group(1).split("  #")[0].strip()] = m.group(2)
        m = ERROR_RE.search(line)
        if m:
            op, a, r, n, shape = m.groups()
            errors.append((op, float(a), float(r), float(n), shape))
        m = DEVICE_RE.search(line)
        if m:
            device = m.group(1).strip()
    return results, errors, device


def label_line(label, results, text):
    if not text:
        return f"{label:5s} tests: not run"
    passed = sum(1 for s in results.values() if s == "Passed")
    skipped = sum(1 for s in results.values() if s in ("Skipped", "Not Run"))
    failed = len(results) - passed - skipped
    cut = " (CUT at the time budget)" if "CUT at the time budget" in text else ""
    total = TOTAL_RE.search(text)
    if total and int(total.group(2)) != len(results):  # trust ctest's own count then
        cut += f" [ctest: {total.group(1)} failed of {total.group(2)}]"
    return (f"{label:5s} tests: {passed} passed, {failed} failed, {skipped} skipped "
            f"of {len(results)}{cut}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--status", default="")
    args = ap.parse_args()
    logs = args.logs

    smi = first_line(read(logs, "nvidia-smi.txt"), "nvidia-smi: not available")
    nvcc = [l for l in read(logs, "nvcc.txt").splitlines() if "release" in l]
    cudnn = dict(l.split("=", 1) for l in read(logs, "cudnn-version.txt").split() if "=" in l)
    cudnn_v = ".".join(cudnn.get(k, "?") for k in ("CUDNN_MAJOR", "CUDNN_MINOR",
                                                     "CUDNN_PATCHLEVEL")) if cudnn else "?"
    cuda_text, cpu_text = read(logs, "ctest-cuda.log"), read(logs, "ctest-cpu.log")
    cuda_results, errors, device = parse_ctest(cuda_text)
    cpu_results, cpu_errors, _ = parse_ctest(cpu_text)
    errors += cpu_errors

    print("=" * 100)
    print(f"zkd GPU check: {args.status}")
    print(f"card/driver : {smi}")
    print(f"CUDA (nvcc) : {nvcc[0].strip() if nvcc else '?'}")
    print(f"cuDNN       : {cudnn_v} (headers used for the build)")
    if device:
        print(f"zkd sees    : {device}")
    times = [f"{name} {read(logs, f + '-seconds.txt').strip()} s"
             for name, f in (("build", "build"), ("cuda tests", "cuda"), ("total", "total"))
             if read(logs, f + "-seconds.txt").strip()]
    if times:
        print("time        : " + ", ".join(times))
    print(label_line("cuda", cuda_results, cuda_text))
    print(label_line("cpu", cpu_results, cpu_text))
    failed = [f"{t} ({s})" for res in (cuda_results, cpu_results) for t, s in res.items()
              if s not in ("Passed", "Skipped", "Not Run")]
    for f in failed[:10]:
        print(f"  FAILED: {f}")
    if len(failed) > 10:
        print(f"  ... and {len(failed) - 10} more (see {logs}/ctest-*.log)")

    if errors:
        worst = {}
        for op, a, r, n, shape in errors:
            w = worst.setdefault(op, [0, 0.0, 0.0, 0.0, ""])
            w[0] += 1
            if a >= w[1]:
                w[1], w[4] = a, shape
            w[2] = max(w[2], r)
            w[3] = max(w[3], n)
        print(f"worst error per op ({len(errors)} comparisons; max over cases; shape of the "
              f"max abs error):")
        print(f"  {'op':34s} {'cases':>5s} {'max_abs':>10s} {'max_rel':>10s} {'nmse':>10s}  shape")
        for op in sorted(worst):
            c, a, r, n, shape = worst[op]
            print(f"  {op:34s} {c:5d} {a:10.2e} {r:10.2e} {n:10.2e}  {shape}")
    else:
        print("worst error per op: no [zkd-error] lines found")
    # The benchmark tables (zkd-bench, PyTorch's twin) and the quick preset's result table.
    for name, title in (("bench-zkd.log", "zkd-bench"), ("bench-torch.log", "PyTorch twin"),
                        ("quick.log", "quick preset")):
        text = read(logs, name)
        if not text:
            continue
        lines = text.splitlines()
        table = [l for l in lines if l.startswith("|")]
        header = [l for l in lines if l.startswith("zkd-bench on") or l.startswith("PyTorch ")]
        tail = [l for l in lines if "did not finish" in l or "zkd-distill:" in l]
        print(f"{title}: " + (header[0] if header else ""))
        for l in table + tail:
            print("  " + l)
    print("=" * 100)


if __name__ == "__main__":
    main()
