#!/usr/bin/env python3
"""The summary of tests/gpu/check.sh, from the files it leaves in its log folder: card, driver,
CUDA, cuDNN, PyTorch, commit, the time of each phase, every cuda test by name with its result
(those added since the last GPU run, tests/gpu/cuda-tests-27ad15d.txt, marked '+'; the tests the
sources hold that did not run, named), what the failed tests printed, the worst error per op from
the "[zkd-error] <op> max_abs=.. max_rel=.. nmse=.. shape=[..]" lines of the CUDA-vs-CPU tests
(tests/common/test_util.h: report_error), and ONE speed table last: per case zkd's rows (each
precision) against every PyTorch mode of the same run, the speed-ups, the targets of
docs/gpu-results.md, the memory growth over the repeats (leak check) and the sweep's throughput
for N members.

With --results DIR it also writes DIR/<date>-<card>.json (everything above, machine-readable:
docs/bench/) and DIR/gpu-results-section.md (the section for docs/gpu-results.md).

Inputs in --logs (each optional): nvidia-smi.txt, nvcc.txt, cudnn-version.txt, torch-version.txt,
cmake-version.txt, commit.txt, phases.tsv (phase, status, seconds, note), build-seconds.txt,
cuda-seconds.txt, total-seconds.txt, ctest-cuda.log, ctest-cpu.log (verbose ctest),
bench-zkd*.json (zkd-bench --json), bench-torch*.json (bench_pytorch.py --json), quick.log.

Usage: summarize.py --logs DIR [--status TEXT] [--results DIR] [--date YYYY-MM-DD]
"""
import argparse
import datetime
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
BASELINE = os.path.join(HERE, "cuda-tests-27ad15d.txt")  # the cuda tests of the last GPU run
ERROR_RE = re.compile(
    r"\[zkd-error\] (\S+) max_abs=(\S+) max_rel=(\S+) nmse=(\S+) shape=(\[[^\]]*\])")
# "12/64 Test #12: Suite.Name .....   Passed    0.10 sec", "... ***Failed", "... ***Skipped",
# "... ***Timeout", "... ***Exception: SegFault"; parameterized names carry "  # GetParam() = ..".
RESULT_RE = re.compile(r"\d+/\d+ Test\s+#(\d+): (.+?) \.+\s*\**\s*(Subprocess aborted|Not Run|\w+)")
TOTAL_RE = re.compile(r"tests passed, (\d+) tests? failed out of (\d+)")
DEVICE_RE = re.compile(r"\[zkd-device\] (.*)")
OUTPUT_RE = re.compile(r"^(\d+): (.*)")  # ctest -V: test #N's output lines
FAILURE_RE = re.compile(r"Failure|error|Expected|Which is|what\(\)|Actual|CUDA|SEH|terminate", re.I)
# Targets (docs/gpu-results.md, the speed issue): ms/step of zkd's best precision at batch 64.
TARGET_MS = {"train resnet32x4": 2.5, "kd+ls resnet32x4:resnet8x4": 1.5,
             "kd+ls resnet32x4:ShuffleV2": 2.5}
SWEEP_TARGET = {4: 2.5, 8: 4.0}  # throughput of N members / one member
ORDER = ["fp32", "tf32", "bf16", "tf32+graph", "bf16+graph", "tf32+compile", "bf16+compile"]


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
    """{name: status}, {name: [output lines that look like a failure]}, error lines, device line."""
    results, numbers, output, errors, device = {}, {}, {}, [], None
    for line in text.splitlines():
        m = RESULT_RE.search(line)
        if m:
            name = m.group(2).split("  #")[0].strip()
            results[name] = m.group(3)
            numbers[m.group(1)] = name
        m = OUTPUT_RE.match(line)
        if m:
            output.setdefault(m.group(1), []).append(m.group(2))
        m = ERROR_RE.search(line)
        if m:
            op, a, r, n, shape = m.groups()
            errors.append((op, float(a), float(r), float(n), shape))
        m = DEVICE_RE.search(line)
        if m:
            device = m.group(1).strip()
    why = {}
    for num, name in numbers.items():
        if results[name] in ("Passed", "Skipped", "Not Run"):
            continue
        lines = [l.strip() for l in output.get(num, []) if FAILURE_RE.search(l) and "[zkd-error]" not in l]
        why[name] = lines[:6]
    return results, why, errors, device


