#!/usr/bin/env bash
# Refresh the vendored Leaflet under src/territory/assets/player/leaflet/ (its one copy).
#
# Maintainers only: the app, the CLI and CI never download anything; they use
# the committed copy. Run from anywhere:  scripts/vendor_assets.sh [version]
#
# The package comes from the npm registry (`npm pack`, tarball integrity is
# checked by npm); we copy dist/leaflet.js, dist/leaflet.css, dist/images/
# and LICENSE, then write README.md with the version and the tarball hash.
# The player component's folder is the only copy: Streamlit serves it at
# /component/<name>/ to the player and to folium maps alike, and the HTML
# export inlines it (tests/unit/test_player.py fails if a second copy appears).
set -euo pipefail

VERSION="${1:-1.9.4}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/territory/assets/player/leaflet"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

(cd "$TMP" && npm pack --silent "leaflet@$VERSION" >/dev/null)
TARBALL="$(ls "$TMP"/leaflet-*.tgz)"
tar -xzf "$TARBALL" -C "$TMP"
PKG="$TMP/package"
GOT="$(node -p "require('$PKG/package.json').version")"
SHA="$(sha256sum "$TARBALL" | cut -d' ' -f1)"

rm -rf "$DEST"
mkdir -p "$DEST/images"
cp "$PKG/dist/leaflet.js" "$PKG/dist/leaflet.css" "$DEST/"
cp "$PKG"/dist/images/*.png "$DEST/images/"
cp "$PKG/LICENSE" "$DEST/LICENSE"

cat >"$DEST/README.md" <<EOF
# Vendored Leaflet

- Package: \`leaflet\` from the npm registry (https://www.npmjs.com/package/leaflet)
- Version: $GOT
- Tarball sha256: $SHA
- Licence: BSD-2-Clause (see \`LICENSE\`, shipped unchanged)
- Files: \`dist/leaflet.js\`, \`dist/leaflet.css\`, \`dist/images/*.png\`, \`LICENSE\`

Why vendored: the dashboard, the Streamlit player component and the standalone
HTML export must work offline (no CDN at run time or in CI).

Used by (this folder is the only copy in the tree):
- the player component (\`territory/assets/player/index.html\`, relative URL
  \`leaflet/\`; Streamlit serves the component's folder at \`/component/<name>/\`),
- \`territory.ui.offline\` (folium / st_folium maps load it from that same
  component route),
- \`territory.player.standalone_html\` (inlined).

Refresh (maintainers only, needs npm and network):

    scripts/vendor_assets.sh [version]   # default $VERSION

then run the unit and browser tests and commit the result.
EOF

echo "vendored leaflet $GOT into $DEST"
