#!/usr/bin/env python3
"""Test of tests/gpu/summarize.py on a recorded-style GPU run made here: a verbose ctest log of
every cuda test the sources hold (one failed with its output, one missing), [zkd-error] lines,
zkd-bench and bench_pytorch JSON rows (one PyTorch mode failed in every case, one file cut
mid-write), the sweep for N = 1, 2, 4, 8 and a leaking row. Checks the screen (every test by
name, the added ones marked, the failure's output, the targets, the sweep ratios, the leak, the
speed table last) and the results folder (<date>-<card>.json, the docs section).
Exit status 0 when every check holds; prints the failed checks otherwise."""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cuda_tests  # noqa: E402

FAILED_TEST = "SoftmaxCuda.TopkConstantOrNaNOutputsScoreZero"  # one of the 7 added since 27ad15d
MISSING_TEST = "ConvCuda.StrictMatchesCpuFloat64"


def write(folder, name, text):
    with open(os.path.join(folder, name), "w") as f:
        f.write(text)


def zkd_row(name, ms, members=1, alloc=(100.0, 100.0, 100.0), batch=64):
    case, model = name.split(" ", 1)
    return {"impl": "zkd", "name": name + (" x%d" % members if case == "sweep" else ""), "case": case,
            "model": model, "members": members, "device": "NVIDIA H100", "precision": "tf32",
            "layout": "NCHW", "graph": False, "batch": batch, "ms_per_step": ms,
            "images_per_s": members * batch / (ms * 1e-3), "peak_mib": 500.0, "tflops": 1.0,
            "allocated_mib_after_repeat": list(alloc), "reserved_mib_after_repeat": [600.0] * 3,
            "version": "0.2.0"}


def torch_row(name, mode, ms=None, error=None):
    case, model = name.split(" ", 1)
    r = {"impl": "pytorch", "name": name, "case": case, "model": model, "mode": mode,
         "precision": mode.split("+")[0], "layout": "NCHW", "batch": 64}
    if error:
        r["error"] = error
    else:
        r.update(ms_per_step=ms, images_per_s=64 / (ms * 1e-3), peak_mib=300.0)
    return r


def make_logs(logs):
    names = cuda_tests.cuda_tests(cuda_tests.Tree(os.path.join(HERE, "..", ".."), ""))
    lines, n = [], 0
    for name in names:
        if name == MISSING_TEST:
            continue
        n += 1
        lines.append("%d: Test command: /b/zkd_cuda_tests \"--gtest_filter=%s\"" % (n, name))
        if name == FAILED_TEST:
            lines += ["%d: /repo/tests/cuda/softmax_test.cpp:88: Failure" % n,
                      "%d: Expected: (err) <= (tol), actual: 0.5 vs 0.001" % n]
            lines.append("%2d/%d Test #%d: %s ......***Failed    0.20 sec" % (n, len(names), n, name))
        else:
            lines.append("%d: [zkd-error] conv2d_fwd max_abs=%.2e max_rel=1e-3 nmse=1e-13 shape=[2, %d]"
                         % (n, 1e-5 * n, n))
            lines.append("%2d/%d Test #%d: %s ......   Passed    0.10 sec" % (n, len(names), n, name))
    lines.append("99%% tests passed, 1 tests failed out of %d" % n)
    write(logs, "ctest-cuda.log", "\n".join(lines) + "\n")
    write(logs, "nvidia-smi.txt", "NVIDIA H100 80GB HBM3, 580.159.04, 81559 MiB\n")
    write(logs, "commit.txt", "abc1234567\n")
    write(logs, "torch-version.txt", "2.11.0+cu130 (CUDA 13.0)\n")
    write(logs, "phases.tsv", "build\tok\t30\t\ncuda tests\tfailed(8)\t25\t\ntorch tf32+compile\tTIMEOUT\t150\tcut at 150 s\n")
    zkd = [zkd_row("train resnet32x4", 2.0), zkd_row("kd+ls resnet32x4:resnet8x4", 1.6, alloc=(100, 101, 102)),
           zkd_row("kd+ls resnet32x4:ShuffleV2", 2.0)]
    write(logs, "bench-zkd.json", json.dumps({"rows": zkd}))
    sweep = [zkd_row("sweep resnet32x4:resnet8x4", m * 64 / ips * 1e3, members=m)
             for m, ips in ((1, 10000.0), (2, 18000.0), (4, 26000.0), (8, 36000.0))]
    write(logs, "bench-zkd-sweep.json", json.dumps({"rows": sweep}))
    tf32 = [torch_row("train resnet32x4", "tf32", 10.0), torch_row("kd+ls resnet32x4:resnet8x4", "tf32", 8.0),
            torch_row("kd+ls resnet32x4:ShuffleV2", "tf32", 20.0)]
    write(logs, "bench-torch-tf32.json", json.dumps({"rows": tf32}))
    graph = [torch_row("train resnet32x4", "tf32+graph", 1.9), torch_row("kd+ls resnet32x4:resnet8x4", "tf32+graph", 2.0)]
    write(logs, "bench-torch-tf32+graph.json", json.dumps({"rows": graph}))
    compiled = [torch_row(n, "tf32+compile", error="RuntimeError: no C compiler")
                for n in ("train resnet32x4", "kd+ls resnet32x4:resnet8x4")]
    write(logs, "bench-torch-tf32+compile.json", json.dumps({"rows": compiled}))
    write(logs, "bench-torch-bf16.json", '{"rows": [{"impl": "pytorch", "na')  # cut mid-write
    return names


