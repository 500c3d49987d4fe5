#!/usr/bin/env bash
# Set up VoiceCoach on a fresh Debian/Ubuntu machine: system packages, a
# virtualenv in .venv and the package itself. `--dev` adds the test tools.
# Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(espeak-ng libportaudio2 libsndfile1 festival festvox-us-slt-hts
              libasound2-plugins alsa-utils python3-venv)
DEV_APT_PACKAGES=(chromium chromium-driver postgresql festvox-kallpc16k)  # kal: 2nd test/bench voice
extras=""
if [[ "${1:-}" == "--dev" ]]; then
    APT_PACKAGES+=("${DEV_APT_PACKAGES[@]}")
    extras="[dev]"
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    echo "Installing system packages: ${missing[*]}"
    if [[ $EUID -eq 0 ]]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
        echo "error: these system packages are missing and you are not root: ${missing[*]}" >&2
        echo "Ask an administrator to run: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extras}"
# numba compiles librosa's pitch and peak code on first use (up to a minute on a busy
# machine) and caches it in .venv: do it now, not during a trainee's first live turn.
echo "Compiling the delivery analysis (once)"
.venv/bin/python -c "from voicecoach.delivery.warmup import warm_up; warm_up()"
echo "VoiceCoach is installed: .venv/bin/voicecoach --help"
