"""Every Python package is pinned in constraints.txt, `make install` installs with it, and what is installed is what
is pinned: two installs a week apart are the same."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: '{line}' is not pinned to one version"
            pins[_canonical(name)] = version
    return pins


def _direct_requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values()
                                                 for r in extra)]
    return [_canonical(_NAME.match(r).group(0)) for r in requirements]  # type: ignore[union-attr]


def test_every_dependency_in_pyproject_is_pinned() -> None:
    missing = sorted(set(_direct_requirements()) - set(_pins()))
    assert missing == [], f"not in constraints.txt (run `make lock`): {missing}"


def test_what_is_installed_is_what_is_pinned() -> None:
    differ = {name: (version, _installed(name)) for name, version in _pins().items() if _installed(name) != version}
    assert differ == {}, f"pinned vs installed (run `make install`, or `make lock` to take new versions): {differ}"


def test_make_install_uses_the_pins() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "-c constraints.txt" in makefile and "$(VENV)/.installed: pyproject.toml constraints.txt" in makefile


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
