"""Mutation testing of the rules and guards a reviewer trusts most (`make mutation`; slow, so not in `make test`).

mutmut plants one small fault at a time (a comparison turned round, a constant changed, a condition dropped) in the
modules listed under `[tool.mutmut]` in pyproject.toml, and for each runs the listed tests that call the function it
lives in. A mutant the tests do not notice "survives". This prints the score per module (killed out of all planted)
and every survivor with its module, line and diff, then exits 1 if any module scores under 90 %.

    make mutation                          # a fresh run of every module
    .venv/bin/python bench/mutation.py --keep 'surveys.tokens.*'   # again for some mutants, reusing mutants/
    MUTATION_CHILDREN=2 make mutation      # two processes (the default is one: the machine is shared)

Modules named under `[tool.open360.mutation.guards]` are mutated whole by mutmut but only the functions listed
there are run and scored: the rest of those modules is views and queries, outside what this run is about. mutmut
never mutates a decorated function (a route, for instance), so a guard is only reached when it is a plain function.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
MUTMUT = Path(sys.executable).parent / "mutmut"
PASS_MARK = 0.9
# mutmut's exit codes for a mutant (mutmut.stats.status_by_exit_code): 1 and 3 are a kill by a test, 0 a survivor.
KILLED = {1, 3}
TIMEOUT = {36, 24, -24, 152, 255}


@dataclass(frozen=True)
class Target:
    path: str  # e.g. "surveys/tokens.py"
    functions: tuple[str, ...] | None  # None: every function in the module

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".").removesuffix(".__init__")

    def patterns(self) -> list[str]:
        if self.functions is None:
            return [f"{self.module}.*"]
        return [f"{self.module}.x_{name}__mutmut_*" for name in self.functions]

    def scores(self, key: str) -> bool:
        if self.functions is None:
            return True
        function = key.rpartition(".")[2].partition("__mutmut_")[0]
        return function in {f"x_{name}" for name in self.functions}


def targets() -> list[Target]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    guards = config["tool"]["open360"]["mutation"]["guards"]
    return [Target(path, tuple(guards[path]) if path in guards else None)
            for path in config["tool"]["mutmut"]["only_mutate"]]


def prepare(keep: bool) -> None:
    if not keep and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    MUTANTS.mkdir(exist_ok=True)
    # The app serves the NHS.UK frontend from node_modules beside the packages (app.PROJECT_ROOT); mutmut copies
    # only the packages, so point the copy at the real one.
    link = MUTANTS / "node_modules"
    if not link.exists() and (ROOT / "node_modules").exists():
        link.symlink_to((ROOT / "node_modules").resolve())


def results(target: Target) -> dict[str, int | None]:
    meta = MUTANTS / f"{target.path}.meta"
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return {key: code for key, code in codes.items() if target.scores(key)}


def survivor_report(target: Target, key: str) -> str:
    """Where the survivor is (file and line of the first line it changes) and its diff."""
    diff = subprocess.run([str(MUTMUT), "show", key], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    function = key.rpartition(".")[2].partition("__mutmut_")[0]
    class_name, _, name = function.removeprefix("x").removeprefix("_").rpartition("ǁ")
    class_name = class_name.strip("ǁ")
    tree = ast.parse((ROOT / target.path).read_text())
    scope: list[ast.stmt] = tree.body
    if class_name:
        scope = next(n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name)
    start = next((n.lineno for n in scope if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
                  and n.name == name), 1)
    # the first line the mutant changes, found in the source from the function's start
    removed = next((t[1:] for t in diff.splitlines() if t.startswith("-") and not t.startswith("---")), None)
    source = (ROOT / target.path).read_text().splitlines()
    line = next((i for i in range(start, len(source) + 1) if removed is not None
                 and source[i - 1].strip() == removed.strip()), start)
    body = "\n".join(t for t in diff.splitlines() if not t.startswith(("---", "+++", "#")))
    return f"{target.path}:{line}  {key}\n{body}\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ (and its test stats) from the last run")
    parser.add_argument("mutants", nargs="*", help="only these mutants (mutmut names, * allowed)")
    args = parser.parse_args()
    children = os.environ.get("MUTATION_CHILDREN", "1")

    planned = targets()
    prepare(args.keep)
    patterns = args.mutants or [p for t in planned for p in t.patterns()]
    started = time.monotonic()
    run = subprocess.run([str(MUTMUT), "run", "--max-children", children, *patterns], cwd=ROOT,
                         env={**os.environ, "OPEN360_ENV": "test"})
    elapsed = time.monotonic() - started
    if run.returncode:
        print(f"mutmut run failed (exit {run.returncode})", file=sys.stderr)
        return run.returncode

    print(f"\nMutation score per module ({elapsed / 60:.1f} min, {children} process(es))\n")
    print(f"{'module':40} {'killed':>7} {'total':>6} {'score':>6}  other")
    survivors: list[str] = []
    below = []
    for target in planned:
        codes = results(target)
        counts = Counter("killed" if c in KILLED else "survived" if c == 0 else "timeout" if c in TIMEOUT
                         else "not run" if c is None else "no tests" if c in {5, 33} else f"exit {c}"
                         for c in codes.values())
        # A timeout is a kill: the fault made a test hang, which a developer notices.
        killed = counts["killed"] + counts["timeout"]
        total = sum(counts.values()) - counts["not run"]
        score = killed / total if total else 1.0
        other = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()) if what not in {"killed"})
        print(f"{target.path:40} {killed:7} {total:6} {score:6.0%}  {other}")
        if score < PASS_MARK:
            below.append(target.path)
        survivors += [survivor_report(target, key) for key, code in sorted(codes.items())
                      if code not in KILLED | TIMEOUT and code is not None]
    print(f"\n{len(survivors)} surviving mutant(s) (killed by no test, or reached by none):\n")
    print("\n".join(survivors))
    if below:
        print(f"Under {PASS_MARK:.0%}: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
