# Sourced by the other scripts: make .venv with Python >= 3.11 and install the project into it.
# Usage: . scripts/venv.sh [extras]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        PY=$candidate
        break
    fi
done
if [ -z "$PY" ]; then
    echo "cnsl needs Python 3.11 or newer" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
extras=${1:-}
spec="."
[ -n "$extras" ] && spec=".[$extras]"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$spec"
export PATH="$PWD/.venv/bin:$PATH"
