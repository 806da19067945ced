#!/usr/bin/env bash
# Refreshes translations/fuselab_zh_CN.ts from the sources (the app, widgets/ and core/,
# whose user-facing messages are marked FL_TR). With --check it changes nothing and fails
# when the file is out of date or holds an unfinished translation (CI runs that).
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=${LUPDATE:-$(command -v lupdate6 || true)}
[ -n "$lupdate" ] || lupdate=/usr/lib/qt6/bin/lupdate
ts=translations/fuselab_zh_CN.ts
# Headers first: lupdate learns each class's namespace from its declaration.
sources="$(find widgets core -name '*.h' | LC_ALL=C sort) $(find app/gui_main.cpp widgets core -name '*.cpp' | LC_ALL=C sort)"
run() { "$lupdate" -silent -I . -tr-function-alias QT_TRANSLATE_NOOP+=FL_TR -locations none -no-obsolete $sources -ts "$1"; }
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  cp "$ts" "$tmp/check.ts"
  run "$tmp/check.ts" >/dev/null
  if ! cmp -s "$ts" "$tmp/check.ts"; then
    echo "error: $ts is out of date; run translations/update.sh and translate the new strings" >&2
    diff "$ts" "$tmp/check.ts" | head -40 >&2
    exit 1
  fi
  if grep -q 'type="unfinished"' "$ts"; then
    echo "error: $ts has $(grep -c 'type="unfinished"' "$ts") unfinished translations" >&2
    exit 1
  fi
  echo "translations: $(grep -c '<message>' "$ts") strings, all translated"
  exit 0
fi
run "$ts"
