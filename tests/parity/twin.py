#!/usr/bin/python3
"""PyTorch twin of the official training step (mdistiller / logit-standardization-KD), for the
step-parity test (parity_test.cpp; docs/parity.md explains the design and the measured errors).

zkd writes a case folder: run.json (zkd's TrainConfig JSON under "config", the epoch of each
step under "epochs"), init_student.safetensors and init_teacher.safetensors (float64 weights
under PyTorch names), batches.safetensors (the augmented batches zkd's Loader produced, float64
images [B, 3, 32, 32] and int64 labels [B], step by step, the last one partial), zkd.safetensors
(zkd's loss at each step, [K]), student_step<k>.safetensors (zkd's student state after step k)
and teacher_after.safetensors. The twin trains the same K steps in float64 with the official
semantics (docs/zscore-kd.md for the losses, docs/parity.md for the step):

  - Distiller.train(): student in training mode, teacher in eval mode, every step;
  - the teacher's logits under torch.no_grad();
  - loss = sum of the loss terms (CE on the raw logits, mean over the batch, plus the KD / DKD
    term; DKD's term times min(epoch / warm-up, 1));
  - torch.optim.SGD(student.parameters(), lr, momentum, weight_decay): weight decay on every
    student parameter, batch-norm weights and biases included; zero_grad, backward, step;
  - LR = base * gamma ** (number of milestones m with epoch > m), set at the start of an epoch.

zkd holds the SGD and loss hyper-parameters as float32 (SgdArgs, KdLossArgs); the twin uses the
same float32-rounded values (zkd_float below) so that both sides run the same numbers.

The module is reusable: METHODS maps a method name to its forward_train; other parity tests
(e.g. MLKD, CTKD) register theirs and call compare_case().

usage: twin.py [--mutate none|bn-no-wd|teacher-train] [--float64-hparams] [--verbose] CASE_DIR...
prints per case: "case=NAME mutate=M steps=K loss_rel_err=... param_rel_err=...
update_rel_err=... buffer_rel_err=... teacher_rel_err=... tracked_equal=0|1"
(maxima over the steps and tensors). Exit status 0 when it could compare, 2 on a load error.
"""
import argparse
import json
import os
import struct
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nets"))
from pytorch_crosscheck import MODELS, read_safetensors  # noqa: E402

MUTATIONS = ("none", "bn-no-wd", "teacher-train")
_FLOAT64_HPARAMS = False  # --float64-hparams: the official double values instead of zkd's float32


def zkd_float(x):
    """x as zkd holds it: rounded to float32 (SgdArgs and KdLossArgs are float)."""
    if _FLOAT64_HPARAMS:
        return float(x)
    return struct.unpack("<f", struct.pack("<f", float(x)))[0]

# ---------------------------------------------------------------------------------------------
# The loss terms (docs/zscore-kd.md).


def standardize(z):
    """Z-score per row: (z - mean) / (1e-7 + unbiased std)."""
    return (z - z.mean(dim=-1, keepdim=True)) / (1e-7 + z.std(dim=-1, keepdim=True))


def kd_term(z, v, temperature, stand):
    """T^2 * mean over the batch of KL(softmax(v/T) || softmax(z/T)), on Z-scores with LS."""
    if stand:
        z, v = standardize(z), standardize(v)
    log_q = F.log_softmax(z / temperature, dim=1)
    p = F.softmax(v / temperature, dim=1)
    return F.kl_div(log_q, p, reduction="none").sum(1).mean() * temperature ** 2


def dkd_term(z, v, target, alpha, beta, temperature, stand):
    """alpha * TCKD + beta * NCKD: binary target / non-target KL, and the KL over the non-target
    classes (softmax with the target logit pushed down by 1000); both summed over the batch,
    times T^2 / B."""
    if stand:
        z, v = standardize(z), standardize(v)
    n = target.shape[0]
    gt = F.one_hot(target, z.shape[1]).bool()
    q = F.softmax(z / temperature, dim=1)
    p = F.softmax(v / temperature, dim=1)

    def binary(t):  # [B, 2]: the target class's probability, then the rest's
        return torch.stack([(t * gt).sum(1), (t * ~gt).sum(1)], dim=1)

    tckd = F.kl_div(torch.log(binary(q)), binary(p), reduction="sum") * temperature ** 2 / n
    log_q_other = F.log_softmax(z / temperature - 1000.0 * gt, dim=1)
    p_other = F.softmax(v / temperature - 1000.0 * gt, dim=1)
    nckd = F.kl_div(log_q_other, p_other, reduction="sum") * temperature ** 2 / n
    return alpha * tckd + beta * nckd

