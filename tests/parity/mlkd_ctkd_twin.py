#!/usr/bin/python3
"""PyTorch twin of zkd's MLKD(+LS) and CTKD(+LS) training steps (run by mlkd_ctkd_parity_test.cpp).

Written from the official code (sunshangquan/logit-standardization-KD: mdistiller's MLKD.py and
the CTKD folder's train_student.py, distiller_zoo/KD.py, models/temp_global.py, helper/loops.py),
semantics in docs/distillers.md. Loads zkd's initial weights into the PyTorch definitions of
tests/nets/pytorch_crosscheck.py, runs the same K steps on the batches zkd used (both views), in
float64, with SGD (zkd's lr, momentum 0.9 and weight decay 5e-4 as float32 values, on every parameter, CTKD's temperature
included, as the official optimizer has it), and compares the loss and every parameter after
each step with zkd's. Prints max_rel_err=<worst max|a - b| / max|b| over all tensors and steps>.
Exit status 0 when it could compare, 2 on a load error.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nets"))
from pytorch_crosscheck import MODELS, read_safetensors  # noqa: E402


def standardize(x, eps):
    """normalize(): per row, (x - mean) / (eps + unbiased std); eps 1e-7 (mdistiller and the LS CTKD code)."""
    return (x - x.mean(dim=-1, keepdim=True)) / (eps + x.std(dim=-1, keepdim=True))


def kd_term(zs, zt, temp, ls):
    """mdistiller's kd_loss: KL(teacher || student) summed over classes, batch mean, times T^2."""
    if ls:
        zs, zt = standardize(zs, 1e-7), standardize(zt, 1e-7)
    kl = F.kl_div(F.log_softmax(zs / temp, dim=1), F.softmax(zt / temp, dim=1), reduction="none")
    return kl.sum(1).mean() * temp ** 2


def class_corr(zs, zt, temp):
    ps, pt = F.softmax(zs / temp, dim=1), F.softmax(zt / temp, dim=1)
    return ((pt.t() @ pt - ps.t() @ ps) ** 2).sum() / zt.shape[1]


def batch_corr(zs, zt, temp):
    ps, pt = F.softmax(zs / temp, dim=1), F.softmax(zt / temp, dim=1)
    return ((pt @ pt.t() - ps @ ps.t()) ** 2).sum() / zt.shape[0]


def mlkd_loss(zw, zs, vw, vs, y, a, ls):
    """MLKD.forward_train's losses: CE on both views, masked multi-temperature KD with the
    official pairing (the last two "strong" terms use the weak logits), cc and bc on the weak
    view's raw logits; masks by np.percentile(.., 50) of the teacher's weak confidences."""
    pw = F.softmax(vw.detach(), dim=1)
    conf = pw.max(dim=1)[0]
    mask = conf.le(float(np.percentile(conf.numpy().flatten(), 50)))
    cconf = pw.sum(dim=0)
    cmask = cconf.le(float(np.percentile(cconf.numpy().flatten(), 50)))
    w, temps = a.kd_weight, [a.temperature, 3.0, 5.0, 2.0, 6.0]
    ce = a.ce_weight * (F.cross_entropy(zw, y) + F.cross_entropy(zs, y))
    kd_weak = sum(w * (kd_term(zw, vw, t, ls) * mask).mean() for t in temps)
    kd_strong = (sum(w * kd_term(zs, vs, t, ls) for t in temps[:3])
                 + sum(w * kd_term(zw, vw, t, ls) for t in temps[3:]))
    cc = sum(w * (class_corr(zw, vw, t) * cmask).mean() for t in temps)
    bc = sum(w * (batch_corr(zw, vw, t) * mask).mean() for t in temps)
    return ce + kd_weak + kd_strong + cc + bc


class GradReverse(torch.autograd.Function):
    """temp_global.py's layer: identity forward, gradient times lambda backward."""

    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        return ctx.lam * g, None


def cosine_decay(epoch, max_value=0.0, min_value=-1.0, loops=10):
    """train_student.py's CosineDecay.get_value."""
    i = min(max(epoch, 0), loops)
    return (math.cos(i * math.pi / loops) + 1.0) * 0.5 * (max_value - min_value) + min_value


