#!/bin/bash
# A walk on Slurm: 8 array tasks render the frames (each its share, from
# SLURM_ARRAY_TASK_ID), then one dependent task encodes the MP4.
#   sbatch deploy/slurm-walk.sh
# Run from the project folder on a file system every node mounts.
#SBATCH --job-name=cppn-walk
#SBATCH --array=0-7
#SBATCH --cpus-per-task=4
#SBATCH --mem=4G
set -euo pipefail
FLAGS=(--out output --size 3840x2160 --steps 600)
deno task walk "${FLAGS[@]}" --shard auto/8
if [ "${SLURM_ARRAY_TASK_ID}" = "${SLURM_ARRAY_TASK_MIN:-0}" ]; then
  # the merge waits for every task of this array
  sbatch --dependency="afterok:${SLURM_ARRAY_JOB_ID}" --job-name=cppn-merge \
    --cpus-per-task=2 --wrap "deno task merge ${FLAGS[*]}"
fi
