#!/usr/bin/python3
"""PyTorch cross-check of zkd's model zoo (run by pytorch_crosscheck_test.cpp).

PyTorch definitions of the CIFAR nets, written from the specification (docs/models.md, the
mdistiller module trees and state-dict names). Loads zkd's exported weights with strict names and
shapes, runs zkd's input batch, and prints the max abs differences from zkd's results:
  eval      logits in eval mode (running statistics),
  train     logits in training mode (batch statistics; torch.no_grad),
  buffers   every running_mean / running_var after that training forward (max |a - b| / (1 + |b|)),
  tracked   whether every num_batches_tracked matches exactly (1 = yes).
Needs only numpy and torch (safetensors files are parsed here). Exit status: 0 when it could
compare (the caller applies the tolerances), 2 on a load or structure error.

usage: pytorch_crosscheck.py --model NAME --weights W.safetensors --data D.safetensors
                             --after A.safetensors
"""
import argparse
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# safetensors: u64 little-endian header size, JSON header, raw little-endian data.

_DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32,
           "U8": np.uint8, "F16": np.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(blob[base + begin:base + end], dtype=dtype).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("=")).copy())
    return out


def conv(i, o, k, s=1, p=0, g=1, bias=False):
    return nn.Conv2d(i, o, k, stride=s, padding=p, groups=g, bias=bias)


def shuffle(x, g):
    n, c, h, w = x.shape
    return x.reshape(n, g, c // g, h, w).transpose(1, 2).reshape(n, c, h, w)


class ShuffleBlock(nn.Module):
    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, x):
        return shuffle(x, self.groups)

# ---------------------------------------------------------------------------------------------
# resnet.py: ResNet(depth, filters), BasicBlock with `downsample`.


