# Sourced by the entry scripts: make the pinned toolchain exist, then use it.
# A fresh machine has only python3; uv is installed into .tools/ at the pinned
# version, and uv builds .venv/ from uv.lock with the machine's own python3.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.8"
export UV_PYTHON_DOWNLOADS=never
export UV_PYTHON="${UV_PYTHON:-python3}"

if [ -x "$ROOT/.tools/bin/uv" ] && [ "$("$ROOT/.tools/bin/uv" --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    UV="$ROOT/.tools/bin/uv"
elif command -v uv >/dev/null 2>&1 && [ "$(uv --version | cut -d' ' -f2)" = "$UV_VERSION" ]; then
    UV="$(command -v uv)"
else
    echo "setting up uv $UV_VERSION in .tools/ (first run only)" >&2
    python3 -m venv "$ROOT/.tools"
    "$ROOT/.tools/bin/python" -m pip install --quiet "uv==$UV_VERSION"
    UV="$ROOT/.tools/bin/uv"
fi

# --frozen: install exactly what uv.lock pins; never re-resolve behind the user's back.
"$UV" sync --project "$ROOT" --frozen --all-extras --quiet
export PATH="$ROOT/.venv/bin:$PATH"
cd "$ROOT"
