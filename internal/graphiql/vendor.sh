#!/usr/bin/env bash
# vendor.sh rebuilds internal/graphiql/vendor from the npm registry: the
# exact versions below, each checked against the integrity the registry
# published for it, so the files in git can be reproduced byte for byte.
# Run it (or `make graphiql-vendor`) after changing a version here, then
# update the integrity from `npm view NAME@VERSION dist.integrity`.
set -euo pipefail

cd "$(dirname "$0")"

# name version integrity: the UMD builds GraphiQL documents for use without a
# bundler. graphiql.min.js bundles graphql-js, @graphiql/react, CodeMirror 5
# and graphql-ws, and expects React and ReactDOM as globals.
PACKAGES=(
	"graphiql 3.9.0 sha512-rJYFlHdBbug9+YbFSwRVvgfPjCayC7wHecZkx/qB4XLuQPFQZw/yB9pmHFtOJV6RiNBBHro3u1GdocKa3YcGRA=="
	"react 18.3.1 sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ=="
	"react-dom 18.3.1 sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw=="
)

# FILES: package, file inside it, name in vendor/.
FILES=(
	"graphiql graphiql.min.js graphiql.min.js"
	"graphiql graphiql.min.css graphiql.min.css"
	"graphiql LICENSE LICENSE.graphiql"
	"react umd/react.production.min.js react.production.min.js"
	"react LICENSE LICENSE.react"
	"react-dom umd/react-dom.production.min.js react-dom.production.min.js"
	"react-dom LICENSE LICENSE.react-dom"
)

command -v npm >/dev/null || { echo "vendor.sh: npm is needed" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for p in "${PACKAGES[@]}"; do
	read -r name version want <<<"$p"
	tarball=$(cd "$tmp" && npm pack --silent "$name@$version")
	got=$(node -e 'const c=require("crypto"),fs=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$tmp/$tarball")
	if [ "$got" != "$want" ]; then
		echo "vendor.sh: $name@$version has integrity $got, not the recorded $want" >&2
		exit 1
	fi
	mkdir -p "$tmp/$name"
	tar -xzf "$tmp/$tarball" -C "$tmp/$name"
done

rm -rf vendor
mkdir vendor
for f in "${FILES[@]}"; do
	read -r name src dst <<<"$f"
	cp "$tmp/$name/package/$src" "vendor/$dst"
done

{
	echo "# Written by internal/graphiql/vendor.sh: do not edit by hand."
	echo "# package version integrity"
	printf '%s\n' "${PACKAGES[@]}"
	echo "# file sha256"
	(cd vendor && sha256sum -- *.js *.css LICENSE.*)
} >vendor/VERSIONS
echo "vendored into $(pwd)/vendor:"
cat vendor/VERSIONS
