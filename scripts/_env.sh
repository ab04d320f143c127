# Shared by scripts/serve and scripts/test: a local virtual environment and front-end packages.
# Sourced, not run. Installs only when pyproject.toml or package.json changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.nadeuri-installed"
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing Python packages"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e '.[test]'
  echo "$want" > "$stamp"
fi
if [ -f package.json ]; then
  nstamp="node_modules/.nadeuri-installed"
  nwant="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ ! -f "$nstamp" ] || [ "$(cat "$nstamp")" != "$nwant" ]; then
    command -v npm >/dev/null || { echo "npm is needed for the map assets (Leaflet): install Node.js" >&2; exit 1; }
    echo "==> installing front-end packages (npm)"
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --silent; else npm install --no-audit --no-fund --silent; fi
    echo "$nwant" > "$nstamp"
  fi
fi
export PATH="$VENV/bin:$PATH"
export FLASK_APP=app
