#!/usr/bin/env bash
# One fine-tuning step of all-MiniLM-L6-v2 (batch 32, 2 threads, sentences of 32 / 64 / 128 tokens): this library's
# TorchSharp path (`mlnetext bench train`) against PyTorch (Debian's python3-torch with OpenBLAS's pthread build) in
# the same run, alternating rounds so both see the same machine load. Prints each side's best round and the ratio.
# Usage: Benchmarks/train-step-vs-pytorch.sh [OUT_PREFIX] [ROUNDS]   (installs the two Debian packages when missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-train-step}
rounds=${2:-2}
tokens=32,64,128
py=/usr/bin/python3   # Debian's interpreter, where python3-torch installs (not a pyenv or venv python3 first on PATH)
if ! $py -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  apt-get install -y -q python3-torch libopenblas0-pthread
fi
# The peer at its best: Debian's OpenBLAS 0.3.21 does not recognise recent Xeons and falls back to its "Prescott"
# (SSE3) kernels, about 52 GFLOP/s on this machine's 2 cores instead of about 270 with its AVX-512 kernels; name the
# core type from the CPU's flags unless the caller set one. libgomp waits passively, as the library's own
# TorchSharp threads do (the Trainers assembly sets OMP_WAIT_POLICY=PASSIVE).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo)
  case "$flags" in
    *avx512_bf16*) export OPENBLAS_CORETYPE=Cooperlake ;;
    *avx512f*) export OPENBLAS_CORETYPE=SkylakeX ;;
    *avx2*) export OPENBLAS_CORETYPE=Haswell ;;
  esac
fi
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-auto} OMP_WAIT_POLICY=$OMP_WAIT_POLICY"
dotnet build "$root/Cli" -c Release -v q -nologo
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  $py "$root/Benchmarks/train_step_pytorch.py" --tokens $tokens --steps 10 --threads 2 --json "$out-pytorch-$round.json"
  dotnet "$root/Cli/bin/Release/net10.0/mlnetext.dll" bench train --tokens $tokens --steps 10 --threads 2 --json "$out-ours-$round.json"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
$py - "$out" "$rounds" <<'PY'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def best(side):
    runs = [json.load(open(f"{out}-{side}-{r}.json")) for r in range(1, rounds + 1)]
    return {row["tokens"]: max(run[i]["sentences_per_second"] for run in runs) for i, row in enumerate(runs[0])}
ours, peer = best("ours"), best("pytorch")
print("tokens  ours sentences/s  pytorch sentences/s  ratio ours/pytorch")
for t in ours:
    print(f"{t:6d}  {ours[t]:17.1f}  {peer[t]:19.1f}  {ours[t] / peer[t]:18.2f}")
json.dump({str(t): {"ours_sps": ours[t], "pytorch_sps": peer[t], "ratio": ours[t] / peer[t]} for t in ours}, open(f"{out}-summary.json", "w"), indent=2)
PY
