#!/usr/bin/env bash
# Installs the Debian 12 packages FuseLab builds and runs with, when any is missing.
# Quiet and quick when everything is there. Needs root or sudo only when installing.
set -euo pipefail

packages=(
  # toolchain
  cmake ninja-build g++ pkg-config ccache
  # Qt 6 (Widgets, Test, Linguist tools) and QCustomPlot for the GUI
  qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqcustomplot-dev
  # Chinese: a small CJK font (5 MB) and Qt's own dialogs in Chinese
  fonts-wqy-microhei qt6-translations-l10n
  # playing a sample's audio in the dataset browser
  qt6-multimedia-dev
  # engine
  libtorch-dev nlohmann-json3-dev zlib1g-dev libxxhash-dev
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libsndfile1-dev libsamplerate0-dev libsentencepiece-dev libicu-dev
  # real data for tests and benchmarks
  dataset-fashion-mnist
  # the export tests read what FuseLab writes with independent Python readers, and load
  # its TorchScript modules in Python's LibTorch (the same 1.13)
  python3-numpy python3-torch
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: run as root or install sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
