#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of every packaged library so it lists the library's current public
# surface: members added since the baseline are appended (RS0016), members gone are removed (RS0017).
# Run it after a deliberate change to the public API (or after merging branches that add members),
# then review the diff of src/*/PublicAPI.Unshipped.txt and commit it with the change.
#
# It builds each project with those two rules as warnings and takes the lines from the diagnostics, whose
# text carries the exact baseline line. (`dotnet format analyzers --diagnostics RS0016` would be the obvious
# tool, but it finds nothing to fix for these rules: dotnet/format#1416.)
#
# Usage: eng/update-public-api.sh [project-dir ...]   (default: every src/* with a PublicAPI.Shipped.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  dirs=()
  for shipped in src/*/PublicAPI.Shipped.txt; do
    dirs+=("$(dirname "$shipped")")
  done
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

for dir in "${dirs[@]}"; do
  dir="${dir%/}"
  project="$dir/$(basename "$dir").csproj"
  unshipped="$dir/PublicAPI.Unshipped.txt"
  echo "Updating the public API baseline of $project"
  # A second build confirms nothing is left to add or remove (and reports any other error that remains).
  for _ in 1 2; do
    # Touching an input of the compiler makes it run even when the last build succeeded with these warnings.
    touch "$unshipped"
    dotnet build "$project" -nologo -v q -p:WarningsNotAsErrors=NU1603%3BRS0016%3BRS0017 > "$log" 2>&1 || true
    project_path="$(cd "$dir" && pwd)/$(basename "$project")"
    added="$(grep -F "[$project_path]" "$log" | grep ' RS0016: ' \
      | sed -n "s/.* RS0016: Symbol '\(.*\)' is not part of the declared public API.*/\1/p" | LC_ALL=C sort -u || true)"
    removed="$(grep -F "[$project_path]" "$log" | grep ' RS0017: ' \
      | sed -n "s/.* RS0017: Symbol '\(.*\)' is part of the declared API, but is either not public or could not be found.*/\1/p" | LC_ALL=C sort -u || true)"
    if [ -z "$added" ] && [ -z "$removed" ]; then
      break
    fi
    echo "  $(printf '%s' "$added" | grep -c . || true) added, $(printf '%s' "$removed" | grep -c . || true) removed"
    {
      echo '#nullable enable'
      {
        grep -v '^#nullable enable$' "$unshipped" | grep -v '^$' | grep -vxF -f <(printf '%s\n' "$removed") || true
        printf '%s\n' "$added"
      } | grep -v '^$' | LC_ALL=C sort -u
    } > "$unshipped.tmp"
    mv "$unshipped.tmp" "$unshipped"
  done
  if grep -F "[$project_path]" "$log" | grep -q ' error '; then
    echo "  $project still has build errors:" >&2
    grep -F "[$project_path]" "$log" | grep ' error ' | LC_ALL=C sort -u | head -n 20 >&2
  fi
done
