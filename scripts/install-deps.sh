#!/usr/bin/env bash
# Installs the Debian packages actorscope needs to build, test and run; idempotent.
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config clang libclang-rt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  prometheus-cpp-dev prometheus
  libcaf-dev
  libncurses-dev tmux
  libimgui-dev libglfw3-dev libgl-dev libstb-dev xvfb xauth libgl1-mesa-dri
  libasio-dev liblz4-dev libzstd-dev
  erlang-nox erlang-dev elixir libssl-dev openssl
  xdotool xclip
  curl python3 fonts-dejavu-core
  help2man dpkg-dev
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
