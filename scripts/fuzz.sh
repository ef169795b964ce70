#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ for a while each.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     # default: 30 seconds, every target
#
# Works on the stable toolchain: cargo-fuzz needs unstable compiler flags (-Z...), which
# RUSTC_BOOTSTRAP=1 unlocks. Installs cargo-fuzz if it is missing. The working corpus
# (fuzz/corpus/<target>, git-ignored) grows across runs; fuzz/seeds/<target> holds the
# documented examples it starts from. A crash stops the script with a non-zero status and
# leaves its input in fuzz/artifacts/<target>/; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz <target> fuzz/artifacts/<target>/<file>
#
# FUZZ_SANITIZER (default none: the code under test is safe Rust, so ASan finds nothing
# and halves the speed) is passed to cargo-fuzz's --sanitizer.
set -euo pipefail

seconds="${1:-30}"
shift || true
case "$seconds" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-none}"

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo fuzz list --fuzz-dir fuzz)
fi

for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  if [ -f "fuzz/dict/$target.dict" ]; then
    args+=(-dict="fuzz/dict/$target.dict")
  fi
  dirs=("$corpus")
  if [ -d "fuzz/seeds/$target" ]; then
    dirs+=("fuzz/seeds/$target")
  fi
  echo "== fuzzing $target for ${seconds}s (sanitizer: $sanitizer)"
  cargo fuzz run --fuzz-dir fuzz --sanitizer "$sanitizer" --debug-assertions \
    "$target" "${dirs[@]}" -- "${args[@]}"
done
echo "== fuzzing finished: ${targets[*]}"
