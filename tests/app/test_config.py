import pytest

import config
from config import ConfigError
from config.keys import new_key_text

GOOD = {
    "SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql+psycopg://u@h/db", "REDIS_URL": "redis://h:6379/0",
    "SMTP_HOST": "smtp.example", "MAIL_FROM": "Open360 <no-reply@example.nhs.uk>",
    "PUBLIC_URL": "https://open360.example.nhs.uk/", "OPEN360_MASTER_KEYS": f"k1:{new_key_text()}",
    "CONTACT_EMAIL": "open360@example.nhs.uk",
}


def test_production_reads_everything_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    settings = config.load("production")
    assert settings["QUEUE_MODE"] == "redis"
    assert settings["PUBLIC_URL"] == "https://open360.example.nhs.uk"
    assert settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(("threads", "kept"), [(None, 16), ("4", 4)])
def test_production_keeps_a_database_connection_for_each_thread_of_a_web_process(
        monkeypatch: pytest.MonkeyPatch, threads: str | None, kept: int) -> None:
    """The bench on PostgreSQL (bench/pages.py --stack production) found SQLAlchemy's default pool of 5 closing
    and opening connections under load for 16 threads: one PostgreSQL session every 20 requests or so."""
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    if threads is None:
        monkeypatch.delenv("WEB_THREADS", raising=False)
    else:
        monkeypatch.setenv("WEB_THREADS", threads)
    options = config.load("production")["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options == {"pool_pre_ping": True, "pool_size": kept, "max_overflow": 10}


@pytest.mark.parametrize("missing", sorted(GOOD))
def test_production_refuses_to_start_without_a_setting(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for name, value in GOOD.items():
        if name != missing:
            monkeypatch.setenv(name, value)
    monkeypatch.delenv(missing, raising=False)
    with pytest.raises(ConfigError, match=missing):
        config.load("production")


def test_production_refuses_a_malformed_master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OPEN360_MASTER_KEYS", "k1:tooshort")
    with pytest.raises(ConfigError, match="OPEN360_MASTER_KEYS"):
        config.load("production")


@pytest.mark.parametrize("contact", ["open360", "a@b.example, c@d.example", "ask us@example.nhs.uk"])
def test_production_refuses_a_contact_that_is_not_one_address(monkeypatch: pytest.MonkeyPatch, contact: str) -> None:
    """The accessibility statement gives it to everyone, raters included: it must be an address to write to."""
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CONTACT_EMAIL", contact)
    with pytest.raises(ConfigError, match="CONTACT_EMAIL"):
        config.load("production")


def test_the_demo_gives_an_accessibility_contact(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "@" in config.load("development", str(tmp_path))["CONTACT_EMAIL"]


def test_development_keeps_its_secrets_outside_the_repository(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = config.load("development", str(tmp_path))
    second = config.load("development", str(tmp_path))
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert first["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert first["QUEUE_MODE"] == "embedded" and first["SHOW_OUTBOX"]
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o077 == 0


def test_an_unknown_environment_is_named() -> None:
    with pytest.raises(ConfigError, match="staging"):
        config.load("staging")
