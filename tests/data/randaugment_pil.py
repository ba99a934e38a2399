#!/usr/bin/python3
"""PIL reference for the strong-view tests (tests/data/randaugment_test.cpp).

Reads uint8 images [N, 3, 32, 32] (raw, planar RGB) and a JSON list of jobs; each job is
{"image": i, "crop": [dx, dy, flip] or null, "ops": [[op_id, magnitude], ...],
 "cutout": [v, cx, cy] or null}. It applies, with Debian's PIL (python3-pil), the crop of the
4-padded image and the mirror (torchvision's RandomCrop(32, padding=4) + RandomHorizontalFlip),
the ops of the official RandAugment list by their PIL calls, and the official Cutout with the
given centre in place of np.random.uniform(32). Writes the results as raw uint8 [jobs, 3, 32, 32].
"""
import json
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps


def affine(img, coeffs):
    return img.transform(img.size, Image.AFFINE, coeffs)


# Op ids in the official augment_list order; each takes the official magnitude `v`.
OPS = [
    lambda img, v: ImageOps.autocontrast(img),
    lambda img, v: ImageEnhance.Brightness(img).enhance(v),
    lambda img, v: ImageEnhance.Color(img).enhance(v),
    lambda img, v: ImageEnhance.Contrast(img).enhance(v),
    lambda img, v: ImageOps.equalize(img),
    lambda img, v: img,
    lambda img, v: ImageOps.posterize(img, max(1, int(v))),
    lambda img, v: img.rotate(v),
    lambda img, v: ImageEnhance.Sharpness(img).enhance(v),
    lambda img, v: affine(img, (1, v, 0, 0, 1, 0)),
    lambda img, v: affine(img, (1, 0, 0, v, 1, 0)),
    lambda img, v: ImageOps.solarize(img, v),
    lambda img, v: affine(img, (1, 0, v * img.size[0], 0, 1, 0)),
    lambda img, v: affine(img, (1, 0, 0, 0, 1, v * img.size[1])),
]


def cutout(img, v, cx, cy):
    if v <= 0.0:
        return img
    v = v * img.size[0]
    w, h = img.size
    x0 = int(max(0, cx - v / 2.0))
    y0 = int(max(0, cy - v / 2.0))
    x1 = min(w, x0 + v)
    y1 = min(h, y0 + v)
    img = img.copy()
    ImageDraw.Draw(img).rectangle((x0, y0, x1, y1), (125, 123, 114))
    return img


def main():
    images_path, jobs_path, out_path = sys.argv[1:4]
    images = np.fromfile(images_path, dtype=np.uint8).reshape(-1, 3, 32, 32)
    with open(jobs_path) as f:
        jobs = json.load(f)
    out = np.empty((len(jobs), 3, 32, 32), dtype=np.uint8)
    for j, job in enumerate(jobs):
        img = Image.fromarray(np.ascontiguousarray(images[job["image"]].transpose(1, 2, 0)), "RGB")
        if job.get("crop") is not None:
            dx, dy, flip = job["crop"]
            img = ImageOps.expand(img, 4, fill=0).crop((dx, dy, dx + 32, dy + 32))
            if flip:
                img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        for op, v in job["ops"]:
            img = OPS[op](img, v)
        if job.get("cutout") is not None:
            img = cutout(img, *job["cutout"])
        out[j] = np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)
    out.tofile(out_path)
    print("jobs=%d" % len(jobs))


if __name__ == "__main__":
    main()