def ctkd_loss(zs, zt, y, global_t, epoch, a, ls):
    """loops.py train_distill with have_mlp: temp = t_start + t_end * sigmoid(GRL(global_T));
    loss = gamma CE + alpha DistillKL (batchmean KL times T^2); the LS repository's current
    CTKD/distiller_zoo/KD.py normalizes with 1e-7 on the std, like its KD / DKD / MLKD."""
    temp = a.t_start + a.t_end * torch.sigmoid(GradReverse.apply(global_t, cosine_decay(epoch)))
    if ls:
        zs_, zt_ = standardize(zs, 1e-7), standardize(zt, 1e-7)
    else:
        zs_, zt_ = zs, zt
    kl = torch.nn.KLDivLoss(reduction="batchmean")(F.log_softmax(zs_ / temp, dim=1),
                                                   F.softmax(zt_ / temp, dim=1)) * temp * temp
    return a.ce_weight * F.cross_entropy(zs, y) + a.kd_weight * kl


def rel_err(a, b):
    a, b = a.detach().double().reshape(-1), b.double().reshape(-1)
    scale = float(b.abs().max()) if b.numel() else 0.0
    return float((a - b).abs().max()) / max(scale, 1e-300)


def main():
    ap = argparse.ArgumentParser()
    for k in ("--dir", "--method"):
        ap.add_argument(k, required=True)
    ap.add_argument("--steps", type=int, required=True)
    ap.add_argument("--classes", type=int, required=True)
    for k in ("--lr", "--momentum", "--weight-decay", "--temperature", "--ce-weight", "--kd-weight", "--t-start", "--t-end"):
        ap.add_argument(k, type=float, required=True)
    a = ap.parse_args()
    torch.set_default_dtype(torch.float64)
    ls = a.method.endswith("+ls")
    mlkd = a.method.startswith("mlkd")

    student, teacher = MODELS["resnet20"](a.classes).double(), MODELS["resnet20"](a.classes).double()
    try:
        student.load_state_dict(read_safetensors(os.path.join(a.dir, "student0.safetensors")), strict=True)
        teacher.load_state_dict(read_safetensors(os.path.join(a.dir, "teacher.safetensors")), strict=True)
    except RuntimeError as e:
        print("strict load failed: %s" % e)
        return 2
    teacher.eval()
    student.train()
    params = list(student.parameters())
    global_t = None
    if not mlkd:
        global_t = torch.nn.Parameter(torch.ones(1))
        params.append(global_t)
    opt = torch.optim.SGD(params, lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)

    worst, worst_what = 0.0, ""
    for step in range(a.steps):
        b = read_safetensors(os.path.join(a.dir, "batch%d.safetensors" % step))
        y, epoch = b["labels"], int(b["epoch"].item())
        if mlkd:
            zw, zs = student(b["weak"]), student(b["strong"])
            with torch.no_grad():
                vw, vs = teacher(b["weak"]), teacher(b["strong"])
            loss = mlkd_loss(zw, zs, vw, vs, y, a, ls)
        else:
            zs = student(b["weak"])
            with torch.no_grad():
                zt = teacher(b["weak"])
            loss = ctkd_loss(zs, zt, y, global_t, epoch, a, ls)
        opt.zero_grad()
        loss.backward()
        opt.step()
        z = read_safetensors(os.path.join(a.dir, "step%d.safetensors" % step))
        pairs = [("loss", loss, z["loss"])]
        pairs += [("student." + n, p, z["student." + n]) for n, p in student.named_parameters()]
        if global_t is not None:
            pairs.append(("distiller.global_t", global_t, z["distiller.global_t"]))
        for name, mine, theirs in pairs:
            e = rel_err(mine, theirs)
            if e > worst or not worst_what:
                worst, worst_what = e, "step %d %s" % (step, name)
        print("step %d loss torch %.17g zkd %.17g" % (step, float(loss), float(z["loss"])))
    print("method=%s steps=%d max_rel_err=%.3e worst=%s" % (a.method, a.steps, worst, worst_what))
    return 0


if __name__ == "__main__":
    sys.exit(main())
