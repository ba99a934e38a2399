#!/usr/bin/env python3
"""Reproduction runner: one command per paper row (docs/reproduction.md).

    python3 apps/reproduce.py ROW [--seeds 0,1,2,3] [--max-minutes 9] [--dry-run]

runs the row's whole recipe with zkd-train / zkd-distill, one seed after the other, into
RUNS/ROW/seed<N> (default RUNS = runs/reproduce). It is idempotent and resumable: a finished run
is skipped; a run with a checkpoint (last.safetensors) continues with `--resume`; a folder
without one starts over. With --max-minutes the trainer gets SIGINT once that much time has
passed (it finishes the step, writes its checkpoint and exits), and so does a SIGINT / SIGTERM
sent to the runner (forwarded once), so a command under a hard limit
(e.g. a 10-minute window: --max-minutes 9) stops cleanly and the next command on the same
machine continues the run. Student rows distill from the teacher row's run of --teacher-seed,
taking its last epoch's weights (mdistiller's teachers are ckpt_epoch_240, not the best epoch).

Each finished run is recorded once: docs/reproduction.json gets one object (row, teacher,
student, method, seed, epochs, best_top1, last_top1, precision, card, commit),
docs/reproduction/ROW/seed<N>/ keeps its log.jsonl and curves, and the generated part of
docs/reproduction.md (between its reproduce:begin / reproduce:end markers) is rewritten: paper
vs zkd (mean +- std over the complete seeds), every complete run, and the runs in progress in
RUNS. Only complete runs count.

Exit status: 0 every requested run is complete; 3 stopped by --max-minutes (run it again);
1 a trainer or input error; 2 bad usage. Standard library only.
"""
import argparse
import json
import os
import re
import selectors
import shutil
import signal
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------------------------
# The rows. paper: the paper's top-1 (its Tables 1-2; README); needs: a zkd-distill method that
# must exist (checked against its --help); smoke rows are tiny CPU runs for the runner's test
# and are recorded only with an explicit --docs.

SMOKE_SIZE = {"epochs": 3, "num_classes": 4, "train_per_class": 8, "test_per_class": 4,
              "batch_size": 8, "log_every": 1}
ROWS = {
    "teacher-r32x4": {"method": "ce", "student": "resnet32x4", "paper": 79.42},
    "kdls-r32x4-r8x4": {"method": "kd+ls", "teacher_row": "teacher-r32x4",
                        "student": "resnet8x4", "paper": 76.62},
    "dkdls-r32x4-r8x4": {"method": "dkd+ls", "teacher_row": "teacher-r32x4",
                         "student": "resnet8x4", "paper": 77.01},
    "kdls-r32x4-shufflev2": {"method": "kd+ls", "teacher_row": "teacher-r32x4",
                             "student": "ShuffleV2", "paper": 75.56},
    # MLKD trains longer: 480 epochs, 960 for the ShuffleNet students (its official configs).
    "mlkdls-r32x4-r8x4": {"method": "mlkd+ls", "teacher_row": "teacher-r32x4",
                          "student": "resnet8x4", "paper": 78.28, "needs": "mlkd+ls",
                          "size": {"epochs": 480}},
    "mlkdls-r32x4-shufflev2": {"method": "mlkd+ls", "teacher_row": "teacher-r32x4",
                               "student": "ShuffleV2", "paper": 78.76, "needs": "mlkd+ls",
                               "size": {"epochs": 960}},
    "smoke-teacher": {"method": "ce", "student": "resnet20", "paper": None, "smoke": True,
                      "size": SMOKE_SIZE},
    "smoke-kdls": {"method": "kd+ls", "teacher_row": "smoke-teacher", "student": "resnet20",
                   "paper": None, "smoke": True, "size": SMOKE_SIZE},
}
FULL_EPOCHS = 240  # the trainers' default; a row's "size" may set fewer


def teacher_model(row):
    return ROWS[row["teacher_row"]]["student"] if "teacher_row" in row else ""


def row_epochs(row):
    return row.get("size", {}).get("epochs", FULL_EPOCHS)

# ---------------------------------------------------------------------------------------------
# The trainers' interface, all in one place: binaries, flags, the output line that shows that
# training (and the SIGINT handler) has started, the banner naming the device, the files of a
# run folder, and the exit status of a clean interrupt.

STARTED = re.compile(rb"epoch \d+/\d+")
BANNER_DEVICE = re.compile(rb"zkd: .*? on (.+?): \d+ train / \d+ test images")
INTERRUPTED_STATUS = 130
CHECKPOINT, LOG, CURVES = "last.safetensors", "log.jsonl", ("curves.svg", "curves.png")


