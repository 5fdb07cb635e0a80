#!/usr/bin/env python3
"""Checks the build graph: no cycle between targets, and every source file compiled only
by targets of its own component (the top-level folder it lives in).

usage: check-build-graph.py SOURCE_DIR BUILD_DIR [CMAKE]
Reads BUILD_DIR/compile_commands.json and the output of `cmake --graphviz`."""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile


def component(path, root):
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(root))
    return rel.split(os.sep)[0]


def main():
    src, build = sys.argv[1], sys.argv[2]
    cmake = sys.argv[3] if len(sys.argv) > 3 else "cmake"
    problems = []

    # 1. Sources compiled only by their own component's targets.
    with open(os.path.join(build, "compile_commands.json")) as f:
        commands = json.load(f)
    for c in commands:
        in_build = os.path.realpath(c["file"]).startswith(os.path.realpath(build) + os.sep)
        source_comp = component(c["file"], build if in_build else src)  # generated sources belong to their folder
        target_comp = component(c["directory"], build)
        if source_comp != target_comp:
            args = shlex.split(c["command"])
            out = args[args.index("-o") + 1] if "-o" in args else "?"
            problems.append(f"{os.path.relpath(c['file'], src)} is compiled by {target_comp}/ ({out}), "
                            f"not by {source_comp}/: link {source_comp}'s library instead")
    if not commands:
        problems.append("compile_commands.json lists no command")

    # 2. No cycle between the project's targets.
    with tempfile.TemporaryDirectory() as tmp:
        dot = os.path.join(tmp, "graph.dot")
        subprocess.run([cmake, f"--graphviz={dot}", "."], cwd=build, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = open(dot).read()
    names = dict(re.findall(r'"(node\d+)" \[ label = "([^"]+)"', text))
    edges = {}
    for a, b in re.findall(r'"(node\d+)" -> "(node\d+)"', text):
        if a != b:  # graphviz output lists a target's own utility step as an edge to itself
            edges.setdefault(names[a], set()).add(names[b])
    state = {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                problems.append("cycle: " + " -> ".join(stack[stack.index(m):] + [m]))
            elif m not in state:
                visit(m, stack)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if n not in state:
            visit(n, [])
    if len(edges) < 10:
        problems.append(f"the graph has only {len(edges)} targets with dependencies: was it generated?")

    for p in problems:
        print("build graph: " + p)
    print(f"build graph: {len(commands)} compiled files, {len(names)} targets, "
          f"{sum(len(v) for v in edges.values())} dependencies, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
