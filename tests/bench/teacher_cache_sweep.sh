#!/usr/bin/env bash
# Issue #23's sweep measurement (docs/teacher-cache.md "A whole sweep"): a 3-seed KD+LS sweep from
# one teacher, without and with the teacher-logit cache, whole wall and CPU time, cache build
# included; the two sweeps' logs must agree in every value but the timings. Writes WORK/result.json.
# Usage: bash tests/bench/teacher_cache_sweep.sh BUILD_DIR CIFAR100_DIR WORK_DIR [EPOCHS]
set -euo pipefail
build=$1 data=$2 work=$3 epochs=${4:-120}
z=$build/apps
mkdir -p "$work"
cd "$work"
rm -rf teacher sw-nocache sw-cache cache.bin cache.bin.partial
subset=(--num-classes 10 --train-per-class 10 --threads 1 --data "$data")
# The teacher (resnet56, a paper teacher; its accuracy does not change the times).
"$z"/zkd-train --model resnet56 "${subset[@]}" --test-per-class 10 --epochs 60 --milestones 40,50 \
  --out teacher >teacher.log 2>&1
# The paper's schedule scaled to the epochs (150/180/210 of 240).
m="$((epochs * 150 / 240)),$((epochs * 180 / 240)),$((epochs * 210 / 240))"
sweep=(--seeds 0-2 --method kd+ls --model resnet20 --teacher teacher "${subset[@]}"
  --test-per-class 10 --epochs "$epochs" --milestones "$m")
fmt="%e %U %S %M"
/usr/bin/time -f "$fmt" -o t-nocache "$z"/zkd-sweep distill --out sw-nocache "${sweep[@]}" >sw-nocache.log 2>&1
/usr/bin/time -f "$fmt" -o t-build "$z"/zkd-data teacher-logits --teacher teacher "${subset[@]}" \
  --out cache.bin >build.log 2>&1
/usr/bin/time -f "$fmt" -o t-cache "$z"/zkd-sweep distill --out sw-cache "${sweep[@]}" \
  --teacher-cache cache.bin >sw-cache.log 2>&1
python3 - "$epochs" <<'PY'
import json, sys
def t(name):
    wall, user, sys_, rss = open(name).read().split()
    return {"wall_s": float(wall), "cpu_s": float(user) + float(sys_), "max_rss_kb": int(rss)}
same = True
for s in range(3):
    a = [json.loads(l) for l in open(f"sw-nocache/seed{s}/log.jsonl")]
    b = [json.loads(l) for l in open(f"sw-cache/seed{s}/log.jsonl")]
    timing = {"seconds", "images_per_s", "rss_mb", "gpu_allocated_mb", "gpu_reserved_mb"}
    same &= len(a) == len(b) and all(
        {k: v for k, v in x.items() if k not in timing} == {k: v for k, v in y.items() if k not in timing}
        for x, y in zip(a, b))
r = {"sweep": "kd+ls resnet56 -> resnet20, seeds 0-2, 10 classes x 10 images, epochs " + sys.argv[1],
     "threads": 1, "without_cache": t("t-nocache"), "cache_build": t("t-build"),
     "with_cache": t("t-cache"), "logs_equal_but_timings": same}
for k in ("wall_s", "cpu_s"):
    r["ratio_" + k] = (r["cache_build"][k] + r["with_cache"][k]) / r["without_cache"][k]
json.dump(r, open("result.json", "w"), indent=1)
print(json.dumps(r, indent=1))
PY