def main():
    failures, total = [], [0]

    def check(cond, what):
        total[0] += 1
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        logs, results = os.path.join(tmp, "logs"), os.path.join(tmp, "results")
        os.makedirs(logs)
        names = make_logs(logs)
        r = subprocess.run([sys.executable, os.path.join(HERE, "summarize.py"), "--logs", logs, "--results",
                            results, "--status", "FAILED", "--date", "2026-12-06"], capture_output=True, text=True)
        out = r.stdout
        check(r.returncode == 0, "summarize.py exit status %d: %s" % (r.returncode, r.stderr[-500:]))
        lines = out.rstrip("\n").splitlines()
        check(len(lines) > 2 and lines[-1] == "=" * 100 and lines[-2].startswith("  | sweep"),
              "the speed table (sweep rows last) is printed last")
        check("cuda  tests: %d passed, 1 failed, 0 skipped of %d" % (len(names) - 2, len(names) - 1) in out,
              "the cuda count line")
        check("TopkConstantOrNaNOutputsScoreZero+[Failed]" in out, "the failed added test is marked + and [Failed]")
        check("StrictMatchesCpuFloat64[NOT RUN]" in out, "the test that did not run is named")
        check("SigmoidMatchesTheCpu+ " in out or "SigmoidMatchesTheCpu+\n" in out, "an added passing test is marked +")
        check("ExpandScalar+" not in out and " ExpandScalar" in out, "an old test is not marked")
        check("FAILED: %s (Failed)" % FAILED_TEST in out and "softmax_test.cpp:88: Failure" in out,
              "the failed test with what it printed")
        with open(os.path.join(HERE, "cuda-tests-27ad15d.txt")) as f:
            added = len(set(names) - {l.strip() for l in f})
        check(added >= 7 and "commit 27ad15d: %d;" % added in out, "the tests added since 27ad15d counted")
        row = {l.split("|")[1].strip(): l for l in lines if l.startswith("  | ")}
        check("<= 2.5 ms: MISSED" in row.get("train resnet32x4", ""), "train: 2.0 ms but slower than PyTorch's graph")
        check("0.95x" in row.get("train resnet32x4", ""), "train: speed-up vs the best PyTorch mode")
        check("<= 1.5 ms: MISSED" in row.get("kd+ls resnet32x4:resnet8x4", ""), "KD -> resnet8x4: 1.6 ms misses")
        check("+2.0" in row.get("kd+ls resnet32x4:resnet8x4", ""), "the leaking row shows +2.0 MiB")
        check("<= 2.5 ms: met" in row.get("kd+ls resnet32x4:ShuffleV2", ""), "KD -> ShuffleV2: met")
        sweep = {k: v for k, v in row.items() if k.startswith("sweep")}
        x4 = [v for k, v in sweep.items() if " x4 " in k]
        x8 = [v for k, v in sweep.items() if " x8 " in k]
        check(x4 and "2.60x N=1" in x4[0] and ">= 2.5x N=1: met" in x4[0], "sweep x4: 2.6x, met")
        check(x8 and "3.60x N=1" in x8[0] and ">= 4.0x N=1: MISSED" in x8[0], "sweep x8: 3.6x, missed")
        check("PT tf32+compile" not in out and
              "bench FAILED: pytorch tf32+compile (train resnet32x4, kd+ls resnet32x4:resnet8x4): RuntimeError: no C compiler"
              in out, "a mode failing everywhere: one line, no column")
        check("bench-torch-bf16.json: unreadable" in out, "a JSON file cut mid-write is named")
        check("torch tf32+compile TIMEOUT 150s (cut at 150 s)" in out, "the phases line")
        path = os.path.join(results, "2026-12-06-h100.json")
        check(os.path.exists(path), "results JSON named <date>-<card>")
        if os.path.exists(path):
            doc = json.load(open(path))
            check(len(doc["tests"]["cuda"]["added_since_27ad15d"]) == added, "JSON: the added tests")
            check(doc["tests"]["cuda"]["results"][MISSING_TEST] == "not run", "JSON: the missing test")
            check(any("Failure" in l for l in doc["tests"]["cuda"]["failures"].get(FAILED_TEST, [])), "JSON: failure text")
            check(doc["commit"] == "abc1234567" and len(doc["rows"]["zkd"]) == 7, "JSON: commit and rows")
            check(doc["worst_error_per_op"]["conv2d_fwd"]["cases"] == len(names) - 2, "JSON: the error table")
        md = open(os.path.join(results, "gpu-results-section.md")).read() if os.path.exists(results) else ""
        check(md.startswith("## 2026-12-06: NVIDIA H100 80GB HBM3, commit abc1234567"), "the docs section's title")
        check("`docs/bench/2026-12-06-h100.json`" in md and "| train resnet32x4 |" in md, "the docs section's table")
    for f in failures:
        print("FAILED CHECK: " + f)
    if failures:
        print(out)
    print("summarize_test: %d of %d checks hold" % (total[0] - len(failures), total[0]))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