def count(results):
    passed = sum(1 for s in results.values() if s == "Passed")
    skipped = sum(1 for s in results.values() if s in ("Skipped", "Not Run"))
    return passed, len(results) - passed - skipped, skipped


def label_line(label, results, text):
    if not text:
        return f"{label:5s} tests: not run"
    passed, failed, skipped = count(results)
    cut = " (CUT at the time budget)" if "CUT at the time budget" in text else ""
    total = TOTAL_RE.search(text)
    if total and int(total.group(2)) != len(results):  # trust ctest's own count then
        cut += f" [ctest: {total.group(1)} failed of {total.group(2)}]"
    return f"{label:5s} tests: {passed} passed, {failed} failed, {skipped} skipped of {len(results)}{cut}"


def expected_cuda_tests():
    """(names the sources hold now, names of the last GPU run)."""
    import cuda_tests  # tests/gpu/cuda_tests.py
    now = cuda_tests.cuda_tests(cuda_tests.Tree(os.path.join(HERE, "..", ".."), ""))
    with open(BASELINE) as f:
        before = [l.strip() for l in f if l.strip()]
    return now, set(before)


def worst_errors(errors):
    worst = {}
    for op, a, r, n, shape in errors:
        w = worst.setdefault(op, {"cases": 0, "max_abs": 0.0, "max_rel": 0.0, "nmse": 0.0, "shape": ""})
        w["cases"] += 1
        if a >= w["max_abs"]:
            w["max_abs"], w["shape"] = a, shape
        w["max_rel"] = max(w["max_rel"], r)
        w["nmse"] = max(w["nmse"], n)
    return worst


def load_rows(logs, pattern):
    """Rows of every JSON file matching pattern (a file cut mid-write is skipped, and said)."""
    rows, notes = [], []
    for path in sorted(glob.glob(os.path.join(logs, pattern))):
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            notes.append(f"{os.path.basename(path)}: unreadable ({e})")
            continue
        for r in doc.get("rows", []):
            r.setdefault("source", os.path.basename(path))
            rows.append(r)
    return rows, notes


def zkd_mode(r):
    return r.get("precision", "?") + ("+graph" if r.get("graph") else "") + \
        ("+tcache" if r.get("teacher_cache") else "")


def speed_rows(zkd, torch_rows):
    """One row per case (train / kd+ls / infer): zkd's ms per precision, PyTorch's per mode."""
    cases = []
    for r in zkd + torch_rows:
        if r.get("case") != "sweep" and r["name"] not in cases:
            cases.append(r["name"])
    zkd_modes = sorted({zkd_mode(r) for r in zkd if r.get("case") != "sweep"})
    # Columns: the modes with at least one measured row, in ORDER (failed modes: listed apart).
    torch_modes = sorted({r["mode"] for r in torch_rows if "error" not in r},
                         key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))
    out = []
    for case in cases:
        row = {"case": case, "zkd": {}, "pytorch": {}, "zkd_peak_mib": None, "leak_mib": None}
        for r in zkd:
            if r["name"] == case:
                row["zkd"][zkd_mode(r)] = r["ms_per_step"]
                alloc = r.get("allocated_mib_after_repeat") or []
                if alloc and zkd_mode(r) in ("tf32", "fp32"):
                    row["leak_mib"] = alloc[-1] - alloc[0]
                    row["zkd_peak_mib"] = r.get("peak_mib")
        for r in torch_rows:
            if r["name"] == case:
                row["pytorch"][r["mode"]] = r.get("ms_per_step", r.get("error", "failed"))
        ok = {m: v for m, v in row["pytorch"].items() if isinstance(v, (int, float))}
        zk = [v for v in row["zkd"].values()]
        row["zkd_best_ms"] = min(zk) if zk else None
        if ok:
            row["pytorch_best_mode"] = min(ok, key=ok.get)
            row["pytorch_best_ms"] = ok[row["pytorch_best_mode"]]
        if zk and ok:
            row["speedup_vs_best"] = row["pytorch_best_ms"] / row["zkd_best_ms"]
            if "tf32" in ok:
                row["speedup_vs_eager_tf32"] = ok["tf32"] / row["zkd_best_ms"]
        if case in TARGET_MS:
            row["target_ms"] = TARGET_MS[case]
            row["target_met"] = bool(zk) and row["zkd_best_ms"] <= TARGET_MS[case] and \
                row.get("speedup_vs_best", 0) >= 1.0 and row.get("speedup_vs_eager_tf32", 0) >= 3.0
        out.append(row)
    return out, zkd_modes, torch_modes


