#!/usr/bin/env python3
"""Fails when a module of the core crate imports a layer above its own (ARCHITECTURE.md, "Layers").

Every `crate::<module>` path in crates/lemma/src (plain paths and `use crate::{a, b::c}` groups) is
checked against the layer order below; a module may use its own layer and the ones beneath it.
"""
import pathlib
import re
import sys

# Bottom first, as in ARCHITECTURE.md.
LAYERS = [
    {"rng", "linalg", "tol"},
    {"data", "series", "verify", "schema", "experiment"},
    {"nn"},
    {"gpu"},
    {"diagonal", "solver"},
    {"papers"},
    {"registry"},
]
RANK = {name: i for i, layer in enumerate(LAYERS) for name in layer}
SRC = pathlib.Path(__file__).resolve().parent.parent / "crates" / "lemma" / "src"


def imported_modules(text):
    """Top-level module names that `text` reaches through `crate::`."""
    names = set(re.findall(r"\bcrate::([a-z_][a-z0-9_]*)", text))
    for group in re.findall(r"\bcrate::\{([^}]*(?:\{[^}]*\}[^}]*)*)\}", text, re.S):
        depth, item = 0, ""
        for ch in group + ",":
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                head = item.strip().split("::")[0].strip()
                if head:
                    names.add(head)
                item = ""
            else:
                item += ch
    return names


def main():
    problems = []
    for path in sorted(SRC.rglob("*.rs")):
        rel = path.relative_to(SRC)
        if rel.parts == ("lib.rs",):
            continue
        own = rel.parts[0].removesuffix(".rs")
        if own not in RANK:
            problems.append(f"{rel}: module `{own}` has no layer in .ci/layers.py")
            continue
        text = re.sub(r"//[^\n]*", "", path.read_text())
        for name in sorted(imported_modules(text)):
            if name in RANK and RANK[name] > RANK[own]:
                problems.append(f"{rel}: `{own}` uses `crate::{name}`, a layer above it")
    for p in problems:
        print(p)
    print(f"layers: {len(problems)} problem(s) in {sum(1 for _ in SRC.rglob('*.rs'))} files")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
