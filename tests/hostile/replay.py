#!/usr/bin/env python3
"""Replays issue #25's hostile inputs against a build's apps, class by class, as its filer did.

Every case runs an app (under a timeout) on a crafted input: deeply nested and mutated
checkpoints, FIFOs and devices where files belong, grids whose member count overflows, output
paths that name inputs, config files and flags that used to be accepted silently, corrupt
tarballs, edited run and sweep files, a sweep member left without its checkpoint. A case passes
when the app neither hangs nor dies from a signal, prints no sanitizer report, exits 0 or with a
one-line error (exit 1 or 2, one line on stderr) as the case expects, and leaves every file it
must not touch as it was. Meant for the sanitizer build (tests/sanitize.sh e2e makes build-asan).
Prints one line per class (cases, passed, how many ran and how many were refused) and every failure; exit 1 when any case failed.

Usage: python3 tests/hostile/replay.py BUILD_DIR WORK_DIR [--mutants N] [--jobs J]
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import shutil
import stat
import struct
import subprocess
import sys
import tarfile

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer", "AddressSanitizer:DEADLYSIGNAL")
TINY = ["--num-classes", "5", "--train-per-class", "3", "--test-per-class", "2", "--batch-size", "4",
        "--device", "cpu", "--threads", "1"]
EVAL = ["--num-classes", "5", "--test-per-class", "2", "--device", "cpu", "--threads", "1"]


class Replay:
    def __init__(self, build, work):
        self.apps = os.path.join(os.path.abspath(build), "apps")
        self.work = os.path.abspath(work)
        self.cases = []  # (class, name, argv, expect, guarded paths, timeout, check)

    def app(self, name):
        return os.path.join(self.apps, name)

    def fresh(self, name):
        path = os.path.join(self.work, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
        return path

    def add(self, cls, name, argv, expect="refuse", guard=(), timeout=120, check=None, keep=()):
        """expect: refuse (exit 1 or 2, one line on stderr), ok (exit 0) or any (either). The
        files of guard must be unchanged after a refusal, those of keep after any outcome."""
        self.cases.append((cls, name, argv, expect, list(guard), list(keep), timeout, check))


def digest(path):
    st = os.lstat(path)
    if stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            return "file " + hashlib.sha256(f.read()).hexdigest()
    return "kind %o rdev %d" % (stat.S_IFMT(st.st_mode), st.st_rdev)


def run_case(case):
    cls, name, argv, expect, guard, keep, timeout, check = case
    before = {p: digest(p) for p in guard + keep}
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return cls, name, "hang (killed after %d s)" % timeout, None
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    if any(m in out + err for m in SANITIZER_MARKS):
        problems.append("sanitizer report")
    if p.returncode < 0 or p.returncode >= 128:
        problems.append("died: status %d" % p.returncode)
    elif p.returncode == 0 and expect == "refuse":
        problems.append("accepted (exit 0), a refusal was expected")
    elif p.returncode != 0 and expect == "ok":
        problems.append("exit %d, success was expected" % p.returncode)
    elif p.returncode not in (0, 1, 2):
        problems.append("exit %d (expected 0, 1 or 2)" % p.returncode)
    if p.returncode in (1, 2) and len([l for l in err.splitlines() if l.strip()]) != 1:
        problems.append("error of %d lines" % len(err.splitlines()))
    for path, was in before.items():
        if p.returncode == 0 and path not in keep:
            continue  # a run that went ahead rewrote its own files
        now = digest(path) if os.path.lexists(path) else "gone"
        if now != was:
            problems.append("%s changed (%s -> %s)" % (path, was[:20], now[:20]))
    if check and not problems:
        msg = check(out, err)
        if msg:
            problems.append(msg)
    if problems:
        tail = (err.strip().splitlines() or out.strip().splitlines() or [""])[-1][:300]
        return cls, name, "; ".join(problems) + " | " + tail, p.returncode
    return cls, name, None, p.returncode


# ----- inputs -----

def write_cifar(folder, classes=5, per_class=3, test_per_class=2, seed=1):
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    for fname, per in (("train.bin", per_class), ("test.bin", test_per_class)):
        with open(os.path.join(folder, fname), "wb") as f:
            for i in range(per):
                for c in range(classes):
                    f.write(bytes([c % 20, c]) + bytes(rng.randrange(256) for _ in range(3072)))
    with open(os.path.join(folder, "fine_label_names.txt"), "w") as f:
        f.write("".join("class%d\n" % k for k in range(100)))
    with open(os.path.join(folder, "coarse_label_names.txt"), "w") as f:
        f.write("".join("coarse%d\n" % k for k in range(20)))
    return folder


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n]), b[8 + n:]


def write_safetensors(path, header_bytes, data):
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)) + header_bytes + data)


def nested(depth, kind):
    return ("[" * depth + "]" * depth) if kind == "array" else ('{"a":' * depth + "1" + "}" * depth)


def mutate(raw, rng):
    """One random mutation of a checkpoint's bytes (header region mostly)."""
    b = bytearray(raw)
    n = struct.unpack("<Q", raw[:8])[0]
    op = rng.randrange(8)
    if op == 0:  # flip bytes in the header
        for _ in range(rng.randrange(1, 9)):
            b[8 + rng.randrange(n)] ^= 1 << rng.randrange(8)
    elif op == 1:  # truncate
        del b[rng.randrange(len(b)):]
    elif op == 2:  # a lying header length
        b[:8] = struct.pack("<Q", rng.choice([0, 1, n - 1, n + 1, n * 2, 2 ** 32, 2 ** 63, 2 ** 64 - 1,
                                              rng.randrange(2 ** 64)]))
    elif op == 3:  # a digit of an offset, shape or a number changed
        header = b[8:8 + n].decode("utf-8", "replace")
        digits = [i for i, ch in enumerate(header) if ch.isdigit()]
        i = rng.choice(digits)
        b[8 + i] = ord(rng.choice("0123456789"))
    elif op == 4:  # bytes of the tensor data flipped (the file stays well formed)
        for _ in range(rng.randrange(1, 17)):
            b[8 + n + rng.randrange(len(b) - 8 - n)] ^= 1 << rng.randrange(8)
    elif op == 5:  # a run of the header replaced by random bytes
        at = rng.randrange(n)
        for i in range(at, min(n, at + rng.randrange(1, 64))):
            b[8 + i] = rng.randrange(256)
    elif op == 6:  # a dtype swapped
        header = bytes(b[8:8 + n])
        for a, c in ((b'"F32"', b'"F64"'), (b'"F32"', b'"I64"'), (b'"F32"', b'"BF16"'),
                     (b'"F32"', b'"XYZ"')):
            if a in header and rng.random() < 0.5:
                header = header.replace(a, c, 1)
        b = bytearray(struct.pack("<Q", len(header)) + header + bytes(b[8 + n:]))
    else:  # garbage appended or a hole cut in the middle
        if rng.random() < 0.5:
            b += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096)))
        else:
            at = rng.randrange(8, len(b))
            del b[at:at + rng.randrange(1, 4096)]
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build")
    ap.add_argument("work")
    ap.add_argument("--mutants", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args()
    r = Replay(a.build, a.work)
    marker = os.path.join(r.work, ".zkd-replay")
    if os.path.isdir(r.work) and os.listdir(r.work) and not os.path.exists(marker):
        sys.exit("replay: expected an empty or absent WORK_DIR (or one of an earlier replay), got "
                 "'%s' holding other files" % r.work)
    shutil.rmtree(r.work, ignore_errors=True)  # an earlier replay's cases: every case starts fresh
    os.makedirs(r.work)
    open(marker, "w").close()
    data = write_cifar(os.path.join(r.fresh("data"), "cifar-100-binary"))
    base = os.path.join(r.work, "base")
    shutil.rmtree(base, ignore_errors=True)
    setup = subprocess.run([r.app("zkd-train"), "--model", "resnet20", "--epochs", "1", "--data",
                            data, "--out", base] + TINY, capture_output=True)
    if setup.returncode != 0:
        sys.exit("replay: could not train the base run: " + setup.stderr.decode()[-400:])
    ckpt = os.path.join(base, "last.safetensors")
    header, tensors = read_safetensors(ckpt)
    raw = open(ckpt, "rb").read()

    def run_copy(tag, replace=None):
        """A copy of the base run; replace maps a file name to new bytes."""
        d = os.path.join(r.work, "runs", tag)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(base, d)
        for fname, content in (replace or {}).items():
            with open(os.path.join(d, fname), "wb") as f:
                f.write(content)
        return d

    distill = lambda teacher, out, *extra: [r.app("zkd-distill"), "--method", "kd+ls", "--teacher",
                                            teacher, "--teacher-model", "resnet20", "--model",
                                            "resnet20", "--epochs", "1", "--data", data, "--out",
                                            out] + TINY + list(extra)

    # 1. Deeply nested checkpoint headers (a tensor entry, and the config in the metadata).
    cls = "deep nesting in a checkpoint"
    for depth in (100, 1000, 10000, 100000):
        for kind in ("array", "object"):
            for where in ("tensor", "config"):
                h = dict(header)
                if where == "tensor":
                    text = json.dumps(h)[:-1] + ', "a": ' + nested(depth, kind) + "}"
                else:
                    meta = dict(h["__metadata__"])
                    meta["config"] = meta["config"][:-1] + ', "x": ' + nested(depth, kind) + "}"
                    h["__metadata__"] = meta
                    text = json.dumps(h)
                tag = "deep-%s-%s-%d" % (where, kind, depth)
                content = struct.pack("<Q", len(text)) + text.encode() + tensors
                # The config is read by --resume and summarize; eval and --teacher need weights only.
                weights_only = "refuse" if where == "tensor" else "any"
                consumers = {
                    "eval": (lambda d, f: [r.app("zkd-eval"), "--checkpoint", f, "--data", data] +
                             EVAL, weights_only),
                    "resume": (lambda d, f: [r.app("zkd-train"), "--resume", d, "--epochs", "2"],
                               "refuse"),
                    "teacher": (lambda d, f: distill(f, os.path.join(r.work, "out", d[-40:])),
                                weights_only),
                    "summarize": (lambda d, f: [r.app("zkd-sweep"), "summarize", d, "--out",
                                                os.path.join(r.work, "sum", os.path.basename(d))],
                                  "any")}
                for consumer, (argv, expect) in consumers.items():
                    d = run_copy(tag + "-" + consumer, {"last.safetensors": content})
                    files = [os.path.join(d, "last.safetensors"), os.path.join(d, "best.safetensors")]
                    # Only --resume may rewrite the run it reads (when it goes ahead).
                    r.add(cls, tag + " " + consumer, argv(d, files[0]), expect=expect,
                          guard=files, keep=[] if consumer == "resume" else files)

    # 2. Mutated checkpoints fed to zkd-eval, --resume and --teacher.
    cls = "mutated checkpoints"
    rng = random.Random(25)
    for i in range(a.mutants):
        m = mutate(raw, rng)
        for consumer in ("eval", "resume", "teacher"):
            d = run_copy("mut%d-%s" % (i, consumer), {"last.safetensors": m})
            f = os.path.join(d, "last.safetensors")
            argv = {"eval": [r.app("zkd-eval"), "--checkpoint", f, "--data", data] + EVAL,
                    "resume": [r.app("zkd-train"), "--resume", d, "--epochs", "2"],
                    "teacher": distill(f, os.path.join(r.work, "out", "mut%d" % i))}[consumer]
            files = [f, os.path.join(d, "best.safetensors")]
            r.add(cls, "mut%d %s" % (i, consumer), argv, expect="any", guard=files,
                  keep=[] if consumer == "resume" else files)

    # 3. A FIFO or a device where summarize (and resume) read a file.
    cls = "FIFO or device in a run directory"
    for fname in ("last.safetensors", "config.toml", "log.jsonl", "best.safetensors"):
        for kind in ("fifo", "/dev/zero", "/dev/urandom", "/dev/null"):
            tag = "kind-%s-%s" % (fname, kind.replace("/", "_"))
            for consumer in ("summarize", "resume"):
                d = run_copy(tag + "-" + consumer)
                p = os.path.join(d, fname)
                os.remove(p)
                if kind == "fifo":
                    os.mkfifo(p)
                else:
                    os.symlink(kind, p)
                if consumer == "summarize":
                    # summarize reads the settings from last.safetensors when it is there.
                    exp = "refuse" if fname in ("last.safetensors", "log.jsonl") else "any"
                    r.add(cls, tag + " summarize", [r.app("zkd-sweep"), "summarize", d, "--out",
                                                    os.path.join(r.work, "sum", tag)],
                          expect=exp, timeout=30)
                else:
                    exp = "any" if fname == "best.safetensors" else "refuse"
                    r.add(cls, tag + " resume", [r.app("zkd-train"), "--resume", d, "--epochs",
                                                 "2"], expect=exp, timeout=60)

    # 4. Grids whose member count overflows or passes the cap.
    cls = "grid sizes"
    big = ",".join("0.%04d" % (k + 1) for k in range(200))
    grids = [["--seeds", "0-18446744073709551615"], ["--seeds", "0-9223372036854775807", "--lr", "0.1,0.2"],
             ["--seeds", "0-4294967295", "--lr", "0.1,0.2", "--momentum", "0.1,0.2"],
             ["--seeds", "0-99", "--lr", big], ["--lr", big, "--weight-decay", big],
             ["--seeds", "0-10000"], ["--seeds", "5-3"], ["--seeds", "-1"], ["--seeds", "0-1,1"],
             ["--lr", "0.1,0.10"], ["--lr", "0x10"], ["--lr", ""], ["--lr", ",,,"],
             ["--seeds", "0-2", "--seeds", "3"]]
    for i, g in enumerate(grids):
        r.add(cls, " ".join(g)[:60], [r.app("zkd-sweep"), "train", "--model", "resnet20", "--data",
                                      data, "--plan", "--out", os.path.join(r.work, "grid%d" % i)]
              + TINY + g, timeout=60)

    # 5. Output paths that name an input, a checkpoint or a non-regular file.
    cls = "outputs over inputs"
    d = run_copy("loss-teacher-dir")
    other = os.path.join(d, "mine.safetensors")
    shutil.copy(ckpt, other)
    t = os.path.join(d, "teacher.safetensors")
    shutil.copy(ckpt, t)
    # --overwrite replaces the run's own files there (by name) and keeps the teacher and the rest.
    r.add(cls, "distill --out over the teacher's folder --overwrite",
          distill(t, d, "--overwrite"), expect="ok", keep=[t, other])
    d2 = run_copy("loss-teacher-run")
    keep2 = [os.path.join(d2, f) for f in os.listdir(d2)]
    r.add(cls, "distill --teacher RUN --out RUN --overwrite", distill(d2, d2, "--overwrite"),
          keep=keep2)
    for target in ("best.safetensors", "last.safetensors", "config.toml", "log.jsonl",
                   "log.csv", "command.txt", "curves.png", "curves.svg"):
        for consumer in ("resume", "eval"):
            d3 = run_copy("dump-%s-%s" % (target, consumer))
            keep3 = [os.path.join(d3, f) for f in os.listdir(d3)]
            argv = ([r.app("zkd-train"), "--resume", d3, "--epochs", "2", "--dump-batch"]
                    if consumer == "resume" else
                    [r.app("zkd-eval"), "--checkpoint", os.path.join(d3, "best.safetensors"),
                     "--data", data] + EVAL + ["--save-logits"])
            r.add(cls, "%s %s RUN/%s" % (consumer, argv[-1], target),
                  argv + [os.path.join(d3, target)], keep=keep3)
    fifos = r.fresh("fifos")

    def new_fifo(name):  # one per case: two cases never meet on one FIFO
        path = os.path.join(fifos, name)
        os.mkfifo(path)
        return path

    for dev in ("/dev/null", "/dev/zero", "fifo"):
        target = new_fifo("eval.npy") if dev == "fifo" else dev
        r.add(cls, "eval --save-logits " + dev,
              [r.app("zkd-eval"), "--checkpoint", ckpt, "--data", data, "--save-logits", target] +
              EVAL, keep=[target, ckpt], timeout=60)
        target = new_fifo("batch.png") if dev == "fifo" else dev
        r.add(cls, "train --dump-batch " + dev,
              [r.app("zkd-train"), "--model", "resnet20", "--epochs", "1", "--data", data,
               "--dump-batch", target, "--out", os.path.join(r.work, "out", "dump" + dev[-4:])] +
              TINY, keep=[target], timeout=60)
    # A fresh run's own files named as its --dump-batch.
    for name in ("config.toml", "log.jsonl"):
        out = os.path.join(r.work, "out", "own-" + name)
        r.add(cls, "train --out D --dump-batch D/" + name,
              [r.app("zkd-train"), "--model", "resnet20", "--epochs", "1", "--data", data,
               "--dump-batch", os.path.join(out, name), "--out", out] + TINY, timeout=60)

    # 6. Config files and flags once accepted silently.
    cls = "configs and flags"
    cfgdir = r.fresh("configs")
    configs = {"section": "[optimization]\nepochs = 3\n", "dotted": "optimization.epochs = 3\n",
               "array": "epochs = [3, 4]\n", "duplicate": "epochs = 3\nepochs = 4\n",
               "hex": "lr = 0x10\n", "unclosed": "milestones = [1, 2\nepochs = 3\n",
               "nested-table": "a = { b = { c = 1 } }\n", "deep-array": "milestones = " +
               nested(100000, "array") + "\n", "not-utf8": 'schedule = "\xff"\n'}
    for name, text in configs.items():
        p = os.path.join(cfgdir, name + ".toml")
        with open(p, "wb") as f:
            f.write(text.encode("latin-1"))
        r.add(cls, "config " + name, [r.app("zkd-train"), "--config", p, "--model", "resnet20",
                                       "--data", data, "--out", os.path.join(r.work, "out",
                                                                             "cfg-" + name)] + TINY,
              timeout=60)
    # Duplicate milestones are PyTorch's MultiStepLR semantics (the factor applies twice): allowed.
    r.add(cls, "train --milestones 1,1", [r.app("zkd-train"), "--model", "resnet20", "--epochs",
                                         "2", "--milestones", "1,1", "--data", data, "--out",
                                         os.path.join(r.work, "out", "milestones")] + TINY,
          expect="ok", timeout=300)
    for flags in (["--lr", "0x10"], ["--lr", "1e999"], ["--lr", "nan"], ["--epochs", "1",
                  "--epochs", "2"], ["--batch-size", "0"], ["--milestones", "0,5"],
                  ["--config", "/dev/zero"], ["--config", cfgdir], ["--config", "fifo"]):
        flags = [new_fifo("config.toml") if f == "fifo" else f for f in flags]
        r.add(cls, "train " + " ".join(flags)[:40],
              [r.app("zkd-train"), "--model", "resnet20", "--data", data, "--out",
               os.path.join(r.work, "out", "flags%d" % len(r.cases))] + TINY + flags, timeout=60)

    # 7. Corrupt tarballs (one deflate bit flipped, truncated).
    cls = "corrupt tarballs"
    tdir = r.fresh("tar")
    good = os.path.join(tdir, "good.tar.gz")
    with tarfile.open(good, "w:gz") as tf:
        tf.add(data, arcname="cifar-100-binary")
    gz = open(good, "rb").read()
    trng = random.Random(7)
    for i in range(12):
        b = bytearray(gz)
        if i < 10:
            at = trng.randrange(20, len(b) - 8)
            b[at] ^= 1 << trng.randrange(8)
        else:
            del b[len(b) // (i - 7):]
        p = os.path.join(tdir, "bad%d.tar.gz" % i)
        open(p, "wb").write(bytes(b))
        r.add(cls, "data info bad%d" % i, [r.app("zkd-data"), "info", "--data", p], timeout=60)
        r.add(cls, "train --data bad%d" % i, [r.app("zkd-train"), "--model", "resnet20", "--epochs",
                                              "1", "--data", p, "--out",
                                              os.path.join(r.work, "out", "tar%d" % i)] + TINY,
              timeout=60)

    # 8. Edited run and sweep files, format tags, impossible summaries, a member left stuck.
    cls = "edited run files"
    d = run_copy("edit-config")
    cfg = os.path.join(d, "config.toml")
    lines = open(cfg).read().splitlines()
    open(cfg, "w").write("\n".join("momentum = 0.5" if l.startswith("momentum = ") else l
                                   for l in lines) + "\n")
    r.add(cls, "resume a hand-edited config.toml", [r.app("zkd-train"), "--resume", d, "--epochs",
                                                   "2"], guard=[os.path.join(d, "last.safetensors")],
          check=lambda out, err: None if "got momentum = 0.5" in err else "refused for another "
          "reason than the edit")
    for tag_value in ("zkd-checkpoint-0", "zkd-checkpoint-2", "xyz", ""):
        h = json.loads(json.dumps(header))
        h["__metadata__"]["format"] = tag_value
        text = json.dumps(h).encode()
        d = run_copy("tag-" + (tag_value or "empty"),
                     {"last.safetensors": struct.pack("<Q", len(text)) + text + tensors})
        f = os.path.join(d, "last.safetensors")
        r.add(cls, "format tag '%s' resume" % tag_value,
              [r.app("zkd-train"), "--resume", d, "--epochs", "2"], guard=[f])
        r.add(cls, "format tag '%s' eval" % tag_value,
              [r.app("zkd-eval"), "--checkpoint", f, "--data", data] + EVAL, guard=[f])
    for value in ("250", "-1", "1e309", "\"x\"", "null"):
        d = run_copy("top1-" + value.strip('"'))
        log = os.path.join(d, "log.jsonl")
        lines = open(log).read().splitlines()
        rec = json.loads(lines[-1])
        text = json.dumps(rec).replace('"test_top1": %s' % json.dumps(rec["test_top1"]),
                                       '"test_top1": ' + value)
        open(log, "w").write("\n".join(lines[:-1] + [text]) + "\n")
        r.add(cls, "summarize test_top1 " + value, [r.app("zkd-sweep"), "summarize", d, "--out",
                                                   os.path.join(r.work, "sum", "top1" + value)],
              expect="ok" if value == "null" else "refuse")  # null: a diverged epoch
    sweep = os.path.join(r.work, "sweep")
    shutil.rmtree(sweep, ignore_errors=True)
    plan = subprocess.run([r.app("zkd-sweep"), "train", "--model", "resnet20", "--epochs", "1",
                           "--data", data, "--seeds", "3", "--plan", "--out", sweep] + TINY,
                          capture_output=True)
    if plan.returncode == 0:
        sj = os.path.join(sweep, "sweep.json")
        original = open(sj).read()
        open(sj, "w").write(original.replace('"args":[', '"args":["--momentum=0.5",', 1))
        r.add(cls, "sweep --resume of an edited sweep.json", [r.app("zkd-sweep"), "--resume", sweep],
              timeout=60)
    else:
        r.add(cls, "sweep plan", [r.app("zkd-sweep")] + plan.args[1:], expect="ok")
    stuck = os.path.join(r.work, "stuck")
    shutil.rmtree(stuck, ignore_errors=True)
    subprocess.run([r.app("zkd-sweep"), "train", "--model", "resnet20", "--epochs", "1", "--data",
                    data, "--seeds", "3", "--plan", "--out", stuck] + TINY, capture_output=True)
    member = os.path.join(stuck, "seed3")
    os.makedirs(member, exist_ok=True)
    shutil.copy(ckpt, os.path.join(member, "best.safetensors"))
    open(os.path.join(member, "log.jsonl"), "w").close()
    r.add("a sweep member stuck after a fault", "sweep --resume restarts it",
          [r.app("zkd-sweep"), "--resume", stuck], expect="ok", timeout=600,
          check=lambda out, err: None if os.path.exists(os.path.join(member, "last.safetensors"))
          else "no last.safetensors after the restart")

    # Run every case (jobs at a time); one line per class.
    results = {}
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        for cls, name, problem, status in pool.map(run_case, r.cases):
            tried, passed, ran = results.get(cls, (0, 0, 0))
            results[cls] = (tried + 1, passed + (problem is None), ran + (status == 0))
            if problem:
                failures.append("%s / %s: %s" % (cls, name, problem))
    for cls, (tried, passed, ran) in results.items():
        print("%-36s %5d cases, %5d passed (%d exit 0, %d refused)" % (cls, tried, passed, ran,
                                                                   tried - ran))
    print("%-36s %5d cases, %5d passed" % ("all", sum(v[0] for v in results.values()),
                                          sum(v[1] for v in results.values())))
    for f in failures:
        print("FAIL " + f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
