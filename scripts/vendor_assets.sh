#!/usr/bin/env bash
# Refresh the vendored Leaflet under src/territory/assets/leaflet/.
#
# Maintainers only: the app, the CLI and CI never download anything; they use
# the committed copy. Run from anywhere:  scripts/vendor_assets.sh [version]
#
# The package comes from the npm registry (`npm pack`, tarball integrity is
# checked by npm); we copy dist/leaflet.js, dist/leaflet.css, dist/images/
# and LICENSE, then write README.md with the version and the tarball hash.
# static/leaflet (served by Streamlit at /app/static/leaflet/) must be a real
# copy: Streamlit 1.67's static handler resolves symlinks and answers 400 for
# any file whose real path leaves ./static (checked: a relative symlink to
# ../src/territory/assets/leaflet gives "400 Bad Request"). This script keeps
# the copy identical; tests/unit/test_player.py fails if they drift.
set -euo pipefail

VERSION="${1:-1.9.4}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/territory/assets/leaflet"
STATIC="$ROOT/static/leaflet"
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

Used by:
- \`territory.ui.offline\` (folium / st_folium, served from \`/app/static/leaflet/\`;
  \`static/leaflet\` in the repo root is a copy of this folder kept in sync by
  the script below: Streamlit refuses symlinks that leave \`static/\`),
- the player component (\`territory/assets/player/index.html\`, relative URL
  \`leaflet/\`: \`assets/player/leaflet/\` is another synced copy, because
  Streamlit serves only the component's own folder),
- \`territory.player.standalone_html\` (inlined).

Refresh (maintainers only, needs npm and network):

    scripts/vendor_assets.sh [version]   # default $VERSION

then run the unit and browser tests and commit the result.
EOF

mkdir -p "$ROOT/static"
rm -rf "$STATIC"
cp -R "$DEST" "$STATIC"
# our own folium jQuery stand-in, served next to Leaflet (territory.ui.offline)
mkdir -p "$ROOT/static/territory"
cp "$ROOT/src/territory/assets/folium/folium-shim.js" "$ROOT/static/territory/folium-shim.js"
# the player component serves only its own folder: it needs its own copy
rm -rf "$ROOT/src/territory/assets/player/leaflet"
mkdir -p "$ROOT/src/territory/assets/player/leaflet"
cp "$DEST/leaflet.js" "$DEST/leaflet.css" "$DEST/LICENSE" "$ROOT/src/territory/assets/player/leaflet/"
echo "vendored leaflet $GOT into $DEST"
