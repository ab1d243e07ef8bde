#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image
# (`apt-get update` has run). It installs the sandbox and a Python the kit
# supports (3.11 or newer), then the kit, in /autograder/venv.
set -euo pipefail

apt-get install -y --no-install-recommends bubblewrap

python=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    python="$candidate"
    break
  fi
done
if [ -z "$python" ]; then
  # Ubuntu 22.04, Gradescope's usual base image, ships 3.10; 3.11 is in its archive.
  apt-get install -y --no-install-recommends python3.11
  python=python3.11
fi
# Debian and Ubuntu split venv out of Python: python3.11-venv, python3-venv...
apt-get install -y --no-install-recommends "$("$python" -c 'import sys; print(f"python3.{sys.version_info[1]}-venv")')" \
  || apt-get install -y --no-install-recommends python3-venv

"$python" -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --disable-pip-version-check --quiet --editable /autograder/source
