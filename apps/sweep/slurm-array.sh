#!/bin/bash
# One zkd-sweep member per Slurm array task (docs/sweeps.md, "Beyond one GPU").
#
#   1. Plan the sweep once (writes SWEEP/sweep.json, prints the members, trains nothing):
#        zkd-sweep distill --teacher t.safetensors --teacher-model resnet32x4 --model resnet8x4 \
#            --seeds 0-3 --temperature 2,3 --kd-weight 6,9 --out SWEEP --plan
#   2. Submit one task per member (N members: indices 0 .. N-1):
#        sbatch --array=0-15 apps/sweep/slurm-array.sh SWEEP
#   3. Any time, and at the end, merge what the tasks wrote:
#        zkd-sweep summarize SWEEP
#
# Each task runs `zkd-sweep --resume SWEEP --member $SLURM_ARRAY_TASK_ID`: a finished member is
# skipped, a member with a checkpoint is resumed, a new one starts, so a requeued or resubmitted
# task continues where it stopped. Slurm signals the task (SIGTERM) before the time limit or on
# preemption; zkd finishes the step, writes the member's checkpoint and exits 130, and the task
# requeues itself. A member that diverges is marked in its folder (diverged.txt) and not retried.
#
#SBATCH --job-name=zkd-sweep
#SBATCH --gres=gpu:1
#SBATCH --cpus-per-task=4
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --signal=B:TERM@120
#SBATCH --output=%x-%A_%a.out
set -u
SWEEP=${1:?usage: sbatch --array=0-N apps/sweep/slurm-array.sh SWEEP_DIR}
ZKD_SWEEP=${ZKD_SWEEP:-zkd-sweep}   # path to the binary, e.g. build/apps/zkd-sweep
: "${SLURM_ARRAY_TASK_ID:?run this with sbatch --array}"

# Run in the background so that the batch shell receives the signal (--signal=B:) and passes it on.
"$ZKD_SWEEP" --resume "$SWEEP" --member "$SLURM_ARRAY_TASK_ID" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null' TERM
while true; do  # a trapped signal ends `wait` early: wait again while the child still runs
  wait "$child"
  status=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$status" -eq 130 ]; then
  echo "zkd-sweep: member $SLURM_ARRAY_TASK_ID interrupted with its checkpoint written; requeueing"
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
fi
exit "$status"