def trainer_argv(opts, row, seed, run_dir, teacher_ckpt):
    """A fresh run: zkd-train (teacher rows) or zkd-distill (student rows)."""
    size = row.get("size", {})
    if row["method"] == "ce":
        argv = [os.path.join(opts.bin, "zkd-train"), "--model", row["student"]]
    else:
        argv = [os.path.join(opts.bin, "zkd-distill"), "--method", row["method"],
                "--teacher", teacher_ckpt, "--teacher-model", teacher_model(row),
                "--model", row["student"]]
    argv += ["--seed", str(seed), "--out", run_dir, "--device", opts.device]
    if opts.data:
        argv += ["--data", opts.data]
    for key in ("epochs", "num_classes", "train_per_class", "test_per_class", "batch_size",
                "log_every"):
        if key in size:
            argv += ["--" + key.replace("_", "-"), str(size[key])]
    return argv


def resume_argv(opts, row, run_dir):
    """Continue the run in run_dir from its checkpoint (its stored configuration wins)."""
    binary = "zkd-train" if row["method"] == "ce" else "zkd-distill"
    return [os.path.join(opts.bin, binary), "--resume", run_dir]


def has_method(opts, method):
    """Whether zkd-distill knows `method` (its --help lists the methods)."""
    try:
        out = subprocess.run([os.path.join(opts.bin, "zkd-distill"), "--help"],
                             capture_output=True, text=True, timeout=60)
    except OSError:
        return False
    return re.search(r"\b" + re.escape(method) + r"\b", out.stdout + out.stderr) is not None

# ---------------------------------------------------------------------------------------------
# Run folders.


def read_log(run_dir):
    """The epoch records of run_dir/log.jsonl (empty when absent)."""
    path = os.path.join(run_dir, LOG)
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_state(run_dir, epochs):
    """'complete', 'partial' (a checkpoint to resume) or 'none'."""
    if not os.path.exists(os.path.join(run_dir, CHECKPOINT)):
        return "none"
    log = read_log(run_dir)
    if log and int(log[-1]["epoch"]) >= epochs:
        return "complete"
    return "partial"


def git_commit():
    try:
        head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short=12", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True, text=True).stdout
        return head + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def precision_of(card):
    if card == "cpu":
        return "fp32"
    return "fp32" if os.environ.get("ZKD_MATH") == "strict" else "tf32"


def segments_path(run_dir):
    return os.path.join(run_dir, "segments.json")


def add_segment(run_dir, seg):
    """Each trainer command of a run (commit, card, precision, status) in run_dir/segments.json."""
    segs = load_json(segments_path(run_dir), [])
    segs.append(seg)
    write_json(segments_path(run_dir), segs)


def load_json(path, default):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)

# ---------------------------------------------------------------------------------------------
# Running one trainer command under the budget.


_STOP_SIGNALS = []  # SIGINT / SIGTERM received by the runner itself


def _request_stop(signum, frame):
    _STOP_SIGNALS.append(signum)