# ---------------------------------------------------------------------------------------------
# Methods: forward_train(student, teacher, images, labels, hp, epoch) -> the loss to minimize
# (the sum of the distiller's loss terms). hp is zkd's TrainConfig JSON.


def teacher_logits(teacher, images):
    with torch.no_grad():
        return teacher(images)


def vanilla(student, teacher, images, labels, hp, epoch):
    return F.cross_entropy(student(images), labels)


def kd(stand):
    def forward_train(student, teacher, images, labels, hp, epoch):
        z = student(images)
        v = teacher_logits(teacher, images)
        loss_ce = zkd_float(hp["lambda_ce"]) * F.cross_entropy(z, labels)
        loss_kd = zkd_float(hp["kd_weight"]) * kd_term(z, v, zkd_float(hp["temperature"]), stand)
        return loss_ce + loss_kd
    return forward_train


def dkd(stand):
    def forward_train(student, teacher, images, labels, hp, epoch):
        z = student(images)
        v = teacher_logits(teacher, images)
        loss_ce = zkd_float(hp["lambda_ce"]) * F.cross_entropy(z, labels)
        warm = zkd_float(min(epoch / hp["dkd_warmup"], 1.0))
        # The official LS script: ALPHA = 1 x kd_weight, BETA = BETA x kd_weight.
        alpha, beta = hp["kd_weight"], hp["dkd_beta"] * hp["kd_weight"]
        loss_dkd = warm * dkd_term(z, v, labels, zkd_float(alpha), zkd_float(beta),
                                   zkd_float(hp["temperature"]), stand)
        return loss_ce + loss_dkd
    return forward_train


METHODS = {"ce": vanilla, "kd": kd(False), "kd+ls": kd(True), "dkd": dkd(False),
           "dkd+ls": dkd(True)}

# ---------------------------------------------------------------------------------------------
# Optimizer, schedule and the step.


def make_sgd(student, hp, mutate="none"):
    """SGD over every student parameter; the bn-no-wd mutation exempts batch-norm parameters."""
    wd, mom = zkd_float(hp["weight_decay"]), zkd_float(hp["momentum"])
    if mutate == "bn-no-wd":
        bn = [p for m in student.modules() if isinstance(m, torch.nn.BatchNorm2d)
              for p in m.parameters(recurse=False)]
        ids = {id(p) for p in bn}
        rest = [p for p in student.parameters() if id(p) not in ids]
        groups = [{"params": rest}, {"params": bn, "weight_decay": 0.0}]
        return torch.optim.SGD(groups, lr=0.0, momentum=mom, weight_decay=wd)
    return torch.optim.SGD(student.parameters(), lr=0.0, momentum=mom, weight_decay=wd)


def lr_at(hp, epoch):
    """Multistep: base * gamma ** #(milestones m with epoch > m), as zkd rounds it (float32)."""
    steps = sum(1 for m in hp["milestones"] if epoch > m)
    if _FLOAT64_HPARAMS:
        return hp["lr"] * hp["gamma"] ** steps
    return zkd_float(zkd_float(hp["lr"]) * zkd_float(hp["gamma"]) ** steps)


def train_step(student, teacher, opt, images, labels, method, hp, epoch, mutate="none"):
    """One official training iteration; returns the loss (a float)."""
    for g in opt.param_groups:
        g["lr"] = lr_at(hp, epoch)
    student.train()
    if teacher is not None:
        teacher.train(mutate == "teacher-train")
    opt.zero_grad()
    loss = METHODS[method](student, teacher, images, labels, hp, epoch)
    loss.backward()
    opt.step()
    return float(loss)

# ---------------------------------------------------------------------------------------------
# Comparison with zkd's case folder.


def rel(a, b):
    """max |a - b| / max |b| (normwise, per tensor)."""
    a, b = a.double(), b.double()
    scale = float(b.abs().max()) if b.numel() else 0.0
    return float((a - b).abs().max()) / max(scale, 1e-300) if b.numel() else 0.0


