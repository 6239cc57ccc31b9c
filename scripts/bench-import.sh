#!/usr/bin/env bash
# Time and peak memory of `khien import` of a generated Nuclei JSONL file
# (100,000 findings over 2,000 hosts by default; KHIEN_BENCH_FINDINGS=N),
# imported twice into a fresh SQLite database, as an operator runs it.
# Prints /usr/bin/time's elapsed time and maximum resident set size.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/khien" ./cmd/khien
KHIEN_BENCH_NUCLEI_FILE="$dir/nuclei.jsonl" go test ./internal/finding -run TestWriteNucleiBenchFile -count=1 >/dev/null
ls -l "$dir/nuclei.jsonl" | awk '{printf "file: %.1f MB\n", $5/1e6}'
"$dir/khien" migrate up --data "$dir/data" >/dev/null
for run in first again; do
  /usr/bin/time -f "$run: %e s, peak RSS %M KB" "$dir/khien" import --data "$dir/data" "$dir/nuclei.jsonl" | cut -c1-120
done
