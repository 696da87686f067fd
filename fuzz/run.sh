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
src=Sources/GradTrace
# The library's sources that need neither Graphviz nor Ink.
files=( $src/Syntax/*.swift $src/Graph/*.swift $src/Trace/*.swift $src/API/*.swift $src/Train/Evaluator.swift $src/Train/Trainer.swift $src/Train/TrainingSession.swift $src/Train/Optimizer.swift $src/Train/Model.swift
        $src/Train/BatchEvaluator.swift $src/Train/Classifier.swift $src/Train/Dataset.swift $src/Train/DataGenerator.swift $src/Train/ParameterFile.swift
        $src/Render/NumberFormat.swift $src/Render/DisplayedArithmetic.swift $src/Render/Labels.swift
        $src/Render/Walkthrough.swift $src/Render/DerivativeViews.swift $src/Render/DerivativeRenderers.swift
        $src/Render/ExplainOptions.swift $src/Render/TextRenderer.swift
        $src/Render/MarkdownRenderer.swift $src/Render/JSONRenderer.swift $src/Render/DotRenderer.swift
        $src/Render/HTML.swift $src/Render/HTMLRenderer.swift $src/Render/Output.swift
        $src/Lessons/Lesson.swift $src/Lessons/LessonParser.swift $src/Lessons/Variant.swift )
# The prose target adds the Markdown path, linked with cmark-gfm (module map in Sources/CCmarkGFM).
prose_files=( $src/Lessons/Prose.swift $src/Lessons/ProseMath.swift $src/Lessons/LessonIndex.swift $src/Lessons/Styles.swift )
prose_flags=( -I Sources/CCmarkGFM $(pkg-config --cflags-only-I libcmark-gfm 2>/dev/null | sed 's/-I/-Xcc -I/g')
              $(pkg-config --libs-only-L libcmark-gfm 2>/dev/null) )
mkdir -p .build/fuzz fuzz/artifacts
build() {
  local name=$1 main=$2
  shift 2
  local extra=( "$@" )
  local bin=.build/fuzz/$name
  local newest
  newest=$(ls -t "${files[@]}" "${prose_files[@]}" "$main" fuzz/run.sh | head -n 1)
  if [ ! -x "$bin" ] || [ "$newest" -nt "$bin" ]; then
    echo "building $bin" >&2
    swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name GradTraceFuzz -package-name GradTrace \
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
