#!/usr/bin/env bash
# Rebuilds the built-in wake word, hey_hive.rpw, from synthesised samples: espeak-ng says
# "hey hive" in eight English voices at three speeds, and `hive-satellite wakeword train`
# turns the 24 recordings into a rustpotter reference model.
#
# A synthetic model wakes reliably on synthetic speech (the tests) and passably on people;
# for a real household, record 10-20 samples of its own voices and train from those.
#
#   satellite/assets/make-default-wakeword.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
samples=$(mktemp -d)
trap 'rm -rf "$samples"' EXIT
n=0
for voice in en-us en en-gb-x-rp en+f3 en-us+m3 en+f2 en-gb-scotland en+m7; do
  for speed in 140 175 210; do
    espeak-ng -v "$voice" -s "$speed" -w "$samples/hey-hive-$n.wav" "hey hive"
    n=$((n + 1))
  done
done
cargo run --quiet -p hive-satellite -- wakeword train --name "hey hive" \
  --out satellite/assets/hey_hive.rpw "$samples"/*.wav
