#!/usr/bin/env bash
# Refresh the vendored export fonts under src/territory/assets/fonts/ (their one copy).
#
# Maintainers only: the app, the CLI and CI never download anything; they use the
# committed copy. Run from the repository:  scripts/vendor_fonts.sh
#
# Exported maps (PNG, SVG, PDF, GIF, MP4, the PDF report) are drawn by matplotlib
# in DejaVu Sans, which has Latin, Cyrillic, Greek, Arabic, Hebrew, Armenian and
# Georgian but no Myanmar or Ethiopic letters: a Burmese or Amharic actor name came
# out as boxes. These Noto fonts are the fallback for those scripts. Each comes from
# the npm registry (`npm pack @fontsource/...`, tarball integrity checked by npm);
# its script subset, regular and bold, is converted from WOFF to TrueType (which
# matplotlib reads) with fontTools, a dependency of matplotlib.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/territory/assets/fonts"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

rm -rf "$DEST"
mkdir -p "$DEST"
{
  echo "# Vendored export fonts"
  echo
  echo "Fallback fonts for text in exported maps (matplotlib), for scripts DejaVu Sans lacks."
  echo "Licence: SIL Open Font License 1.1 (each package's LICENSE is shipped as LICENSE-<package>.txt)."
  echo
  echo "| file | npm package | version | tarball sha256 | converted from |"
  echo "|---|---|---|---|---|"
} >"$DEST/README.md"

for spec in "noto-sans-myanmar:myanmar:NotoSansMyanmar" "noto-sans-ethiopic:ethiopic:NotoSansEthiopic"; do
  IFS=: read -r pkg subset stem <<<"$spec"
  (cd "$TMP" && npm pack --silent "@fontsource/$pkg" >/dev/null)
  tarball="$(ls "$TMP"/fontsource-"$pkg"-*.tgz)"
  mkdir -p "$TMP/$pkg" && tar -xzf "$tarball" -C "$TMP/$pkg"
  version="$(node -p "require('$TMP/$pkg/package/package.json').version")"
  sha="$(sha256sum "$tarball" | cut -d' ' -f1)"
  cp "$TMP/$pkg/package/LICENSE" "$DEST/LICENSE-$pkg.txt"
  for pair in "400:Regular" "700:Bold"; do
    IFS=: read -r weight style <<<"$pair"
    src="$TMP/$pkg/package/files/$pkg-$subset-$weight-normal.woff"
    "$PY" - "$src" "$DEST/$stem-$style.ttf" <<'PYEOF'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
font.flavor = None  # WOFF -> plain TrueType
font.save(sys.argv[2])
PYEOF
    echo "| \`$stem-$style.ttf\` | \`@fontsource/$pkg\` | $version | \`$sha\` | \`files/$(basename "$src")\` |" >>"$DEST/README.md"
  done
done

cat >>"$DEST/README.md" <<'EOF2'

Used by `territory.export.fonts` (registered with matplotlib's font manager at import;
the export's font family is DejaVu Sans, then these). Refresh (maintainers only, needs
npm, node and network): `scripts/vendor_fonts.sh`, then run the export tests and commit.
EOF2
echo "vendored fonts into $DEST"
