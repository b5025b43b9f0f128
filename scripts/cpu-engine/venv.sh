#!/usr/bin/env bash
# The private Python environment of the CPU INT8 quantizer (scripts/build-engine.sh --backend cpu):
# made on first use with the pinned packages of requirements.txt, then reused. Prints the path of
# its python. Exit 3 with one line saying what to install when Python or its venv module is
# missing; 1 when pip cannot install the packages (its log is named).
#   DEPTHCAST_PYTHON      the python3 to make it with (default: python3)
#   DEPTHCAST_QUANT_VENV  where it lives (default: ~/.cache/depthcast/quant-venv)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
py=${DEPTHCAST_PYTHON:-python3}
venv=${DEPTHCAST_QUANT_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/depthcast/quant-venv}
want=$(sha256sum "$here/requirements.txt" | cut -c1-16)
if [[ -x $venv/bin/python && $(cat "$venv/.depthcast-requirements" 2>/dev/null) == "$want" ]]; then
  echo "$venv/bin/python"
  exit 0
fi
if ! command -v "$py" >/dev/null 2>&1; then
  echo "build-engine: no Python here ($py): install python3, python3-venv and python3-pip (apt-get install python3-venv python3-pip), or set DEPTHCAST_PYTHON" >&2
  exit 3
fi
if ! "$py" -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "build-engine: $py has no venv/ensurepip module: install python3-venv (apt-get install python3-venv)" >&2
  exit 3
fi
echo "build-engine: making the quantizer's Python environment in $venv (once)…" >&2
mkdir -p "$(dirname "$venv")"
log=$(mktemp)
if ! { "$py" -m venv --clear "$venv" && "$venv/bin/pip" install -r "$here/requirements.txt"; } >"$log" 2>&1; then
  echo "build-engine: pip could not install $here/requirements.txt into $venv (log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "$want" >"$venv/.depthcast-requirements"
echo "$venv/bin/python"
