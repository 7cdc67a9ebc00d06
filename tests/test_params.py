"""Params: every file in params/ validates; mistakes give one line naming key and fix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from workbench import Params, ParamsError, load_params
from workbench.paths import repo_root

PARAM_FILES = sorted((repo_root() / "params").rglob("*.yaml"))


@pytest.mark.parametrize("path", PARAM_FILES, ids=lambda p: str(p.relative_to(repo_root())))
def test_every_params_file_validates(path: Path) -> None:
    assert isinstance(load_params(path), Params)


def test_default_documents_every_knob() -> None:
    """Every leaf of Params appears (by name) in default.yaml, so nothing is undocumented."""
    text = (repo_root() / "params" / "default.yaml").read_text(encoding="utf-8")

    def leaves(model: type, prefix: str = "") -> list[str]:
        out = []
        for name, field in model.model_fields.items():
            sub = field.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields"):
                out += leaves(sub, f"{prefix}{name}.")
            else:
                out.append(name)
        return out

    missing = [k for k in leaves(Params) if f"{k}:" not in text and k not in ("tables",)]
    assert not missing, f"undocumented in default.yaml: {missing}"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("client:\n  nmae: Acme\n", ["unknown key 'client.nmae'", "Fix:"]),
        ("engine: sparky\n", ["'engine'", "duckdb", "spark", "Fix:"]),
        ("chasers:\n  window_minutes: -5\n", ["'chasers.window_minutes'", "greater than 0"]),
        ("client:\n  timezone: Europe/Helsingfors\n", ["unknown time zone", "IANA"]),
        ("client:\n  country: XX\n", ["no public-holiday calendar"]),
        ("business_hours:\n  weekdays: [mon, fri, someday]\n", ["unknown weekday 'someday'"]),
        ("as_of: 2026-13-01\n", ["'as_of'"]),
        ("data:\n  tables:\n    customers: {file: a.csv}\n", ["unknown table 'customers'"]),
        ("data:\n  tables:\n    interactions: {columns: {time: Aika}}\n", ["unknown canonical column 'time'"]),
        ("client: [a, b\n", ["not valid YAML", "line"]),
        ("- just\n- a list\n", ["mapping of sections"]),
    ],
)
def test_mistakes_are_one_clear_line(tmp_path: Path, yaml_text: str, expected: list[str]) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    msg = str(err.value)
    assert msg.startswith("acme.yaml") and "\n" not in msg
    for part in expected:
        assert part in msg


def test_missing_file() -> None:
    with pytest.raises(ParamsError, match="not found"):
        load_params("params/nope.yaml")


def test_relative_paths_resolve_from_the_repo_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the kernel's folder differs between JupyterLab, papermill, nbval
    p = load_params("params/default.yaml")
    assert p.data.path == repo_root() / "data" / "sample"


def test_overrides(tmp_path: Path) -> None:
    p = load_params("params/default.yaml", data_dir=str(tmp_path), as_of=dt.date(2026, 6, 30))
    assert p.data.path == tmp_path and p.as_of == dt.date(2026, 6, 30)


def test_data_dir_override_changes_only_the_folder(tmp_path: Path) -> None:
    """`--data` is a newer export of the same system: its mapping still applies."""
    f = tmp_path / "acme.yaml"
    f.write_text("data:\n  dir: data/acme-2025\n  tables:\n    accounts: {file: 'Asiakkaat*.xlsx', sheet: 2}\n"
                 "    invoices: {columns: {amount: Summa}}\n", encoding="utf-8")
    plain = load_params(f)
    moved = load_params(f, data_dir=str(tmp_path / "acme-2026"))
    assert moved.data.path == tmp_path / "acme-2026"
    assert moved.data.source("accounts").file == "Asiakkaat*.xlsx" and moved.data.source("accounts").sheet == 2
    assert moved.data.source("invoices").columns == {"amount": "Summa"}
    assert moved.data.model_dump(exclude={"dir"}) == plain.data.model_dump(exclude={"dir"})
    assert moved.model_dump(exclude={"data"}) == plain.model_dump(exclude={"data"})


HINT_FIX = ". Fix: check its spelling against params/default.yaml"


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("energy:\n  low_value_per_enrgy_hour: 40\n",
         "unknown key 'energy.low_value_per_enrgy_hour' (did you mean 'energy.low_value_per_energy_hour'?)"),
        ("comitment:\n  weights: {tenure: 1}\n", "unknown key 'comitment' (did you mean 'commitment'?)"),
        ("Client:\n  name: Acme\n", "unknown key 'Client' (did you mean 'client'?)"),
        ("commitment:\n  thresholds: {shalow: 30}\n",
         "unknown key 'commitment.thresholds.shalow' (did you mean 'commitment.thresholds.shallow'?)"),
        ("data:\n  tables:\n    accounts: {fiel: asiakkaat.csv}\n",
         "unknown key 'data.tables.accounts.fiel' (did you mean 'data.tables.accounts.file'?)"),
        ("plan:\n  tiers:\n    - {name: review, label_fi: x, when: [drop_candidate], prioirty: 2}\n"
         "    - {name: rest, label_fi: y}\n",
         "unknown key 'plan.tiers.0.prioirty' (did you mean 'plan.tiers.0.priority'?)"),
        ("report:\n  out-dir: /srv/reports\n", "unknown key 'report.out-dir' (did you mean 'report.out_dir'?)"),
        ("client:\n  vat_number: FI1234567\n", "unknown key 'client.vat_number'"),  # nothing close
        ("zzz: 1\n", "unknown key 'zzz'"),
    ],
)
def test_unknown_key_names_the_closest_valid_one(tmp_path: Path, yaml_text: str, expected: str) -> None:
    f = tmp_path / "acme.yaml"
    f.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ParamsError) as err:
        load_params(f)
    assert str(err.value) == f"acme.yaml: {expected}{HINT_FIX}"


def test_yaml_scalars_in_mappings_stay_text(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("data:\n  tables:\n    interactions:\n      values: {is_complaint: {Valitus: yes, Ei: no}}\n"
                 "      columns: {thread_id: 2024}\n", encoding="utf-8")
    src = load_params(f).data.source("interactions")
    assert src.values == {"is_complaint": {"Valitus": "yes", "Ei": "no"}}
    assert src.columns == {"thread_id": "2024"}
