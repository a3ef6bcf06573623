#!/bin/bash
# The device checks of issues #5 and #8 in one go, on a machine with one GPU
# (python3 there holds a CUDA torch): writes logs under $OUT (or ./gpu_out).
OUT=${OUT:-gpu_out}; mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 PYTHONPATH=$PWD
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
python3 -c "import torch; print('torch', torch.__version__)"
python3 benchmarks/gpu_check.py 2>&1 | tee "$OUT/gpu_check.jsonl"
torchrun --nproc_per_node=1 benchmarks/gpu_check.py --only ddp 2>&1 \
    | grep -v '^W' | tee "$OUT/ddp.jsonl"
timeout 120 python3 tests/layers/rnn/_gpu_check.py > "$OUT/rnn.log" 2>&1
echo "rnn gpu check rc=$?"; tail -3 "$OUT/rnn.log"
timeout 120 python3 -m pytest -q -p no:cacheprovider \
    tests/layers/test_core_layers_cuda.py tests/metrics/test_metric.py \
    tests/layers/core/test_embedding.py > "$OUT/cuda_tests.log" 2>&1
echo "cuda tests rc=$?"; tail -2 "$OUT/cuda_tests.log"
timeout 120 python3 -m torchkeras.demo > "$OUT/demo.log" 2>&1
echo "demo rc=$?"; tail -2 "$OUT/demo.log"
# The whole suite with CUDA as the default device (informative: tests were
# written on CPU machines).
timeout 150 python3 -m pytest -q -p no:cacheprovider -p no:benchmark -n 12 --timeout 120 \
    -o addopts="" --maxfail=400 tests > "$OUT/suite_on_gpu.log" 2>&1
echo "suite rc=$?"; tail -3 "$OUT/suite_on_gpu.log"
