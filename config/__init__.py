"""Settings per environment. `OPEN360_ENV` picks one: development (default), test or production."""

from __future__ import annotations

import os
from typing import Any

from config import development, production, test

ENVIRONMENTS = {"development": development, "test": test, "production": production}


class ConfigError(RuntimeError):
    """Raised at start-up when a setting the environment must supply is missing or malformed."""


def load(name: str | None = None, instance_path: str = "instance") -> dict[str, Any]:
    name = name or os.environ.get("OPEN360_ENV", "development")
    try:
        module = ENVIRONMENTS[name]
    except KeyError:
        raise ConfigError(f"OPEN360_ENV is '{name}'; it must be one of {', '.join(ENVIRONMENTS)}.") from None
    settings = module.settings(instance_path, os.environ)
    settings["ENV_NAME"] = name
    return settings