def run_trainer(argv, deadline, grace_s):
    """Runs argv in its own session, echoing its output. At the deadline (time.monotonic();
    None = none), once training has started, or as soon as the runner itself gets SIGINT /
    SIGTERM, it sends the trainer ONE SIGINT, then waits up to grace_s for the clean exit (a
    second SIGINT after that stops it at once). Returns (exit status, card or None, stopped)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    seen, card, started, signalled_at = b"", None, False, None
    while True:
        for _ in sel.select(timeout=0.2):
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                sel.unregister(proc.stdout)
                break
            sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            seen = (seen + chunk)[-65536:]
            if card is None and BANNER_DEVICE.search(seen):
                card = BANNER_DEVICE.search(seen).group(1).decode(errors="replace")
            started = started or STARTED.search(seen) is not None
        if not sel.get_map():
            break
        now = time.monotonic()
        timed_out = deadline is not None and started and now >= deadline
        if signalled_at is None and (timed_out or _STOP_SIGNALS):
            print("\nreproduce: %s; asking the trainer to checkpoint and stop" % (
                "stop requested" if _STOP_SIGNALS else "--max-minutes reached"), flush=True)
            proc.send_signal(signal.SIGINT)
            signalled_at = now
        elif signalled_at is not None and now - signalled_at > grace_s:
            proc.send_signal(signal.SIGINT)
            signalled_at = float("inf")
    status = proc.wait()
    return status, card, signalled_at is not None

# ---------------------------------------------------------------------------------------------
# Recording.


def record_run(opts, name, row, seed, run_dir):
    """Adds the complete run to DOCS/reproduction.json (once) and copies its log and curves."""
    runs = load_json(os.path.join(opts.docs, "reproduction.json"), [])
    if any(r["row"] == name and r["seed"] == seed for r in runs):
        return False
    log = read_log(run_dir)
    segs = load_json(segments_path(run_dir), [])
    commits = sorted({s["commit"] for s in segs}) or ["unknown"]
    cards = sorted({s["card"] for s in segs if s.get("card")}) or ["unknown"]
    precisions = sorted({s["precision"] for s in segs if s.get("precision")}) or ["unknown"]
    runs.append({
        "row": name, "teacher": teacher_model(row) or None, "student": row["student"],
        "method": row["method"], "seed": seed, "epochs": int(log[-1]["epoch"]),
        "best_top1": max(float(r["test_top1"]) for r in log),
        "last_top1": float(log[-1]["test_top1"]),
        "precision": "+".join(precisions), "card": " + ".join(cards),
        "commit": "+".join(commits)})
    keep = os.path.join(opts.docs, "reproduction", name, "seed%d" % seed)
    os.makedirs(keep, exist_ok=True)
    for f in (LOG,) + CURVES:
        if os.path.exists(os.path.join(run_dir, f)):
            shutil.copyfile(os.path.join(run_dir, f), os.path.join(keep, f))
    write_json(os.path.join(opts.docs, "reproduction.json"), runs)
    return True


def mean_std(values):
    if not values:
        return "-"
    if len(values) == 1:
        return "%.2f" % values[0]
    return "%.2f +- %.2f" % (statistics.mean(values), statistics.stdev(values))


BEGIN, END = "<!-- reproduce:begin -->", "<!-- reproduce:end -->"


def render(opts):
    """The generated part of reproduction.md."""
    runs = load_json(os.path.join(opts.docs, "reproduction.json"), [])
    out = ["", "| row | teacher -> student | method | paper top-1 | zkd best top-1 | "
           "zkd last top-1 | complete runs |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, row in ROWS.items():
        done = [r for r in runs if r["row"] == name]
        if row.get("smoke") and not done:
            continue
        pair = (teacher_model(row) + " -> " if teacher_model(row) else "") + row["student"]
        paper = "%.2f" % row["paper"] if row["paper"] is not None else "-"
        if row.get("needs"):
            paper += " (needs the %s method)" % row["needs"]
        out.append("| %s | %s | %s | %s | %s | %s | %d |" % (
            name, pair, row["method"], paper, mean_std([r["best_top1"] for r in done]),
            mean_std([r["last_top1"] for r in done]), len(done)))
    out += ["", "Complete runs (each one's log.jsonl and curves are in reproduction/ROW/seedN/):", ""]
    if runs:
        out += ["| row | seed | epochs | best top-1 | last top-1 | precision | card | commit |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in runs:
            out.append("| %s | %d | %d | %.2f | %.2f | %s | %s | %s |" % (
                r["row"], r["seed"], r["epochs"], r["best_top1"], r["last_top1"],
                r["precision"], r["card"], r["commit"]))
    else:
        out.append("none yet.")
    partial = []
    for name, row in ROWS.items():
        base = os.path.join(opts.runs, name)
        for d in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            m = re.fullmatch(r"seed(\d+)", d)
            if m and run_state(os.path.join(base, d), row_epochs(row)) == "partial":
                log = read_log(os.path.join(base, d))
                partial.append("- %s seed %s: in progress, epoch %d of %d done (on the machine "
                               "that holds %s)" % (name, m.group(1), len(log), row_epochs(row),
                                                    os.path.join(base, d)))
    out += ["", "In progress:", ""] + (partial or ["none."]) + [""]
    return "\n".join(out)


def update_markdown(opts):
    path = os.path.join(opts.docs, "reproduction.md")
    text = open(path).read() if os.path.exists(path) else "# Reproduction\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in text or END not in text:
        text += "\n%s\n%s\n" % (BEGIN, END)
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    os.makedirs(opts.docs, exist_ok=True)
    with open(path + ".tmp", "w") as f:
        f.write(head + BEGIN + "\n" + render(opts) + END + tail)
    os.replace(path + ".tmp", path)

# ---------------------------------------------------------------------------------------------


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("row", nargs="?", help="the paper row (see --list)")
    ap.add_argument("--list", action="store_true", help="print the rows and exit")
    ap.add_argument("--seeds", default="0", help="seeds, comma separated (default 0)")
    ap.add_argument("--teacher-seed", type=int, default=0,
                    help="student rows: the teacher row's run to distill from (default 0)")
    ap.add_argument("--max-minutes", type=float, default=None,
                    help="stop cleanly (checkpoint) after this many minutes; run again to continue")
    ap.add_argument("--grace-seconds", type=float, default=60,
                    help="after the stop signal, wait this long for the checkpoint (default 60)")
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    ap.add_argument("--runs", default=os.path.join(REPO, "runs", "reproduce"),
                    help="run folders root (default runs/reproduce)")
    ap.add_argument("--bin", default=os.path.join(REPO, "build", "apps"),
                    help="folder of zkd-train and zkd-distill (default build/apps)")
    ap.add_argument("--data", default="", help="CIFAR-100 location (the trainers' --data)")
    ap.add_argument("--device", default="auto", help="the trainers' --device (default auto)")
    ap.add_argument("--docs", default=None,
                    help="where reproduction.md / .json live (default docs/; smoke rows need it)")
    opts = ap.parse_args(argv)
    if opts.list:
        return opts
    if opts.row not in ROWS:
        ap.error("expected a row, one of: %s; got %r" % (", ".join(ROWS), opts.row))
    try:
        opts.seed_list = [int(s) for s in opts.seeds.split(",")]
    except ValueError:
        ap.error("--seeds expects integers separated by commas, got %r" % opts.seeds)
    if ROWS[opts.row].get("smoke") and opts.docs is None and not opts.dry_run:
        ap.error("smoke rows are recorded only with an explicit --docs DIR (not the repo's docs/)")
    opts.docs = os.path.abspath(opts.docs or os.path.join(REPO, "docs"))
    opts.runs, opts.bin = os.path.abspath(opts.runs), os.path.abspath(opts.bin)
    return opts


def main(argv):
    opts = parse_args(argv)
    if opts.list:
        for name, row in ROWS.items():
            print("%-24s %-7s %s%s  paper %s%s" % (
                name, row["method"], teacher_model(row) + " -> " if teacher_model(row) else "",
                row["student"], row["paper"], "  (needs %s)" % row["needs"] if "needs" in row
                else ""))
        return 0
    signal.signal(signal.SIGINT, _request_stop)
    signal.signal(signal.SIGTERM, _request_stop)
    start = time.monotonic()
    deadline = start + 60 * opts.max_minutes if opts.max_minutes is not None else None
    name, row = opts.row, ROWS[opts.row]
    if row.get("needs") and not opts.dry_run and not has_method(opts, row["needs"]):
        print("reproduce: row %s needs the %s method, which this build's zkd-distill does not have"
              % (name, row["needs"]), file=sys.stderr)
        return 1
    teacher_ckpt = ""
    if "teacher_row" in row:
        tdir = os.path.join(opts.runs, row["teacher_row"], "seed%d" % opts.teacher_seed)
        teacher_ckpt = os.path.join(tdir, CHECKPOINT)
        if not opts.dry_run and run_state(tdir, row_epochs(ROWS[row["teacher_row"]])) != "complete":
            print("reproduce: row %s distills from %s, which is not complete: run "
                  "`python3 apps/reproduce.py %s --seeds %d` first" % (
                      name, tdir, row["teacher_row"], opts.teacher_seed), file=sys.stderr)
            return 1
    status = 0
    for seed in opts.seed_list:
        run_dir = os.path.join(opts.runs, name, "seed%d" % seed)
        state = run_state(run_dir, row_epochs(row))
        if state == "complete":
            print("reproduce: %s seed %d is complete (%s)" % (name, seed, run_dir))
        else:
            argv = (resume_argv(opts, row, run_dir) if state == "partial"
                    else trainer_argv(opts, row, seed, run_dir, teacher_ckpt))
            print("reproduce: %s seed %d: %s" % (name, seed, " ".join(argv)), flush=True)
            if opts.dry_run:
                continue
            if _STOP_SIGNALS or (deadline is not None and time.monotonic() >= deadline):
                print("reproduce: no time left in --max-minutes; run again to continue")
                status = 3
                break
            if state == "none" and os.path.isdir(run_dir):
                shutil.rmtree(run_dir)  # a start that never reached its first checkpoint
            os.makedirs(run_dir, exist_ok=True)
            code, card, stopped = run_trainer(argv, deadline, opts.grace_seconds)
            card = card.split(",")[0] if card else "unknown"  # the GPU's name, or "cpu"
            add_segment(run_dir, {"commit": git_commit(), "card": card,
                                  "precision": precision_of(card), "status": code,
                                  "argv": argv, "time": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                      time.gmtime())})
            state = run_state(run_dir, row_epochs(row))
            if state != "complete":
                update_markdown(opts)
                if stopped:  # the next command resumes (or restarts, without a checkpoint)
                    print("reproduce: stopped by %s (%s); run the same command again to continue "
                          "%s" % ("a signal" if _STOP_SIGNALS else "--max-minutes",
                                  "checkpoint written" if code == INTERRUPTED_STATUS else
                                  "trainer status %d" % code, run_dir))
                    return 3
                print("reproduce: the trainer exited with status %d before the run was complete"
                      % code, file=sys.stderr)
                return 1
        if opts.dry_run:
            continue
        if record_run(opts, name, row, seed, run_dir):
            print("reproduce: recorded %s seed %d in %s" % (
                name, seed, os.path.join(opts.docs, "reproduction.json")))
        update_markdown(opts)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
