#!/usr/bin/env bash
# The one command of the benchmarks: builds rnnc and the benchmark jar, measures rnnc (JMH, on JDK 17 and JDK 25),
# PyTorch 1.13 (1 and 2 threads), and the machine's ceiling (a C kernel and OpenBLAS, a Java Vector API kernel) in
# one run, then writes README.md and the charts from the JSON results.
#
#   benchmarks/run.sh            default run (≈ 40 min on 2 cores): results/default/, README.md, charts/
#   benchmarks/run.sh --full     every cell, size, batch, backend and mode (several hours): results/full/
#   benchmarks/run.sh --smoke    every benchmark once, briefly, on JDK 17; fails on a missing result or on
#                                allocation (≥ 8 B/op); makes no speed claim; writes only target/smoke/ (.ci/run)
# Options: --no-build (reuse target/benchmarks.jar), --jdk LABEL=JAVA_HOME (repeatable; replaces the JDK list),
#          --report-only (rewrite README.md and the charts from the results of the mode's last run),
#          --dl4j (opt-in: also Deeplearning4j 1.0.0-M2.1 on the LSTM sweep, H = 64/128/256, batch 1 and 8, one
#          thread, after rnnc, on the first JDK; builds with -Pdl4j, which downloads ≈ 150 MB of jars from Maven
#          Central once; results in jmh-LABEL-dl4j.json, a DL4J column in the LSTM tables).
#   benchmarks/run.sh --segments  only the JDK 22+ MemorySegment mode (≈ 20 min, JDK 25 from JDK25_HOME): the probe
#                                SegmentKernelBench (the generated product reading a float[] or an aligned segment),
#                                then the LSTM sweep with packed weights in arrays and in segments (rnnc
#                                --packed-weights segment) and PyTorch on the same configurations; results/segments/
# Environment: JDK17_HOME, JDK25_HOME, TORCH_PYTHON (default /usr/bin/python3, Debian's, which has torch).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mode=default
build=1
report_only=0
dl4j=0
jdks=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) mode=smoke ;;
        --full) mode=full ;;
        --default) mode=default ;;
        --no-build) build=0 ;;
        --report-only) report_only=1 ;;
        --dl4j) dl4j=1 ;;
        --segments) mode=segments ;;
        --jdk) jdks+=("$2"); shift ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
    shift
done
started=$(date +%s)
say() { echo "== [$(( $(date +%s) - started ))s] $*"; }

