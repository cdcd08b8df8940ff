#!/usr/bin/env python3
"""Folds the rounds of a headline row into one row per target. scripts/bench runs the rows
TARGET-SUFFIX-rK (K = 1..N) in turn; for each target the round with the median throughput is
copied to TARGET-SUFFIX (generator and meta files), with every round's throughput and the round
kept. Usage: rounds.py ROWS_DIR SUFFIX N TARGET..."""
import json
import os
import shutil
import sys

rows_dir, suffix, count, targets = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
for target in targets:
    measured = []
    for k in range(1, count + 1):
        path = os.path.join(rows_dir, f"{target}-{suffix}-r{k}.json")
        if os.path.exists(path):
            with open(path) as f:
                measured.append((json.load(f)["throughputPerSecond"], k))
    if not measured:
        continue   # the generator failed in every round: the report names those rows
    measured.sort()
    _, median_round = measured[(len(measured) - 1) // 2]
    source = os.path.join(rows_dir, f"{target}-{suffix}-r{median_round}")
    name = f"{target}-{suffix}"
    shutil.copy(source + ".json", os.path.join(rows_dir, name + ".json"))
    with open(source + ".meta.json") as f:
        meta = json.load(f)
    meta.update(name=name, fromRound=median_round,
                roundThroughputs=[t for t, _ in sorted(measured, key=lambda m: m[1])])
    with open(os.path.join(rows_dir, name + ".meta.json"), "w") as f:
        json.dump(meta, f)
