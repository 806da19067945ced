#!/usr/bin/env bash
# Installs the Debian 12 packages FuseLab builds and runs with, when any is missing.
# Quiet and quick when everything is there. Needs root or sudo only when installing.
set -euo pipefail

packages=(
  # toolchain (g++ brings ASan, UBSan and TSan; clang and its runtime bring libFuzzer)
  cmake ninja-build g++ pkg-config ccache clang libclang-rt-14-dev
  # Qt 6 (Widgets, Test, Linguist tools) and QCustomPlot for the GUI
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqcustomplot-dev
  # Chinese: a small CJK font (5 MB) and Qt's own dialogs in Chinese
  fonts-wqy-microhei qt6-translations-l10n
  # playing a sample's audio in the dataset browser
  qt6-multimedia-dev
  # engine
  libtorch-dev nlohmann-json3-dev zlib1g-dev libxxhash-dev
  # Debian's LibTorch does its matrix products through the system BLAS, which is the
  # unoptimised reference BLAS unless another provides it: OpenBLAS (its OpenMP build,
  # which shares LibTorch's thread pool) trains the translation template 4-7x faster here
  libopenblas0-openmp
  # distributed training: gloo's headers for LibTorch's c10d process groups
  libgloo-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libsndfile1-dev libsamplerate0-dev libsentencepiece-dev libicu-dev
  # real data for tests and benchmarks; NLTK scores the plain PyTorch translation reference
  dataset-fashion-mnist python3-nltk
  # the export tests read what FuseLab writes with independent Python readers, and load
  # its TorchScript modules in Python's LibTorch (the same 1.13); ONNX exports are checked
  # by ONNX's checker (C++ and Python) and run by OpenCV's dnn and ONNX Runtime (Node.js)
  python3-numpy python3-torch python3-onnx libonnx-dev libopencv-dnn-dev
  # the PyTorch-code export's train.py decodes images with OpenCV's Python module
  python3-opencv
)
# Node.js and npm for ONNX Runtime: Debian's, unless a Node.js with npm is already there
# (NodeSource's nodejs package includes npm and conflicts with Debian's npm).
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing missing packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: run as root or install sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime for the ONNX export tests: the version pinned in tests/node/package-lock.json,
# without its install script (which only downloads GPU libraries the tests do not use).
node_dir="$(cd "$(dirname "$0")/.." && pwd)/tests/node"
if ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.package-lock.json.installed" 2>/dev/null; then
  echo "Installing ONNX Runtime for Node.js into tests/node (npm ci)"
  (cd "$node_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  cp "$node_dir/package-lock.json" "$node_dir/node_modules/.package-lock.json.installed"
fi