# --- the JDKs: 17 (the baseline, also runs the harness) and 25 when present ---------------------------------------
java_home_of() { dirname "$(dirname "$(readlink -f "$(command -v "$1")")")"; }
if [ ${#jdks[@]} -eq 0 ]; then
    jdk17=${JDK17_HOME:-}
    if [ -z "$jdk17" ]; then
        for d in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-17*; do
            [ -x "$d/bin/java" ] && { jdk17=$d; break; }
        done
    fi
    [ -z "$jdk17" ] && jdk17=$(java_home_of java)
    jdks+=("17=$jdk17")
    jdk25=${JDK25_HOME:-$(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1 || true)}
    if [ "$mode" = smoke ]; then
        : # smoke: the baseline JDK only (its cost stays within a few minutes); --jdk adds others
    elif [ -n "$jdk25" ] && [ -x "$jdk25/bin/java" ]; then
        jdks+=("25=$jdk25")
    else
        echo "run.sh: JDK 25 not found (set JDK25_HOME); measuring JDK 17 only" >&2
    fi
fi
# The vector width the JVM prefers: 512 bits with AVX-512, 256 with AVX2 (asked of the JVM, see the build below).
preferred_vector_bits() {
    mkdir -p "$here/target"
    cat >"$here/target/PreferredVectorBits.java" <<'JAVA'
public class PreferredVectorBits {
    public static void main(String[] args) {
        System.out.println(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512 ? 512 : 256);
    }
}
JAVA
    "$@" "$here/target/PreferredVectorBits.java" 2>/dev/null || echo 256
}

# --- OpenBLAS for PyTorch and the ceiling: Debian's, without touching the system's BLAS ---------------------------
# Debian's PyTorch links libblas.so.3, which is the reference BLAS unless OpenBLAS is installed; the run measures
# PyTorch both ways. OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its SSE3 ("Prescott")
# kernels, so the core type is set from the CPU's flags. Sets openblas_dir (empty without) and coretype.
find_openblas() {
    openblas_dir=
    for d in /usr/lib/x86_64-linux-gnu/openblas-pthread; do
        [ -e "$d/libopenblas.so.0" ] && openblas_dir=$d
    done
    if [ -z "$openblas_dir" ] && command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null; then
        cache=$here/target/openblas
        if [ ! -e "$cache/x/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0" ]; then
            say "fetching Debian's libopenblas0-pthread into target/openblas (apt-get download, nothing installed)"
            mkdir -p "$cache"
            (cd "$cache" && apt-get download libopenblas0-pthread >/dev/null 2>&1 && dpkg-deb -x libopenblas0-pthread_*.deb x) || true
        fi
        [ -e "$cache/x/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0" ] && openblas_dir=$cache/x/usr/lib/x86_64-linux-gnu/openblas-pthread
    fi
    coretype=
    if grep -q avx512f /proc/cpuinfo; then coretype=SkylakeX; elif grep -q avx2 /proc/cpuinfo; then coretype=Haswell; fi
    [ -z "$openblas_dir" ] && echo "run.sh: OpenBLAS not available: no OpenBLAS columns" >&2
    return 0
}

# --- --segments: the MemorySegment output mode (JDK 22+), measured on JDK 25 ------------------------------------------
# The kernel probe (SegmentKernelBench), then the LSTM sweep generated both ways (bench.vector: packed weights in
# float[]; bench.segment: rnnc --packed-weights segment) and PyTorch 1 thread with OpenBLAS on the same
# configurations, in one run; bench.SegmentTable writes the table that README.md shows.
if [ "$mode" = segments ]; then
    if [ -z "${jdk25:-}" ] || [ ! -x "$jdk25/bin/java" ]; then
        echo "run.sh: --segments needs JDK 22 or later (set JDK25_HOME)" >&2
        exit 2
    fi
    seg=$here/results/segments
    seg_jar=$here/target/segments/benchmarks.jar
    seg_nets=lstm_h64,lstm_h128,lstm_h256,lstm_h512
    seg_batches=1,8
    vector_bits=$(preferred_vector_bits "$jdk25/bin/java" --add-modules jdk.incubator.vector)
    if [ "$build" = 1 ]; then
        say "mvn install of rnnc (tests skipped), then mvn package -Psegments of benchmarks/ on JDK 25 (target/segments/, $vector_bits bits)"
        (cd "$root" && JAVA_HOME=$jdk25 mvn -B -q install -DskipTests -Dinvoker.skip)
        (cd "$here" && JAVA_HOME=$jdk25 mvn -B -q package -Psegments -Dbench.vectorBits=$vector_bits)
    fi
    rm -rf "$seg"
    mkdir -p "$seg"
    say "SegmentKernelBench on JDK 25 (-prof gc)"
    "$jdk25/bin/java" -jar "$seg_jar" 'bench.SegmentKernelBench' -prof gc -rf json \
        -rff "$seg/jmh-25-segments.json" | grep -E '^(Benchmark|SegmentKernelBench)'
    say "RnnBench forward and trainStep, $seg_nets at batch $seg_batches, packed weights in arrays and in segments (about 12 min)"
    "$jdk25/bin/java" -jar "$seg_jar" 'bench.RnnBench.(forward|trainStep)$' -p backend=vector,segment \
        -p net=$seg_nets -p batch=$seg_batches -p steps=100 -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc \
        -jvmArgs "--add-modules=jdk.incubator.vector -Xbatch -Xms2g -Xmx6g -Dbench.alloc=$seg/alloc-25.tsv" \
        -rf json -rff "$seg/jmh-25-rnnbench.json" \
        | grep -E '^RnnBench\.[a-zA-Z]+ '
    find_openblas
    py=${TORCH_PYTHON:-/usr/bin/python3}
    if [ -n "$openblas_dir" ] && "$py" -c 'import torch' 2>/dev/null; then
        for net in ${seg_nets//,/ }; do
            for batch in ${seg_batches//,/ }; do
                for method in forward trainStep; do printf '%s\t%s\t%s\topenblas\t1\t3\t5\n' $net $batch $method; done
            done
        done >"$seg/torch.tsv"
        say "PyTorch, OpenBLAS, 1 thread: $(wc -l <"$seg/torch.tsv") configurations"
        env OMP_NUM_THREADS=1 LD_LIBRARY_PATH="$openblas_dir" OPENBLAS_CORETYPE="$coretype" OPENBLAS_NUM_THREADS=1 \
            "$py" "$here/pytorch/bench_torch.py" "$seg/torch.tsv" "$seg/torch-openblas-1.json" --blas openblas \
            --threads 1 --warmups 3 --warmup-time 1 --iterations 5 --time 1 | tail -n "$(wc -l <"$seg/torch.tsv")"
    else
        echo "run.sh: no PyTorch with OpenBLAS here: the segment table has no PyTorch column" >&2
    fi
    "$jdk25/bin/java" -version 2>&1 | head -n 1 >"$seg/jdk.txt"
    lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1 >"$seg/cpu.txt"
    date -u '+%Y-%m-%d' >"$seg/date.txt"
    "$jdk25/bin/java" -cp "$seg_jar" bench.SegmentTable "$seg" >"$seg/table.md"
    cat "$seg/table.md"
    say "done: results/segments/ (run.sh --report-only puts the table into README.md)"
    exit 0
fi
driver_home=${jdks[0]#*=}
java=("$driver_home/bin/java" --add-modules jdk.incubator.vector)

if [ "$mode" = smoke ]; then
    out=$here/target/smoke
    readme=$out/README.md
    charts=$out/charts
else
    out=$here/results/$mode
    readme=$here/README.md
    charts=$here/charts
fi
logs=$here/target/logs-$mode
jar=$here/target/benchmarks.jar
if [ "$report_only" = 1 ]; then
    "${java[@]}" -Djava.awt.headless=true -cp "$jar" bench.Report "$out" "$here/README.template.md" "$readme" "$charts"
    exit 0
fi
# --dl4j needs the jar of a -Pdl4j build and DL4J's class path (checked before --no-build wipes the last results)
dl4j_cp=$here/target/dl4j.classpath
dl4j_ready() {
    [ "$dl4j" = 0 ] && return 0
    if [ -s "$dl4j_cp" ] && [ -f "$jar" ] && "$driver_home/bin/jar" tf "$jar" | grep -qx bench/Dl4jBench.class; then
        return 0
    fi
    echo "run.sh: --dl4j needs a build with -Pdl4j (no $dl4j_cp or no bench.Dl4jBench in $jar); run without --no-build" >&2
    return 1
}
[ "$build" = 1 ] || dl4j_ready || exit 1
rm -rf "$out" "$logs"
mkdir -p "$out" "$logs" "$charts"

# --- build: rnnc (installed for the plugin), then the benchmarks, whose build generates the networks ------------
# The vector sweep at the width the JVM prefers: 512 bits with AVX-512 (PyTorch's OpenBLAS gets its AVX-512
# kernels too, see OPENBLAS_CORETYPE below), 256 with AVX2. Asked of the JVM, not of /proc/cpuinfo: a JVM that
# does not use AVX-512 on a CPU that has it would run 512-bit vectors in plain Java, slowly and allocating.
if [ "$build" = 1 ]; then
    vector_bits=$(preferred_vector_bits "${java[@]}")
    say "mvn install of rnnc (tests skipped: .ci/run and mvn verify run them)"
    (cd "$root" && JAVA_HOME=$driver_home mvn -B -q install -DskipTests -Dinvoker.skip)
    say "mvn package of benchmarks/ (generates $(ls "$here"/src/main/rnn/sweep/*.rnn | wc -l) sweep specs × 2 backends, vector at $vector_bits bits, and the examples)"
    if [ "$dl4j" = 1 ]; then
        say "mvn package -Pdl4j of benchmarks/ (the same jar, plus bench.Dl4jBench; DL4J's jars stay out of it)"
        (cd "$here" && JAVA_HOME=$driver_home mvn -B -q package -Pdl4j -Dbench.vectorBits=$vector_bits)
    else
        (cd "$here" && JAVA_HOME=$driver_home mvn -B -q package -Dbench.vectorBits=$vector_bits)
    fi
fi
[ -f "$jar" ] || { echo "run.sh: no $jar; run without --no-build" >&2; exit 1; }
dl4j_ready || exit 1

# the benchmarked examples are the reviewed code: the same text as generated-examples/ (bar the source path)
for ex in char_lstm/CharLstm mgu/MguTagger; do
    generated=$(find "$here/target/generated-sources/rnnc-examples" -name "$(basename $ex).java")
    if ! diff <(grep -v 'enerated by rnnc from' "$generated") <(grep -v 'enerated by rnnc from' "$root/generated-examples/$ex.java") >/dev/null; then
        echo "run.sh: the generated $(basename $ex) differs from generated-examples/$ex.java" >&2
        exit 1
    fi
done

"${java[@]}" -cp "$jar" bench.Run plan "$mode" "$out"

# --- the machine ---------------------------------------------------------------------------------------------------
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
avx512=$(grep -q avx512f /proc/cpuinfo && echo yes || echo no)
l2=$(lscpu 2>/dev/null | sed -n 's/^L2 cache: *//p' | head -n 1)
hyper=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)
perf_ok=no
if command -v perf >/dev/null && perf stat -e instructions true 2>&1 | grep -q '[0-9] *instructions'; then perf_ok=yes; fi
{
    echo "CPU: ${cpu:-unknown}, $(nproc) cores, AVX-512: $avx512, L2: ${l2:-?}${hyper:+, virtual machine ($hyper)}"
    echo "Memory: $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo); OS: $(. /etc/os-release && echo "$PRETTY_NAME"), Linux $(uname -r)"
    echo "Run: $mode mode, started $(date -u '+%Y-%m-%d %H:%M UTC'), load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "Hardware counters (perf stat -e instructions): $perf_ok"
    # the width the jar's sweep classes were generated for (with --no-build, an earlier build's)
    species=$(grep -ho 'FloatVector\.SPECIES_[0-9]*' "$here"/target/generated-sources/rnnc-vector/bench/vector/*.java | sort -u | tr '\n' ' ')
    echo "Vector sweep generated with: ${species:-unknown}(rnnc --vector-bits; the examples: SPECIES_256)"
} >"$out/machine.txt"
for spec in "${jdks[@]}"; do
    "${spec#*=}/bin/java" -version 2>&1 | grep -v '^Picked up' >"$out/jdk-${spec%%=*}.txt"
done

find_openblas

# --- the ceiling: C kernels -----------------------------------------------------------------------------------------
if command -v gcc >/dev/null; then
    say "C ceiling kernels ($(grep -vc '^#' "$out/shapes.tsv") shapes)"
    gcc -O3 -march=native -o "$here/target/ceiling" "$here/ceiling/ceiling.c" -ldl
    seconds=0.1
    [ "$mode" = smoke ] && seconds=0.01
    OPENBLAS_CORETYPE=$coretype OPENBLAS_NUM_THREADS=1 "$here/target/ceiling" "$out/shapes.tsv" "$out/ceiling-c.json" \
        "${openblas_dir:+$openblas_dir/libopenblas.so.0}" "$seconds" >"$logs/ceiling.log"
else
    echo "run.sh: no gcc: the ceiling is the Java kernel only" >&2
fi

# --- PyTorch ----------------------------------------------------------------------------------------------------------
py=${TORCH_PYTHON:-/usr/bin/python3}
if "$py" -c 'import torch' 2>/dev/null; then
    # the discipline of the JMH runs of the same mode (bench.Run): warm-up iterations, then measurement iterations
    case "$mode" in
        smoke) timing=(--warmups 1 --warmup-time 0.2 --iterations 1 --time 0.2 --smoke) ;;
        default) timing=(--warmups 2 --warmup-time 1 --iterations 4 --time 1) ;;
        *) timing=(--warmups 3 --warmup-time 1 --iterations 5 --time 1) ;;
    esac
    for combo in $(awk '!/^#/ {print $4 "-" $5}' "$out/torch.tsv" | sort -u); do
        blas=${combo%-*}
        threads=${combo#*-}
        if [ "$blas" = openblas ] && [ -z "$openblas_dir" ]; then continue; fi
        say "PyTorch, BLAS $blas, $threads thread(s): $(grep -c "	$blas	$threads	" "$out/torch.tsv") configurations"
        env_args=(OMP_NUM_THREADS="$threads")
        [ "$blas" = openblas ] && env_args+=(LD_LIBRARY_PATH="$openblas_dir" OPENBLAS_CORETYPE="$coretype" OPENBLAS_NUM_THREADS="$threads")
        env "${env_args[@]}" "$py" "$here/pytorch/bench_torch.py" "$out/torch.tsv" "$out/torch-$combo.json" \
            --blas "$blas" --threads "$threads" "${timing[@]}" >"$logs/torch-$combo.log"
    done
else
    echo "run.sh: $py has no torch (Debian: apt-get install python3-torch): no PyTorch columns" >&2
fi

# --- rnnc: JMH on every JDK ---------------------------------------------------------------------------------------------
labels=()
for spec in "${jdks[@]}"; do
    label=${spec%%=*}
    labels+=("$label")
    say "JMH on JDK $label ($(grep -v '^#' "$out/plan.tsv" | wc -l) benchmarks; log: target/logs-$mode/jmh-$label.log)"
    "${java[@]}" -cp "$jar" bench.Run jmh "$mode" "$out" "$label" "${spec#*=}" >"$logs/jmh-$label.log" 2>&1 || {
        tail -n 30 "$logs/jmh-$label.log"
        exit 1
    }
done
# --- Deeplearning4j (--dl4j): JMH on the first JDK, one thread, from DL4J's own jars ----------------------------------
if [ "$dl4j" = 1 ]; then
    label=${jdks[0]%%=*}
    say "Deeplearning4j on JDK $label (log: target/logs-$mode/jmh-$label-dl4j.log)"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "${java[@]}" \
        -cp "$jar:$(cat "$dl4j_cp")" bench.Run dl4j "$mode" "$out" "$label" "$driver_home" \
        >"$logs/jmh-$label-dl4j.log" 2>&1 || {
        tail -n 30 "$logs/jmh-$label-dl4j.log"
        exit 1
    }
fi
echo "Run: finished $(date -u '+%Y-%m-%d %H:%M UTC') after $(( ($(date +%s) - started) / 60 )) min, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/machine.txt"

if [ "$mode" = smoke ]; then
    "${java[@]}" -cp "$jar" bench.Run check smoke "$out" "${labels[@]}"
    if [ -e "$out/torch-openblas-1.json" ] || [ -e "$out/torch-default-1.json" ]; then
        echo "smoke: the PyTorch script ran"
    fi
fi

say "report"
"${java[@]}" -Djava.awt.headless=true -cp "$jar" bench.Report "$out" "$here/README.template.md" "$readme" "$charts"
say "done: $readme"
