#!/usr/bin/env bash
# GPU check, for the lent device machine (a compiler, CMake, ninja and Python PyTorch with
# CUDA; no Qt, OpenCV or network). Builds core + fuselab-cli headless against the CUDA
# LibTorch of Python's torch, compares the first steps' losses on CPU and CUDA, trains from
# a tensor cache on CUDA (float32, float16 with the gradient scaler, bfloat16), prints
# samples/s beside the same network in Python, and runs the distributed path (torchrun,
# NCCL) in a process group of one.
#
# Prepare on the development machine (both paths are git-ignored, so pass them to the
# device tool's `carry`):
#   mkdir -p .device && cp -r /usr/include/nlohmann .device/
#   build/bin/fuselab-cli cache /usr/share/datasets/fashion-mnist --image-size 28x28 --channels 1 --cache-dir .device/cache
# Then on the device:  bench/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
cmake -S . -B build-gpu -G Ninja -DFUSELAB_WITH_INGEST=OFF -DFUSELAB_WITH_QT=OFF \
  -DCMAKE_PREFIX_PATH="$prefix" -DFUSELAB_JSON_INCLUDE_DIR="$PWD/.device" --log-level=WARNING
cmake --build build-gpu -j "$(nproc)"
exp=bench/fashion-image-cnn.fuselab.json
echo "== first steps, same seed, CPU then CUDA (must agree to float tolerance)"
build-gpu/bin/bench_train "$exp" 5 8 cpu | grep '^step'
build-gpu/bin/bench_train "$exp" 5 8 cuda | grep '^step'
echo "== compute throughput on CUDA, FuseLab then Python PyTorch"
build-gpu/bin/bench_train "$exp" 300 8 cuda | tail -1
python3 bench/reference_train.py 300 8 64 cuda
echo "== training from the tensor cache on CUDA"
cache=$(ls -d .device/cache/*/ | head -1)
build-gpu/bin/fuselab-cli train "$exp" --cache "$cache" --device cuda --epochs 2 --out /tmp/gpu-run
tail -3 /tmp/gpu-run/metrics.csv
echo "== mixed precision: the same two epochs in float32, float16 (with the gradient scaler) and bfloat16"
for mp in off float16 bfloat16; do
  python3 - "$exp" "$mp" > "/tmp/gpu-$mp.fuselab.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
e["training"]["mixed_precision"] = sys.argv[2]
json.dump(e, sys.stdout)
PY
  build-gpu/bin/fuselab-cli train "/tmp/gpu-$mp.fuselab.json" --cache "$cache" --device cuda --epochs 2 --out "/tmp/gpu-run-$mp" --quiet
  echo "$mp: $(tail -1 /tmp/gpu-run-$mp/metrics.csv)   (epoch,train_loss,val_loss,val_accuracy,val_macro_f1,lr,samples/s,s)"
done
echo "== the distributed path on one GPU: torchrun, NCCL, a process group of one"
if grep -q 'FUSELAB_HAVE_NCCL:INTERNAL=ON\|FUSELAB_NCCL_INCLUDE:PATH=/' build-gpu/CMakeCache.txt; then
  FUSELAB_DISTRIBUTED=1 torchrun --standalone --nproc_per_node 1 --no_python build-gpu/bin/fuselab-cli train "$exp" --cache "$cache" \
    --device cuda --epochs 1 --out /tmp/gpu-ddp --quiet
  grep '"ranks_agree"' /tmp/gpu-ddp/events.jsonl
else
  echo "skipped: this LibTorch has no nccl.h (pip install nvidia-nccl-cu12 and pass -DFUSELAB_NCCL_INCLUDE=...)"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
