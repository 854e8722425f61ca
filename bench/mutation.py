"""Mutation testing of the rules and guards a reviewer trusts most (`make mutation`; slow, so not in `make test`).

mutmut plants one small fault at a time (a comparison turned round, a constant changed, a condition dropped) in the
modules of each group under `[[tool.open360.mutation]]` in pyproject.toml, and for each fault runs those of the
group's tests that call the function it lies in. A mutant no test notices "survives". This prints the score per
module (killed out of all planted, with and without the survivors pyproject.toml declares equivalent) and every
other survivor with its module, line and diff, and exits 1 if any module scores under 90 % with its declared
equivalents left out.

    make mutation                               # a fresh run of every group
    .venv/bin/python bench/mutation.py --group tokens       # groups whose name contains "tokens"
    .venv/bin/python bench/mutation.py --survivors          # after adding tests: only the last run's survivors
    MUTATION_CHILDREN=2 make mutation           # two processes (the default is one: the machine is shared)

Each group is one `mutmut run` with the group's tests as mutmut's test selection (set here, in mutmut's config
object, rather than in `[tool.mutmut]`, which can hold only one selection). Where a group names `functions` for a
module, only those functions are run and scored. mutmut never mutates a decorated function (a route, for instance),
so a guard is only reached when it is a plain function.
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
        class_name, name = function_of(key)
        return not class_name and name in self.functions


@dataclass(frozen=True)
class Group:
    name: str
    targets: tuple[Target, ...]
    tests: tuple[str, ...]


def groups() -> list[Group]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = []
    for group in config["tool"]["open360"]["mutation"]:
        functions = group.get("functions", {})
        found.append(Group(group["name"], tuple(Target(path, tuple(functions[path]) if path in functions else None)
                                                for path in group["modules"]), tuple(group["tests"])))
    return found


@dataclass(frozen=True)
class Equivalent:
    """Survivors declared equivalent under `[[tool.open360.equivalent_mutant]]` in pyproject.toml: left out of the
    score. Each is named by its module, its function and the line as the mutant writes it (stripped), which stays
    true when mutmut numbers the mutants anew."""

    module: str
    function: str
    lines: frozenset[str]
    reason: str


def equivalents() -> list[Equivalent]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return [Equivalent(e["module"], e["function"], frozenset(line.strip() for line in e["lines"]), e["reason"])
            for e in config["tool"]["open360"].get("equivalent_mutant", [])]


def function_of(key: str) -> tuple[str, str]:
    """(class, function) of a mutant's key: `app.web.xǁBoundedIntConverterǁto_python__mutmut_3` gives
    ("BoundedIntConverter", "to_python"), `app.web.x_is_safe_redirect__mutmut_7` ("", "is_safe_redirect")."""
    function = key.rpartition(".")[2].partition("__mutmut_")[0]
    class_name, _, name = function.removeprefix("x").removeprefix("_").rpartition("ǁ")
    return class_name.strip("ǁ"), name


def _diff(target: Target, key: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant  # what `mutmut show` prints, without a process each

    return get_diff_for_mutant(key, path=target.path)


def declared(target: Target, key: str, diff: str, known: list[Equivalent]) -> Equivalent | None:
    """The declaration this survivor (with its diff) answers to, if any: the same module and function, and the
    line it writes."""
    class_name, name = function_of(key)
    function = f"{class_name}.{name}" if class_name else name
    added = [t[1:].strip() for t in diff.splitlines() if t.startswith("+") and not t.startswith("+++")]
    return next((e for e in known if e.module == target.path and e.function == function
                 and added and all(line in e.lines for line in added)), None)


def run_group(group: Group, every_module: list[str], children: str, survivors_only: bool) -> int:
    """One `mutmut run` of this group's mutants with this group's tests (run in a child process of its own)."""
    from mutmut.__main__ import cli
    from mutmut.configuration import config

    settings = config()
    # Every listed module is mutated in every group (mutmut keeps the mutants it already made), so that no group
    # leaves another's modules unmutated in mutants/; each group runs only its own mutants.
    settings.only_mutate = every_module
    settings.pytest_add_cli_args_test_selection = list(group.tests)
    patterns = [p for t in group.targets for p in t.patterns()]
    if survivors_only:
        patterns = [key for t in group.targets for key, code in results(t).items()
                    if code is None or code not in KILLED | TIMEOUT]
        if not patterns:
            return 0
    try:
        cli(["run", "--max-children", children, *patterns], standalone_mode=False)
    except SystemExit as stop:
        return int(stop.code or 0)
    return 0


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


def survivor_report(target: Target, key: str, diff: str) -> str:
    """Where the survivor is (file and line of the first line it changes) and its diff."""
    class_name, name = function_of(key)
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
    parser.add_argument("--group", help="only the groups whose name contains this")
    parser.add_argument("--survivors", action="store_true",
                        help="after adding tests: reuse mutants/ and run again only the mutants that survived there")
    parser.add_argument("--run-one", help=argparse.SUPPRESS)  # internal: the child process for one group
    args = parser.parse_args()
    children = os.environ.get("MUTATION_CHILDREN", "1")
    planned = [g for g in groups() if args.group is None or args.group in g.name]
    every_module = [t.path for g in groups() for t in g.targets]
    if args.run_one:
        os.chdir(ROOT)
        return run_group(next(g for g in planned if g.name == args.run_one), every_module, children, args.survivors)

    os.chdir(ROOT)
    prepare(keep=args.survivors)
    lines = [f"{'module':40} {'killed':>7} {'total':>6} {'equiv.':>6} {'score':>6} {'raw':>6}  other"]
    survivors: list[str] = []
    left_out: list[str] = []
    below: list[str] = []
    known = equivalents()
    started = time.monotonic()
    for group in planned:
        print(f"\n=== {group.name}: {', '.join(t.path for t in group.targets)}", flush=True)
        begun = time.monotonic()
        # Stats (which test calls which function) are the group's own: a fresh collection for its tests.
        (MUTANTS / "mutmut-stats.json").unlink(missing_ok=True)
        again = ["--survivors"] if args.survivors else []
        code = subprocess.run([sys.executable, __file__, "--run-one", group.name, *again], cwd=ROOT,
                              env={**os.environ, "OPEN360_ENV": "test"}).returncode
        if code:
            print(f"mutmut run failed for {group.name} (exit {code})", file=sys.stderr)
            return code
        lines.append(f"-- {group.name} ({(time.monotonic() - begun) / 60:.1f} min)")
        for target in group.targets:
            codes = results(target)
            counts = Counter("killed" if c in KILLED else "survived" if c == 0 else "timeout" if c in TIMEOUT
                             else "not run" if c is None else "no tests" if c in {5, 33} else f"exit {c}"
                             for c in codes.values())
            # A timeout counts as a kill: the fault made a test hang, which a developer notices.
            killed = counts["killed"] + counts["timeout"]
            total = sum(counts.values()) - counts["not run"]
            equivalent = 0
            for key, c in sorted(codes.items()):
                if c in KILLED | TIMEOUT or c is None:
                    continue
                diff = _diff(target, key)
                declaration = declared(target, key, diff, known)
                if declaration is None:
                    survivors.append(survivor_report(target, key, diff))
                else:
                    equivalent += 1
                    left_out.append(f"{target.path}  {key}: {declaration.reason}")
            # The score of what a test could catch: a declared equivalent changes nothing one could observe.
            score = killed / (total - equivalent) if total > equivalent else 1.0
            raw = killed / total if total else 1.0
            other = ", ".join(f"{n} {what}" for what, n in sorted(counts.items()) if what != "killed")
            lines.append(f"{target.path:40} {killed:7} {total:6} {equivalent:6} {score:6.0%} {raw:6.0%}  {other}")
            if score < PASS_MARK:
                below.append(target.path)
    elapsed = time.monotonic() - started
    print(f"\n{len(left_out)} survivor(s) declared equivalent in pyproject.toml, left out of the score:\n")
    print("\n".join(left_out))
    print(f"\n{len(survivors)} other surviving mutant(s) (killed by no test, or reached by none):\n")
    print("\n".join(survivors))
    print(f"Mutation score per module, declared equivalents left out; raw: of every mutant planted "
          f"({elapsed / 60:.1f} min in all, {children} process(es)):\n")
    print("\n".join(lines))
    if below:
        print(f"\nUnder {PASS_MARK:.0%}: {', '.join(below)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