def load_model(name, classes, path):
    model = MODELS[name](classes).double()
    model.load_state_dict(read_safetensors(path), strict=True)
    return model


def compare_case(case, mutate="none", verbose=False):
    with open(os.path.join(case, "run.json")) as f:
        run = json.load(f)
    hp = json.loads(run["config"]) if isinstance(run["config"], str) else run["config"]
    method = hp["method"]
    classes = int(hp["num_classes"])
    student = load_model(hp["model"], classes, os.path.join(case, "init_student.safetensors"))
    teacher = None
    if method != "ce":
        teacher = load_model(hp["teacher_model"], classes,
                             os.path.join(case, "init_teacher.safetensors"))
    init = {k: v.clone() for k, v in student.state_dict().items()}
    opt = make_sgd(student, hp, mutate)
    batches = read_safetensors(os.path.join(case, "batches.safetensors"))
    zkd_loss = read_safetensors(os.path.join(case, "zkd.safetensors"))["loss"]
    err = {"loss": 0.0, "param": 0.0, "update": 0.0, "buffer": 0.0, "teacher": 0.0}
    tracked = True
    params = {n for n, _ in student.named_parameters()}
    for k, epoch in enumerate(run["epochs"]):
        images, labels = batches["images.%d" % k], batches["labels.%d" % k]
        loss = train_step(student, teacher, opt, images, labels, method, hp, epoch, mutate)
        want = float(zkd_loss[k])
        err["loss"] = max(err["loss"], abs(want - loss) / abs(loss))
        if verbose:
            print("  step %d epoch %d lr %.9g: zkd loss %.17g twin %.17g (rel %.2e)"
                  % (k + 1, epoch, opt.param_groups[0]["lr"], want, loss,
                     abs(want - loss) / abs(loss)))
        zkd = read_safetensors(os.path.join(case, "student_step%d.safetensors" % (k + 1)))
        mine = student.state_dict()
        if sorted(zkd) != sorted(mine):
            print("case=%s: zkd's state has other keys than the twin's" % case)
            return 2
        for name, b in mine.items():
            a = zkd[name]
            if name.endswith("num_batches_tracked"):
                tracked = tracked and int(a) == int(b)
            elif name in params:
                err["param"] = max(err["param"], rel(a, b))
                err["update"] = max(err["update"], rel(a - init[name], b - init[name]))
            else:
                err["buffer"] = max(err["buffer"], rel(a, b))
    if teacher is not None:
        zkd_t = read_safetensors(os.path.join(case, "teacher_after.safetensors"))
        for name, b in teacher.state_dict().items():
            if not name.endswith("num_batches_tracked"):
                err["teacher"] = max(err["teacher"], rel(zkd_t[name], b))
            else:
                tracked = tracked and int(zkd_t[name]) == int(b)
    print("case=%s mutate=%s steps=%d loss_rel_err=%.3e param_rel_err=%.3e update_rel_err=%.3e "
          "buffer_rel_err=%.3e teacher_rel_err=%.3e tracked_equal=%d"
          % (os.path.basename(case.rstrip("/")), mutate, len(run["epochs"]), err["loss"],
             err["param"], err["update"], err["buffer"], err["teacher"], 1 if tracked else 0))
    return 0


def main():
    global _FLOAT64_HPARAMS
    ap = argparse.ArgumentParser()
    ap.add_argument("cases", nargs="+")
    ap.add_argument("--mutate", default="none", choices=MUTATIONS)
    ap.add_argument("--verbose", action="store_true", help="print each step's losses")
    ap.add_argument("--float64-hparams", action="store_true",
                    help="use the official double hyper-parameters, not zkd's float32 ones")
    args = ap.parse_args()
    _FLOAT64_HPARAMS = args.float64_hparams
    torch.set_num_threads(1)
    status = 0
    for case in args.cases:
        try:
            status = max(status, compare_case(case, args.mutate, args.verbose))
        except (OSError, KeyError, RuntimeError, ValueError) as e:
            print("case=%s: %s" % (case, e))
            status = 2
    return status


if __name__ == "__main__":
    sys.exit(main())