class ResBlock(nn.Module):
    def __init__(self, inp, planes, stride, with_downsample):
        super().__init__()
        self.conv1 = conv(inp, planes, 3, stride, 1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = conv(planes, planes, 3, 1, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = (nn.Sequential(conv(inp, planes, 1, stride), nn.BatchNorm2d(planes))
                           if with_downsample else None)

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        res = self.downsample(x) if self.downsample is not None else x
        return F.relu(out + res)


class CifarResNet(nn.Module):
    def __init__(self, depth, filters, num_classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = conv(3, filters[0], 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(filters[0])
        self.relu = nn.ReLU()
        inp = filters[0]
        for s in range(3):
            planes, stride, blocks = filters[s + 1], (1 if s == 0 else 2), []
            for i in range(n):
                st = stride if i == 0 else 1
                blocks.append(ResBlock(inp, planes, st, i == 0 and (st != 1 or inp != planes)))
                inp = planes
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.avgpool = nn.AvgPool2d(8)
        self.fc = nn.Linear(filters[3], num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.avgpool(x).reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------
# resnetv2.py: ResNet50 with Bottleneck and `shortcut`.


class Bottleneck(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        out = 4 * planes
        self.conv1 = conv(inp, planes, 1)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv(planes, planes, 3, stride, 1)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = conv(planes, out, 1)
        self.bn3 = nn.BatchNorm2d(out)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != out:
            self.shortcut = nn.Sequential(conv(inp, out, 1, stride), nn.BatchNorm2d(out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.relu(self.bn3(self.conv3(out)) + self.shortcut(x))


class ResNet50(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = conv(3, 64, 3, 1, 1)
        self.bn1 = nn.BatchNorm2d(64)
        inp = 64
        for s, (planes, n, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2),
                                                 (512, 3, 2)]):
            blocks = []
            for i in range(n):
                blocks.append(Bottleneck(inp, planes, stride if i == 0 else 1))
                inp = 4 * planes
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.linear = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.linear(self.avgpool(x).reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------
# wrn.py: WideResNet, pre-activation blocks, `convShortcut` on the activated input, and the
# preact_feats BN calls after the fc (running statistics updated twice in training mode).


class WrnBlock(nn.Module):
    def __init__(self, inp, out, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(inp)
        self.relu1 = nn.ReLU()
        self.conv1 = conv(inp, out, 3, stride, 1)
        self.bn2 = nn.BatchNorm2d(out)
        self.relu2 = nn.ReLU()
        self.conv2 = conv(out, out, 3, 1, 1)
        self.equal = inp == out
        self.convShortcut = None if self.equal else conv(inp, out, 1, stride)

    def forward(self, x):
        act = self.relu1(self.bn1(x))
        out = self.conv2(self.relu2(self.bn2(self.conv1(act))))
        return (x if self.equal else self.convShortcut(act)) + out


class NetworkBlock(nn.Module):
    def __init__(self, n, inp, out, stride):
        super().__init__()
        self.layer = nn.Sequential(*[WrnBlock(inp if i == 0 else out, out, stride if i == 0 else 1)
                                     for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WideResNet(nn.Module):
    def __init__(self, depth, widen, num_classes):
        super().__init__()
        n = (depth - 4) // 6
        ch = [16, 16 * widen, 32 * widen, 64 * widen]
        self.conv1 = conv(3, 16, 3, 1, 1)
        self.block1 = NetworkBlock(n, ch[0], ch[1], 1)
        self.block2 = NetworkBlock(n, ch[1], ch[2], 2)
        self.block3 = NetworkBlock(n, ch[2], ch[3], 2)
        self.bn1 = nn.BatchNorm2d(ch[3])
        self.relu = nn.ReLU()
        self.fc = nn.Linear(ch[3], num_classes)
        self.channels = ch[3]

    def forward(self, x):
        f1 = self.block1(self.conv1(x))
        f2 = self.block2(f1)
        f3 = self.block3(f2)
        out = F.avg_pool2d(self.relu(self.bn1(f3)), 8).reshape(-1, self.channels)
        out = self.fc(out)
        self.block2.layer[0].bn1(f1)
        self.block3.layer[0].bn1(f2)
        self.bn1(f3)
        return out

# ---------------------------------------------------------------------------------------------
# vgg.py: VGG with batch norm; pool3 only for 64x64 input.


class VGG(nn.Module):
    def __init__(self, cfg, num_classes):
        super().__init__()
        inp = 3
        for b, widths in enumerate(cfg):
            layers = []
            for v in widths:
                layers += [conv(inp, v, 3, 1, 1, bias=True), nn.BatchNorm2d(v), nn.ReLU()]
                inp = v
            setattr(self, "block%d" % b, nn.Sequential(*layers[:-1]))
        for p in range(4):
            setattr(self, "pool%d" % p, nn.MaxPool2d(2, 2))
        self.pool4 = nn.AdaptiveAvgPool2d((1, 1))
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        h = x.shape[2]
        x = self.pool0(F.relu(self.block0(x)))
        x = self.pool1(F.relu(self.block1(x)))
        x = self.pool2(F.relu(self.block2(x)))
        x = F.relu(self.block3(x))
        if h == 64:
            x = self.pool3(x)
        x = self.pool4(F.relu(self.block4(x)))
        return self.classifier(x.reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------
# mobilenetv2.py: mobile_half (T 6, width 0.5); every block keeps its expand conv.


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, t):
        super().__init__()
        h = inp * t
        self.use_res = stride == 1 and inp == oup
        self.conv = nn.Sequential(conv(inp, h, 1), nn.BatchNorm2d(h), nn.ReLU(),
                                  conv(h, h, 3, stride, 1, g=h), nn.BatchNorm2d(h), nn.ReLU(),
                                  conv(h, oup, 1), nn.BatchNorm2d(oup))

    def forward(self, x):
        return x + self.conv(x) if self.use_res else self.conv(x)


class MobileNetV2(nn.Module):
    def __init__(self, t, width, num_classes):
        super().__init__()
        setting = [(1, 16, 1, 1), (t, 24, 2, 1), (t, 32, 3, 2), (t, 64, 4, 2), (t, 96, 3, 1),
                   (t, 160, 3, 2), (t, 320, 1, 1)]
        inp = int(32 * width)
        self.conv1 = nn.Sequential(conv(3, inp, 3, 2, 1), nn.BatchNorm2d(inp), nn.ReLU())
        self.blocks = nn.ModuleList()
        for tt, c, n, s in setting:
            oup = int(c * width)
            layers = []
            for i in range(n):
                layers.append(InvertedResidual(inp, oup, s if i == 0 else 1, tt))
                inp = oup
            self.blocks.append(nn.Sequential(*layers))
        last = int(1280 * width) if width > 1.0 else 1280
        self.conv2 = nn.Sequential(conv(inp, last, 1), nn.BatchNorm2d(last), nn.ReLU())
        self.classifier = nn.Sequential(nn.Linear(last, num_classes))
        self.avgpool = nn.AvgPool2d(2, ceil_mode=True)

    def forward(self, x):
        x = self.conv1(x)
        for b in self.blocks:
            x = b(x)
        x = self.avgpool(self.conv2(x))
        return self.classifier(x.reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------
# ShuffleNetv1.py: ShuffleV1 (240/480/960, 4/8/4, groups 3).


class ShuffleV1Block(nn.Module):
    def __init__(self, inp, out, stride, groups):
        super().__init__()
        mid = out // 4
        g = 1 if inp == 24 else groups
        self.stride = stride
        self.conv1 = conv(inp, mid, 1, g=g)
        self.bn1 = nn.BatchNorm2d(mid)
        self.shuffle1 = ShuffleBlock(g)
        self.conv2 = conv(mid, mid, 3, stride, 1, g=mid)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = conv(mid, out, 1, g=groups)
        self.bn3 = nn.BatchNorm2d(out)
        self.shortcut = nn.Sequential()
        if stride == 2:
            self.shortcut = nn.Sequential(nn.AvgPool2d(3, stride=2, padding=1))

    def forward(self, x):
        out = self.shuffle1(F.relu(self.bn1(self.conv1(x))))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        res = self.shortcut(x)
        return F.relu(torch.cat([out, res], 1) if self.stride == 2 else out + res)


class ShuffleV1(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = conv(3, 24, 1)
        self.bn1 = nn.BatchNorm2d(24)
        inp = 24
        for s, (out, n) in enumerate([(240, 4), (480, 8), (960, 4)]):
            blocks = []
            for i in range(n):
                blocks.append(ShuffleV1Block(inp, out - (inp if i == 0 else 0),
                                             2 if i == 0 else 1, 3))
                inp = out
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.linear = nn.Linear(960, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.linear(F.avg_pool2d(x, 4).reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------
# ShuffleNetv2.py: ShuffleV2 = net_size 1 (116/232/464/1024, 3/7/3), 1x1 stem, no maxpool.


class ShuffleV2Basic(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c // 2
        self.half = h
        self.conv1 = conv(h, h, 1)
        self.bn1 = nn.BatchNorm2d(h)
        self.conv2 = conv(h, h, 3, 1, 1, g=h)
        self.bn2 = nn.BatchNorm2d(h)
        self.conv3 = conv(h, h, 1)
        self.bn3 = nn.BatchNorm2d(h)
        self.shuffle = ShuffleBlock(2)

    def forward(self, x):
        x1, x2 = x[:, :self.half], x[:, self.half:]
        out = F.relu(self.bn1(self.conv1(x2)))
        out = self.bn2(self.conv2(out))
        out = F.relu(self.bn3(self.conv3(out)))
        return self.shuffle(torch.cat([x1, out], 1))


class ShuffleV2Down(nn.Module):
    def __init__(self, inp, out):
        super().__init__()
        mid = out // 2
        self.conv1 = conv(inp, inp, 3, 2, 1, g=inp)
        self.bn1 = nn.BatchNorm2d(inp)
        self.conv2 = conv(inp, mid, 1)
        self.bn2 = nn.BatchNorm2d(mid)
        self.conv3 = conv(inp, mid, 1)
        self.bn3 = nn.BatchNorm2d(mid)
        self.conv4 = conv(mid, mid, 3, 2, 1, g=mid)
        self.bn4 = nn.BatchNorm2d(mid)
        self.conv5 = conv(mid, mid, 1)
        self.bn5 = nn.BatchNorm2d(mid)
        self.shuffle = ShuffleBlock(2)

    def forward(self, x):
        left = F.relu(self.bn2(self.conv2(self.bn1(self.conv1(x)))))
        right = F.relu(self.bn3(self.conv3(x)))
        right = F.relu(self.bn5(self.conv5(self.bn4(self.conv4(right)))))
        return self.shuffle(torch.cat([left, right], 1))


class ShuffleV2(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv1 = conv(3, 24, 1)
        self.bn1 = nn.BatchNorm2d(24)
        inp = 24
        for s, (out, n) in enumerate([(116, 3), (232, 7), (464, 3)]):
            blocks = [ShuffleV2Down(inp, out)] + [ShuffleV2Basic(out) for _ in range(n)]
            inp = out
            setattr(self, "layer%d" % (s + 1), nn.Sequential(*blocks))
        self.conv2 = conv(464, 1024, 1)
        self.bn2 = nn.BatchNorm2d(1024)
        self.linear = nn.Linear(1024, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.relu(self.bn2(self.conv2(x)))
        return self.linear(F.avg_pool2d(x, 4).reshape(x.shape[0], -1))

# ---------------------------------------------------------------------------------------------


X4, SMALL = [32, 64, 128, 256], [16, 16, 32, 64]
VGG_S = [[64], [128], [256], [512], [512]]
VGG_B = [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]]
MODELS = {
    "resnet8x4": lambda k: CifarResNet(8, X4, k),
    "resnet32x4": lambda k: CifarResNet(32, X4, k),
    "ShuffleV2": ShuffleV2,
    "resnet20": lambda k: CifarResNet(20, SMALL, k),
    "resnet32": lambda k: CifarResNet(32, SMALL, k),
    "resnet56": lambda k: CifarResNet(56, SMALL, k),
    "resnet110": lambda k: CifarResNet(110, SMALL, k),
    "wrn_16_2": lambda k: WideResNet(16, 2, k),
    "wrn_40_1": lambda k: WideResNet(40, 1, k),
    "wrn_40_2": lambda k: WideResNet(40, 2, k),
    "vgg8": lambda k: VGG(VGG_S, k),
    "vgg13": lambda k: VGG(VGG_B, k),
    "MobileNetV2": lambda k: MobileNetV2(6, 0.5, k),
    "ShuffleV1": ShuffleV1,
    "ResNet50": ResNet50,
}


def max_abs(a, b):
    return float((a.double() - b.double()).abs().max())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--after", required=True)
    args = ap.parse_args()
    torch.set_grad_enabled(False)

    weights = read_safetensors(args.weights)
    data = read_safetensors(args.data)
    after = read_safetensors(args.after)
    x = data["input"]
    model = MODELS[args.model](data["eval_logits"].shape[1])
    n_params = sum(p.numel() for p in model.parameters())
    try:
        model.load_state_dict(weights, strict=True)  # every name and shape, nothing extra
    except RuntimeError as e:
        print("strict load failed: %s" % e)
        return 2

    model.eval()
    eval_err = max_abs(model(x), data["eval_logits"])
    model.train()
    train_err = max_abs(model(x), data["train_logits"])
    state = model.state_dict()
    if sorted(state) != sorted(after):
        print("state after the training forward has other keys than zkd's")
        return 2
    buf_err, tracked_equal = 0.0, True
    for name in state:
        if name.endswith("num_batches_tracked"):
            tracked_equal = tracked_equal and int(state[name]) == int(after[name])
        elif name.endswith("running_mean") or name.endswith("running_var"):
            a, b = state[name].double(), after[name].double()
            buf_err = max(buf_err, float(((a - b).abs() / (1 + b.abs())).max()))
    print("model=%s keys=%d params=%d eval_max_abs_err=%.3e train_max_abs_err=%.3e "
          "buffers_max_err=%.3e tracked_equal=%d logit_max_abs=%.3e"
          % (args.model, len(weights), n_params, eval_err, train_err, buf_err,
             1 if tracked_equal else 0, float(data["eval_logits"].abs().max())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