def sweep_rows(zkd):
    rows = sorted((r for r in zkd if r.get("case") == "sweep"), key=lambda r: (zkd_mode(r), r["members"]))
    one = {zkd_mode(r): r["images_per_s"] for r in rows if r["members"] == 1}
    out = []
    for r in rows:
        base = one.get(zkd_mode(r))
        ratio = r["images_per_s"] / base if base else None
        out.append({"name": r["name"], "mode": zkd_mode(r), "members": r["members"],
                    "ms_per_step": r["ms_per_step"], "images_per_s": r["images_per_s"],
                    "peak_mib": r.get("peak_mib"), "vs_one": ratio,
                    "target": SWEEP_TARGET.get(r["members"]),
                    "target_met": (ratio >= SWEEP_TARGET[r["members"]]) if ratio and r["members"] in SWEEP_TARGET else None})
    return out


def fmt_ms(v):
    if v is None:
        return "-"
    if isinstance(v, str):
        return "FAILED"
    return f"{v:.3f}"


def speed_table(speed, zkd_modes, torch_modes, sweep):
    """The summary table (Markdown, also printed): one row per case, then the sweep rows."""
    head = ["case"] + [f"zkd {m}" for m in zkd_modes] + [f"PT {m}" for m in torch_modes] + \
        ["best PT", "vs best", "vs PT tf32", "target", "peak MiB", "leak MiB"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    for r in speed:
        target = "-"
        if "target_ms" in r:
            target = f"<= {r['target_ms']} ms: {'met' if r['target_met'] else 'MISSED'}"
        cells = [r["case"]] + [fmt_ms(r["zkd"].get(m)) for m in zkd_modes] + \
            [fmt_ms(r["pytorch"].get(m)) for m in torch_modes] + \
            [r.get("pytorch_best_mode", "-"),
             f"{r['speedup_vs_best']:.2f}x" if "speedup_vs_best" in r else "-",
             f"{r['speedup_vs_eager_tf32']:.2f}x" if "speedup_vs_eager_tf32" in r else "-",
             target,
             f"{r['zkd_peak_mib']:.0f}" if r["zkd_peak_mib"] is not None else "-",
             f"{r['leak_mib']:+.1f}" if r["leak_mib"] is not None else "-"]
        lines.append("| " + " | ".join(cells) + " |")
    for s in sweep:
        vs = f"{s['vs_one']:.2f}x N=1" if s["vs_one"] else "-"
        target = f">= {s['target']}x N=1: {'met' if s['target_met'] else 'MISSED'}" if s["target"] else "-"
        cells = [f"{s['name']} ({s['images_per_s']:.0f} img/s)"] + \
            [fmt_ms(s["ms_per_step"]) if m == s["mode"] else "" for m in zkd_modes] + \
            ["" for _ in torch_modes] + ["-", vs, "-", target,
                                          f"{s['peak_mib']:.0f}" if s["peak_mib"] is not None else "-", "-"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def by_suite(names, results, before, width=150):
    """'Suite: Name Name+ Name[FAILED]' lines, wrapped: '+' marks a test added since the baseline,
    a bracket any status but Passed."""
    lines, suites = [], {}
    for n in names:
        suite, _, test = n.partition(".")
        status = results.get(n, "NOT RUN")
        suites.setdefault(suite, []).append(test + ("+" if n not in before else "") +
                                            ("" if status == "Passed" else f"[{status}]"))
    for suite, tests in suites.items():
        line = suite + ":"
        for t in tests:
            if len(line) + 1 + len(t) > width:
                lines.append(line)
                line = "    "
            line += " " + t
        lines.append(line)
    return lines


def failed_bench(rows):
    """One line per implementation, mode and error: 'pytorch tf32+graph (train resnet32x4, ...):
    RuntimeError: ...'."""
    groups = {}
    for r in rows:
        key = (r.get("impl", "?"), r.get("mode", zkd_mode(r)), r["error"])
        groups.setdefault(key, []).append(r["name"])
    return [f"bench FAILED: {impl} {mode} ({', '.join(names)}): {error[:160]}"
            for (impl, mode, error), names in groups.items()]


def card_slug(card):
    words = [w for w in re.split(r"[^A-Za-z0-9]+", card.lower()) if w and w != "nvidia"]
    return words[0] if words else "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--logs", required=True)
    ap.add_argument("--status", default="")
    ap.add_argument("--results", default="", help="write <date>-<card>.json and gpu-results-section.md here")
    ap.add_argument("--date", default=datetime.datetime.utcnow().strftime("%Y-%m-%d"))
    args = ap.parse_args()
    logs = args.logs

    smi = first_line(read(logs, "nvidia-smi.txt"), "nvidia-smi: not available")
    card = smi.split(",")[0].strip()
    nvcc = [l.strip() for l in read(logs, "nvcc.txt").splitlines() if "release" in l]
    cudnn = dict(l.split("=", 1) for l in read(logs, "cudnn-version.txt").split() if "=" in l)
    cudnn_v = ".".join(cudnn.get(k, "?") for k in ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL")) \
        if cudnn else "?"
    torch_v = first_line(read(logs, "torch-version.txt"), "?")
    cmake_v = first_line(read(logs, "cmake-version.txt"), "?")
    commit = first_line(read(logs, "commit.txt"), "?")
    cuda_text, cpu_text = read(logs, "ctest-cuda.log"), read(logs, "ctest-cpu.log")
    cuda_results, cuda_why, errors, device = parse_ctest(cuda_text)
    cpu_results, cpu_why, cpu_errors, _ = parse_ctest(cpu_text)
    errors += cpu_errors
    expected, before = expected_cuda_tests()
    phases = [l.split("\t") for l in read(logs, "phases.tsv").splitlines() if l.count("\t") >= 2]
    zkd, notes = load_rows(logs, "bench-zkd*.json")
    torch_rows, notes2 = load_rows(logs, "bench-torch*.json")
    notes += notes2
    speed, zkd_modes, torch_modes = speed_rows(zkd, torch_rows)
    sweep = sweep_rows(zkd)
    table = speed_table(speed, zkd_modes, torch_modes, sweep)
    worst = worst_errors(errors)
    versions = [v for r in zkd for v in [r.get("version")] if v]

    names = expected + sorted(set(cuda_results) - set(expected))
    new = [n for n in names if n not in before]
    failed = {n: s for res in (cuda_results, cpu_results) for n, s in res.items()
              if s not in ("Passed", "Skipped", "Not Run")}
    why = dict(cuda_why, **cpu_why)
    failed_rows = [r for r in torch_rows + zkd if "error" in r]
    results_line = ""
    if args.results:
        os.makedirs(args.results, exist_ok=True)
        slug = card_slug(card) if "not available" not in smi else "nogpu"
        doc = {"date": args.date, "card": smi, "nvcc": nvcc[0] if nvcc else "?", "cudnn": cudnn_v,
               "torch": torch_v, "cmake": cmake_v, "commit": commit, "zkd_version": versions[0] if versions else "?",
               "status": args.status, "zkd_device": device,
               "phases": [{"phase": p[0], "status": p[1], "seconds": p[2], "note": p[3] if len(p) > 3 else ""}
                          for p in phases],
               "tests": {"cuda": {"results": {n: cuda_results.get(n, "not run") for n in names},
                                  "added_since_27ad15d": new,
                                  "failures": {n: why.get(n, []) for n in failed if n in cuda_results}},
                         "cpu": {"passed_failed_skipped": count(cpu_results) if cpu_text else None,
                                 "failures": {n: why.get(n, []) for n in failed if n in cpu_results}}},
               "worst_error_per_op": worst, "speed": speed, "sweep": sweep,
               "rows": {"zkd": zkd, "pytorch": torch_rows}}
        json_path = os.path.join(args.results, f"{args.date}-{slug}.json")
        with open(json_path, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        md = [f"## {args.date}: {card}, commit {commit}", "",
              f"- Card: {smi}; {nvcc[0] if nvcc else 'nvcc ?'}; cuDNN {cudnn_v}; PyTorch {torch_v}; {cmake_v}.",
              f"- Check: {args.status}; phases: " + ", ".join(f"{p[0]} {p[1]} ({p[2]} s)" for p in phases) + ".",
              f"- {label_line('cuda', cuda_results, cuda_text).strip()}; "
              f"{len(new)} added since the last GPU run (27ad15d): " + ", ".join(f"`{n}` ({cuda_results.get(n, 'not run')})"
                                                                             for n in new) + ".",
              f"- Rows: `docs/bench/{os.path.basename(json_path)}`.", ""]
        if failed:
            md += ["Failed tests and what they printed:", "", "```"]
            for n, s in failed.items():
                md += [f"{n} ({s})"] + [f"    {l}" for l in why.get(n, [])]
            md += ["```", ""]
        if failed_rows:
            md += ["Benchmark cases that failed:", ""] + ["- " + l for l in failed_bench(failed_rows)] + [""]
        md += ["Speed (ms/step, batch 64; zkd and PyTorch in the same run on the same card; PT = PyTorch; "
               "vs = best PyTorch ms / best zkd ms; leak = MiB in use after the last repeat minus the first):", ""]
        md += table + [""]
        if worst:
            md += ["Worst error per op (CUDA vs the CPU reference):", "", "```",
                   f"  {'op':34s} {'cases':>5s} {'max_abs':>10s} {'max_rel':>10s} {'nmse':>10s}  shape"]
            md += [f"  {op:34s} {w['cases']:5d} {w['max_abs']:10.2e} {w['max_rel']:10.2e} {w['nmse']:10.2e}  {w['shape']}"
                   for op, w in sorted(worst.items())]
            md += ["```", ""]
        with open(os.path.join(args.results, "gpu-results-section.md"), "w") as f:
            f.write("\n".join(md))
        results_line = f"results     : {json_path}, {os.path.join(args.results, 'gpu-results-section.md')}"


    # ---- the screen ----
    print("=" * 100)
    print(f"zkd GPU check: {args.status}")
    print(f"commit      : {commit}" + (f" (zkd-bench says {versions[0]})" if versions else ""))
    print(f"card/driver : {smi}")
    print(f"CUDA (nvcc) : {nvcc[0] if nvcc else '?'}")
    print(f"cuDNN       : {cudnn_v} (headers used for the build)")
    print(f"PyTorch     : {torch_v};  CMake: {cmake_v}")
    if device:
        print(f"zkd sees    : {device}")
    if results_line:
        print(results_line)
    if phases:
        print("phases      : " + " | ".join(f"{p[0]} {p[1]} {p[2]}s" + (f" ({p[3]})" if len(p) > 3 and p[3] else "")
                                             for p in phases))
    print(label_line("cuda", cuda_results, cuda_text))
    print(label_line("cpu", cpu_results, cpu_text))
    print(f"cuda tests by name ('+': added since the last GPU run, commit 27ad15d: {len(new)}; "
          f"[status] where not Passed):")
    for line in by_suite(names, cuda_results, before):
        print("  " + line)
    for n, s in list(failed.items())[:12]:
        print(f"  FAILED: {n} ({s})")
        for l in why.get(n, [])[:3]:
            print(f"      {l[:110]}")
    if len(failed) > 12:
        print(f"  ... and {len(failed) - 12} more (see {logs}/ctest-*.log)")
    if worst:  # the full table goes to the results; here the 15 largest normalized errors
        top = sorted(worst, key=lambda op: -worst[op]["nmse"])[:15]
        print(f"worst error per op ({len(errors)} comparisons, {len(worst)} ops; the {len(top)} largest nmse; "
              f"all in the results):")
        print(f"  {'op':34s} {'cases':>5s} {'max_abs':>10s} {'max_rel':>10s} {'nmse':>10s}  shape")
        for op in top:
            w = worst[op]
            print(f"  {op:34s} {w['cases']:5d} {w['max_abs']:10.2e} {w['max_rel']:10.2e} {w['nmse']:10.2e}  {w['shape']}")
    else:
        print("worst error per op: no [zkd-error] lines found")
    quick = [l for l in read(logs, "quick.log").splitlines() if l.startswith("|") or "did not finish" in l]
    if quick:
        print("quick preset:")
        for l in quick:
            print("  " + l)
    for line in failed_bench(failed_rows):
        print("  " + line)
    for n in notes:
        print("  " + n)
    batches = sorted({r["batch"] for r in zkd + torch_rows if r.get("case") != "sweep" and "batch" in r})
    print(f"speed (ms/step; batch {','.join(map(str, batches)) or '?'}; PT = PyTorch {torch_v}; vs = best PyTorch ms / "
          f"best zkd ms; leak = device memory in use after the last repeat minus after the first):")
    for l in table:
        print("  " + l)
    print("=" * 100)


if __name__ == "__main__":
    main()
