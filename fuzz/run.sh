#!/usr/bin/env bash
# Builds the libFuzzer targets and runs them.
#   bash fuzz/run.sh expression 1800     # fuzz the expression parser for 30 minutes
#   bash fuzz/run.sh lesson 60           # the lesson parser for a minute
#   bash fuzz/run.sh prose 1800          # lesson prose: Markdown (cmark-gfm), math, HTML, for 30 minutes
#   bash fuzz/run.sh all 20              # all three, 20 seconds each
# New inputs found go to fuzz/work/<target>/ (not committed); crashes to fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-20}
# The library's sources that need neither Graphviz nor cmark-gfm, from their stage targets; the
# fuzz build compiles them into one module, so their imports of each other are dropped first.
core=Sources/GradTraceCore views=Sources/GradTraceViews train=Sources/GradTraceTraining/Train lessons=Sources/GradTraceLessons
sources=( $core/Syntax/*.swift $core/Graph/*.swift $core/Trace/*.swift $core/API/*.swift $train/Evaluator.swift $train/Trainer.swift $train/TrainingSession.swift $train/Optimizer.swift $train/Model.swift
        $train/BatchEvaluator.swift $train/Classifier.swift $train/Dataset.swift $train/DataGenerator.swift $train/ParameterFile.swift
        $views/NumberFormat.swift $views/DisplayedArithmetic.swift $views/Labels.swift $views/ExplanationViews.swift
        $views/Walkthrough.swift $views/DerivativeViews.swift $views/DerivativeRenderers.swift
        $views/ExplainOptions.swift $views/TextRenderer.swift
        $views/MarkdownRenderer.swift $views/JSONRenderer.swift $views/DotRenderer.swift
        $views/HTML.swift $views/HTMLRenderer.swift $views/ExplanationDocument.swift $views/LaTeXRenderer.swift Sources/GradTraceIO/Output.swift
        Sources/GradTraceRequests/*.swift
        $lessons/Lesson.swift $lessons/LessonParser.swift $lessons/Variant.swift )
# The prose target adds the Markdown path, linked with cmark-gfm (module map in Sources/CCmarkGFM).
prose_sources=( $lessons/Prose.swift $lessons/ProseMath.swift $lessons/LessonIndex.swift $lessons/Styles.swift )
flat=.build/fuzz/src
rm -rf "$flat"; mkdir -p "$flat"
flatten() { for f in "$@"; do local out="$flat/$(basename "$f")"; grep -v '^import GradTrace' "$f" > "$out"; echo "$out"; done; }
mapfile -t files < <(flatten "${sources[@]}")
mapfile -t prose_files < <(flatten "${prose_sources[@]}")
# SwiftPM embeds the lessons' Resources/ as PackageResources; the flattened build gets the same.
python3 - "$lessons/Resources" > "$flat/PackageResources.swift" <<'PY'
import os, sys
folder = sys.argv[1]
print("enum PackageResources {")
for name in sorted(os.listdir(folder)):
    data = open(os.path.join(folder, name), "rb").read()
    ident = "".join(c if c.isalnum() else "_" for c in name)
    print(f"    static let {ident}: [UInt8] = [{', '.join(str(b) for b in data)}]")
print("}")
PY
prose_files+=( "$flat/PackageResources.swift" )
prose_flags=( -I Sources/CCmarkGFM $(pkg-config --cflags-only-I libcmark-gfm 2>/dev/null | sed 's/-I/-Xcc -I/g')
              $(pkg-config --libs-only-L libcmark-gfm 2>/dev/null) )
mkdir -p .build/fuzz fuzz/artifacts
build() {
  local name=$1 main=$2
  shift 2
  local extra=( "$@" )
  local bin=.build/fuzz/$name
  local newest
  newest=$(ls -t "${sources[@]}" "${prose_sources[@]}" "$main" fuzz/run.sh | head -n 1)
  if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
    echo "building $bin" >&2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name GradTraceFuzz -package-name GradTrace -I Sources/CSystemCalls \
      "${files[@]}" "${extra[@]}" "$main" -o "$bin" 2>&1 | grep -E "error" >&2 || true
    [ -x "$bin" ] || { echo "fuzz build failed" >&2; exit 1; }
  fi
}
run() {
  local name=$1
  mkdir -p "fuzz/work/$name"
  ".build/fuzz/${name}-fuzzer" "fuzz/work/$name" "fuzz/corpus/$name" -max_total_time="$seconds" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="fuzz/artifacts/$name-" -print_final_stats=1 2>&1 |
    grep -E "^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::peak_rss|ERROR|SUMMARY|Done [0-9]+ runs|crash-|timeout-|oom-" || true
  if ls fuzz/artifacts/"$name"-* >/dev/null 2>&1; then
    echo "$name fuzzer found a failing input: $(ls fuzz/artifacts/$name-*)" >&2
    return 1
  fi
}
status=0
if [ "$target" = expression ] || [ "$target" = all ]; then build expression-fuzzer fuzz/ExpressionFuzzer.swift; run expression || status=1; fi
if [ "$target" = lesson ] || [ "$target" = all ]; then build lesson-fuzzer fuzz/LessonFuzzer.swift; run lesson || status=1; fi
if [ "$target" = prose ] || [ "$target" = all ]; then
  build prose-fuzzer fuzz/ProseFuzzer.swift "${prose_files[@]}" "${prose_flags[@]}"; run prose || status=1
fi
exit $status
