#!/usr/bin/env bash
# Rebuilds vendor/ from the pinned npm packages (package-lock.json). The hub embeds vendor/
# in its binary and serves it at /graphiql/…, so GraphiQL works with no internet.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
rm -rf vendor && mkdir vendor
cp node_modules/graphiql/graphiql.min.js node_modules/graphiql/graphiql.min.css vendor/
cp node_modules/react/umd/react.production.min.js vendor/
cp node_modules/react-dom/umd/react-dom.production.min.js vendor/
for p in graphiql react react-dom; do cp "node_modules/$p/LICENSE" "vendor/LICENSE.$p"; done
(cd vendor && sha256sum -- * > SHA256SUMS)
rm -rf node_modules
