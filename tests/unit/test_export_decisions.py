"""Download my data: every model of `sns.models` has an export decision (a file of the archive, or the reason
it stays out), like the mirror's travel table: a model added without one fails here, before a resident's
archive silently lacks it (or carries what it must not)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from tortoise.models import Model

import sns.models
from sns.services.data_export import README
from sns.services.export_kinds import DECISIONS, OPERATIONAL, NOT_PERSONAL, OTHERS, READERS, SECRET

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def all_models() -> set[str]:
    """Every concrete Tortoise model defined under sns/models (re-exported or not)."""
    found = set()
    for info in pkgutil.iter_modules(sns.models.__path__):
        module = importlib.import_module(f"sns.models.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Model) and value.__module__ == module.__name__ \
                    and not value._meta.abstract:
                found.add(value.__name__)
    return found


def test_every_model_has_an_export_decision():
    models = all_models()
    assert len(models) >= 60
    assert models - set(DECISIONS) == set(), "decide in sns/services/export_kinds.py whether the model is exported"
    assert set(DECISIONS) - models == set(), "a decision names a model that is gone"


def test_each_decision_is_a_file_of_the_archive_or_a_known_reason():
    for name, decision in DECISIONS.items():
        assert bool(decision.file) != bool(decision.reason), name
        if decision.file:
            assert decision.file in READERS, f"{name}: {decision.file} is not written into the archive"
        else:
            assert decision.reason in (NOT_PERSONAL, SECRET, OTHERS, OPERATIONAL), name


def test_secrets_are_never_exported():
    for name in ("Session", "RecoveryCode", "PasswordReset", "KnownBrowser", "CalendarFeed", "StandbyCode"):
        assert DECISIONS[name].reason == SECRET


def test_every_file_is_described_in_the_readme_and_in_docs():
    assert set(README) == set(READERS)
    text = DOC.read_text()
    section = text[text.index("## Download my data"):]
    section = section[:section.find("\n## ", 3)] if "\n## " in section[3:] else section
    for name in READERS:
        assert f"`{name}`" in section, f"docs/privacy.md does not describe {name}"
    for model in DECISIONS:
        assert f"`{model}`" in section, f"docs/privacy.md's table has no row for {model}"
