"""Parameters: a YAML file parsed into a typed, validated object.

Every knob is documented in ``params/default.yaml``. An unknown key, a wrong type or a
missing file is reported as one line that names the key and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path
from typing import Any, Literal

import holidays
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .exceptions import ParamsError
from .mail import FREE_MAIL_DOMAINS, normalize_domain
from .paths import resolve
from .schema import TABLES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Client(_Section):
    name: str = "Sample"
    timezone: str = "Europe/Helsinki"
    country: str = "FI"
    subdivision: str | None = None
    currency: str = "EUR"
    domains: tuple[str, ...] = Field(
        (), description="the client's own e-mail domains: mail from them is outbound"
    )
    addresses: tuple[str, ...] = Field(
        (), description="the client's own addresses on other domains (e.g. a gmail.com address)"
    )

    @field_validator("domains", "addresses", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        # `domains: acme.fi` (one, or "a.fi, b.fi") reads as the list it means.
        return [x for x in re.split(r"[\s,;]+", v) if x] if isinstance(v, str) else v

    @field_validator("domains")
    @classmethod
    def _own_domains(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for d in v:
            if "@" in d.strip().lstrip("@"):
                raise ValueError(f"{d!r} is an address; list it under client.addresses")
            norm = normalize_domain(d)
            if norm is None:
                raise ValueError(f"{d!r} is not an e-mail domain; write it like acme.fi")
            if norm in FREE_MAIL_DOMAINS:
                raise ValueError(f"{norm} is a free-mail domain: every user of it would count "
                                 "as the client; list the client's own addresses on it under "
                                 "client.addresses instead")
            out.append(norm)
        return tuple(dict.fromkeys(out))

    @field_validator("addresses")
    @classmethod
    def _own_addresses(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = []
        for a in v:
            local, _, domain = a.strip().lower().rpartition("@")
            if not local or not domain or "@" in local:
                raise ValueError(f"{a!r} is not an e-mail address; write it like anna@gmail.com")
            out.append(f"{local}@{domain}")
        return tuple(dict.fromkeys(out))

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, v: str) -> str:
        try:
            zoneinfo.ZoneInfo(v)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}; use an IANA name such as Europe/Helsinki")
        return v

    @field_validator("country")
    @classmethod
    def _known_country(cls, v: str) -> str:
        if v.upper() not in holidays.list_supported_countries():
            raise ValueError(f"no public-holiday calendar for {v!r}; use an ISO code such as FI")
        return v.upper()

    @property
    def slug(self) -> str:
        """The client's name as a folder name."""
        return re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-").lower() or "client"


class TableSource(_Section):
    """Where one canonical table comes from and how its columns map."""

    file: str | None = Field(
        None, description="file name inside data.dir (glob allowed); None = discover <table>.*"
    )
    columns: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> the column's name in the file"
    )
    values: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="canonical column -> {value in file: canonical value}"
    )
    sheet: str | int | None = None

    @field_validator("columns", "values", "constants", "derive", mode="before")
    @classmethod
    def _scalars_as_text(cls, v: Any) -> Any:
        # YAML reads an unquoted yes as True and 2024 as an int; in a mapping of column
        # names and cell values they mean the text the user typed.
        def text(x: Any) -> Any:
            if isinstance(x, bool):
                return "yes" if x else "no"
            return x if isinstance(x, (str, dict)) or x is None else str(x)

        if not isinstance(v, dict):
            return v
        return {
            text(k): ({text(a): text(b) for a, b in x.items()} if isinstance(x, dict) else text(x))
            for k, x in v.items()
        }
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Literal[".", ","] | None = None
    date_format: str | None = Field(None, description="strftime format when dates are ambiguous")
    dayfirst: bool = True
    header_row: int | None = Field(
        None, ge=1, description="spreadsheet row of the header (1 = first); None = detect title rows above it"
    )
    derive: dict[str, str] = Field(
        default_factory=dict,
        description="canonical number column -> arithmetic of two file columns, e.g. {amount: Quantity * UnitPrice}",
    )
    constants: dict[str, str] = Field(
        default_factory=dict, description="canonical column -> one value for every row, e.g. {channel: ticket}"
    )
    credits: dict[str, str] = Field(
        default_factory=dict,
        description="canonical text column -> regular expression; matching rows are credits (negative amounts)",
    )
    contacts: ContactRule | None = Field(
        None, description="the file is an event log: which events are contacts (interactions only)"
    )

    @field_validator("derive")
    @classmethod
    def _arithmetic(cls, v: dict[str, str]) -> dict[str, str]:
        for canon, expr in v.items():
            if split_arithmetic(expr) is None:
                raise ValueError(f"derive {canon}: {expr!r} is not '<column> <op> <column or number>' with op one "
                                 "of * / + - surrounded by spaces, e.g. 'Quantity * UnitPrice'")
        return v

    @field_validator("credits")
    @classmethod
    def _patterns(cls, v: dict[str, str]) -> dict[str, str]:
        for canon, pattern in v.items():
            try:
                re.compile(pattern)
            except re.error as e:
                raise ValueError(f"credits {canon}: {pattern!r} is not a regular expression ({e})") from None
        return v


class ContactRule(_Section):
    """How an event log (one row per status update of a ticket) becomes a contact log.

    A ticket system writes a row each time a ticket is assigned, waits or is resolved; only
    some of those rows are the customer reaching us or us answering. Rows the rule does not
    select are left out (counted in a note); ``minutes`` and ``channel`` then follow
    ``effort`` and ``constants`` as for any contact log.
    """

    event: str | None = Field(None, description="the file's column that names the event (needed by `events`)")
    per_thread: bool = Field(
        False, description="each thread's (ticket's) first event is the customer's inbound contact"
    )
    events: dict[str, Literal["in", "out"]] = Field(
        default_factory=dict,
        description="event -> direction: these events are contacts (once per thread when per_thread)",
    )

    @model_validator(mode="after")
    def _some_rule(self) -> ContactRule:
        if not self.per_thread and not self.events:
            raise ValueError("say which events are contacts: per_thread: true and/or events: {<event>: in or out}")
        if self.events and not self.event:
            raise ValueError("events needs event: <the file's column that names the event>")
        return self


_ARITHMETIC = re.compile(r"^\s*(?P<left>.+?)\s+(?P<op>[*/+-])\s+(?P<right>.+?)\s*$")


def split_arithmetic(expr: str) -> tuple[str, str, str] | None:
    """``'Quantity * UnitPrice'`` -> ``('Quantity', '*', 'UnitPrice')``; None if not that shape.

    The operator needs spaces around it, so column names may hold ``-`` (``Net-price``).

    Examples
    --------
    >>> split_arithmetic("Kpl * Yksikköhinta")
    ('Kpl', '*', 'Yksikköhinta')
    """
    m = _ARITHMETIC.match(expr)
    return (m["left"], m["op"], m["right"]) if m else None


class Data(_Section):
    dir: str = "data/sample"
    tables: dict[str, TableSource] = Field(default_factory=dict)
    accounts_from: Literal["interactions", "invoices"] | None = Field(
        None, description="no accounts file: the accounts are the distinct account ids of this table"
    )

    @field_validator("tables")
    @classmethod
    def _known_tables(cls, v: dict[str, TableSource]) -> dict[str, TableSource]:
        for name, src in v.items():
            if name not in TABLES:
                raise ValueError(f"unknown table {name!r}; the tables are {', '.join(TABLES)}")
            allowed = TABLES[name].columns
            for col in [*src.columns, *src.values, *src.derive, *src.constants, *src.credits]:
                if col not in allowed:
                    raise ValueError(
                        f"{name}: unknown canonical column {col!r}; "
                        f"map onto one of {', '.join(allowed)}"
                    )
            for col in src.derive:
                if allowed[col] != "float":
                    raise ValueError(f"{name}: derive gives numbers; {col!r} is not a number column")
            if src.credits and name != "invoices":
                raise ValueError(f"{name}: credits are for invoices only")
            if src.contacts is not None and name != "interactions":
                raise ValueError(f"{name}: contacts (an event log read as contacts) is for interactions only")
        return v

    def source(self, table: str) -> TableSource:
        return self.tables.get(table, TableSource())

    @property
    def path(self) -> Path:
        return resolve(self.dir)


class BusinessHours(_Section):
    start: dt.time = dt.time(8, 0)
    end: dt.time = dt.time(16, 0)
    weekdays: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri")

    @field_validator("weekdays")
    @classmethod
    def _days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [d for d in v if d.lower()[:3] not in WEEKDAYS]
        if bad:
            raise ValueError(f"unknown weekday {bad[0]!r}; use mon, tue, … sun")
        return tuple(d.lower()[:3] for d in v)

    @property
    def weekday_numbers(self) -> tuple[int, ...]:
        """ISO weekday numbers (Monday = 1)."""
        return tuple(WEEKDAYS.index(d) + 1 for d in self.weekdays)


class Effort(_Section):
    minutes_per_channel: dict[str, float] = Field(
        default_factory=lambda: {
            "email": 6, "phone": 12, "sms": 2, "chat": 5,
            "ticket": 15, "meeting": 60, "visit": 120,
        }
    )
    default_minutes: float = 5.0


class Spark(_Section):
    """Where ``engine: spark`` runs: ``master`` (``local[*]``, all cores of this machine, or
    a cluster's URL) and any other Spark setting in ``conf``."""

    master: str = "local[*]"
    conf: dict[str, str | int | float | bool] = {}


class Chasers(_Section):
    window_minutes: float = Field(60, gt=0)


class Leads(_Section):
    response_promise_hours: float = Field(1.0, gt=0)
    cold_after_hours: float = Field(48.0, gt=0)


class Kpis(_Section):
    new_customer_days: int = Field(365, gt=0, description="'new' = first seen within this many days")
    active_days: int = Field(365, gt=0, description="'active' = any interaction or invoice within")


class Costing(_Section):
    """Time-driven activity-based costing: what a minute of the team's time costs."""

    practical_capacity: float = Field(
        0.8, gt=0, le=1, description="share of paid hours available for work (breaks, training, admin excluded)"
    )
    paid_weeks_per_year: float = Field(52.0, gt=0, le=53)
    cost_per_hour: float = Field(60.0, ge=0, description="per paid hour, when the team table has no cost_per_hour")
    hours_per_week: float = Field(37.5, gt=0, description="paid hours, when the team table has none")


class Energy(_Section):
    """Energy: effort weighted by stress signals, the 80/20 and the drop-candidate rules."""

    after_hours_weight: float = Field(1.0, ge=0)
    off_day_weight: float = Field(2.0, ge=0)
    chaser_weight: float = Field(1.0, ge=0)
    complaint_weight: float = Field(3.0, ge=0)
    long_thread_weight: float = Field(0.5, ge=0)
    long_thread_messages: int = Field(8, gt=0)
    pareto_share: float = Field(0.8, gt=0, le=1)
    low_value_per_energy_hour: float | None = None
    min_tenure_days: int = Field(365, ge=0)
    refill_share: float | tuple[float, float, float] | None = Field(
        None, description="what-if: share of freed hours sold again; null = from the pace of new customers, "
                          "one share for every scenario, or [low, base, high]"
    )
    lower_touch_effort_cut: float = Field(0.4, ge=0, le=1)
    response_policy_cut: float = Field(0.5, ge=0, le=1)

    @field_validator("refill_share")
    @classmethod
    def _refill_share(cls, v: float | tuple[float, float, float] | None) -> float | tuple[float, float, float] | None:
        shares = (v,) if isinstance(v, float) else v or ()
        if not all(0 <= x <= 1 for x in shares):
            raise ValueError("refill_share must be between 0 and 1")
        if list(shares) != sorted(shares):
            raise ValueError("refill_share [low, base, high] must be in that order")
        return v


class CommitmentThresholds(_Section):
    entrenched: float = Field(75, ge=0, le=100)
    average: float = Field(55, ge=0, le=100)
    shallow: float = Field(35, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> CommitmentThresholds:
        if not self.shallow <= self.average <= self.entrenched:
            raise ValueError("thresholds must satisfy shallow <= average <= entrenched")
        return self


class CommitmentConfidence(_Section):
    min_tenure_days: int = Field(180, ge=0)
    min_events: int = Field(10, ge=0)
    min_evidence: float = Field(0.5, ge=0, le=1)
    min_evidence_high: float = Field(0.8, ge=0, le=1)


class CommitmentBacktest(_Section):
    cutoff: dt.date | None = None
    horizon_days: int = Field(180, gt=0)


#: The commitment indicators a weight may name (``workbench.commitment.INDICATORS`` says
#: what each measures); kept here so the schema needs nothing from the analyses.
INDICATOR_NAMES = (
    "tenure", "regularity", "recency", "outlook", "trend", "breadth",
    "satisfaction", "harmony", "engagement", "meetings", "contract",
)


class Commitment(_Section):
    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "tenure": 1.0, "regularity": 2.0, "recency": 1.0, "outlook": 2.0, "trend": 1.0, "breadth": 1.0,
            "satisfaction": 1.5, "harmony": 1.5, "engagement": 1.0, "meetings": 0.5, "contract": 1.0,
        }
    )
    contract_levels: dict[str, float] = Field(
        default_factory=lambda: {"retainer": 1.0, "subscription": 1.0, "project": 0.5, "ad hoc": 0.0}
    )
    fit_weights: bool = True
    thresholds: CommitmentThresholds = CommitmentThresholds()
    confidence: CommitmentConfidence = CommitmentConfidence()
    backtest: CommitmentBacktest = CommitmentBacktest()

    @field_validator("weights")
    @classmethod
    def _known_indicators(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if k not in INDICATOR_NAMES:
                raise ValueError(f"unknown indicator {k!r}; the indicators are {', '.join(INDICATOR_NAMES)}")
            if w < 0:
                raise ValueError(f"weight of {k!r} is negative; use 0 to leave an indicator out")
        if not any(w > 0 for w in v.values()):
            raise ValueError("at least one indicator needs a positive weight")
        return v


class Report(_Section):
    out_dir: str = "reports"
    notebooks: tuple[str, ...] | None = None
    cell_timeout_seconds: int = Field(600, gt=0)
    notebook_timeout_seconds: int = Field(1800, gt=0)
    keep_runs: int | None = Field(None, ge=1)
    plan_adopted: dt.date | None = Field(
        None, description="the day the client adopted the plan: `workbench history` marks it on the trend"
    )
    language: Literal["fi", "en"] = Field(
        "en", description="the language of everything the report shows, its exports and its statements"
    )
    pseudonymize: bool = False
    pseudonym_key: str = Field(
        "~/.config/workbench/pseudonym.key",
        description="file holding the key of the pseudonyms, outside the repository; made when missing",
    )


#: The signals a tier rule may name (see params/default.yaml, plan.tiers).
PLAN_SIGNALS = ("valuable", "loss_making", "dissatisfied", "committed", "open", "buys", "high_energy",
                "drop_candidate", "young")


class PlanTier(_Section):
    """One tier of the communication plan: who belongs, and how they are served."""

    name: str
    label_fi: str
    when: tuple[str, ...] = ()
    priority: int = Field(5, ge=1)
    cadence_weeks: int = Field(0, ge=0)
    channels: tuple[str, ...] = Field(("email",), min_length=1)
    response_hours: float = Field(8.0, gt=0)
    inbound_by: Literal["owner", "account_owner", "team"] = "account_owner"
    theme: str = ""
    theme_fi: str = ""

    @field_validator("when")
    @classmethod
    def _known_signals(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for rule in v:
            for term in rule.split(" and "):
                word = term.strip().removeprefix("not ").strip()
                if word not in PLAN_SIGNALS:
                    raise ValueError(f"unknown signal {word!r} in {rule!r}; the signals are {', '.join(PLAN_SIGNALS)}")
        return v


def _default_tiers() -> tuple[PlanTier, ...]:
    return (
        PlanTier(name="review", label_fi="arvioitavat", when=("drop_candidate",), priority=4,
                 cadence_weeks=0, channels=("meeting", "phone"), response_hours=16, inbound_by="team",
                 theme="Boundary conversation: response-time policy, repricing or a managed exit",
                 theme_fi="Pelisäännöt: vastausajat, hinnoittelu tai hallittu lopetus"),
        PlanTier(name="onboard", label_fi="aloittavat",
                 when=("young and high_energy and loss_making", "young and high_energy and dissatisfied"),
                 priority=1, cadence_weeks=2, channels=("meeting", "phone", "email"), response_hours=4,
                 inbound_by="account_owner",
                 theme="Settle in: agree what the service includes, the channels and our response times",
                 theme_fi="Aloitetaan hyvin: sovitaan, mitä palveluun kuuluu, mitä kanavia käytetään ja kuinka nopeasti vastaamme"),
        PlanTier(name="repair", label_fi="korjattavat",
                 when=("high_energy and loss_making", "high_energy and dissatisfied"), priority=1,
                 cadence_weeks=4, channels=("meeting", "phone"), response_hours=8, inbound_by="team",
                 theme="Repair or reprice: agree a service level and a price that covers the work",
                 theme_fi="Korjataan tai hinnoitellaan uudelleen: sovitaan palvelutaso ja hinta, joka kattaa työn"),
        PlanTier(name="develop", label_fi="kehitettävät",
                 when=("valuable and dissatisfied", "valuable and not committed"), priority=1,
                 cadence_weeks=2, channels=("meeting", "phone"), response_hours=4, inbound_by="account_owner",
                 theme="Earn their commitment: listen, put right what went wrong, agree what comes next",
                 theme_fi="Ansaitaan sitoutuminen: kuunnellaan, korjataan mikä meni vikaan, sovitaan jatko"),
        PlanTier(name="core", label_fi="ydinasiakkaat", when=("valuable and committed",), priority=3,
                 cadence_weeks=6, channels=("meeting", "phone", "email"), response_hours=4,
                 inbound_by="account_owner",
                 theme="Keep and deepen: ask how the year went, plan the next one together",
                 theme_fi="Pidetään ja syvennetään: kysytään, miten vuosi meni, suunnitellaan seuraava yhdessä"),
        PlanTier(name="grow", label_fi="kasvatettavat", when=("buys and open and not dissatisfied",), priority=2,
                 cadence_weeks=4, channels=("email", "phone", "meeting"), response_hours=8,
                 inbound_by="account_owner",
                 theme="Offer the next service that fits what they already buy",
                 theme_fi="Tarjotaan seuraavaa palvelua, joka sopii siihen mitä jo ostetaan"),
        PlanTier(name="grey mass", label_fi="harmaa massa", when=(), priority=5,
                 cadence_weeks=13, channels=("email", "phone"), response_hours=16, inbound_by="team",
                 theme="Get to know them: one contact, ask what they value",
                 theme_fi="Tutustutaan: yksi yhteydenotto, kysytään mitä arvostetaan"),
    )


class Plan(_Section):
    """The communication plan: tiers, the openness signal and the schedule's capacity."""

    tiers: tuple[PlanTier, ...] = Field(default_factory=_default_tiers)
    valuable_top_share: float = Field(0.3, gt=0, le=1)
    dissatisfied_score: float = 6.0
    dissatisfied_complaints: int = Field(2, ge=1)
    openness_weights: dict[str, float] = Field(
        default_factory=lambda: {"engagement": 1.0, "growth": 1.0, "room": 1.0, "satisfaction": 1.0}
    )
    open_threshold: float = Field(0.6, ge=0, le=1)
    horizon_weeks: int = Field(13, ge=1, le=104)
    proactive_share: float = Field(0.15, gt=0, le=1)
    prep_minutes: float = Field(10.0, ge=0)
    grey_mass_per_week: int = Field(5, ge=1)
    min_events_for_preference: int = Field(5, ge=1)
    owner_role: str = "owner"
    #: A response promise is proposed for publication only when at least this share of
    #: messages is answered within it today (see params/default.yaml for the reason).
    promise_kept_share: float = Field(0.8, gt=0.5, le=1.0)

    @field_validator("tiers")
    @classmethod
    def _catch_all_last(cls, v: tuple[PlanTier, ...]) -> tuple[PlanTier, ...]:
        # Every account must land in exactly one tier: first match wins, the last catches the rest.
        if not v:
            raise ValueError("give at least one tier")
        if v[-1].when or any(not t.when for t in v[:-1]):
            raise ValueError("only the last tier may have an empty 'when' (it takes every account left)")
        names = [t.name for t in v]
        if len(set(names)) != len(names):
            raise ValueError("tier names must be unique")
        return v

    @field_validator("tiers")
    @classmethod
    def _drop_candidates_first(cls, v: tuple[PlanTier, ...]) -> tuple[PlanTier, ...]:
        # A drop candidate is reviewed whatever else it is (valuable, committed, open): with
        # first match wins, that holds only if the first tier takes every drop candidate.
        if "drop_candidate" not in (r.strip() for r in v[0].when):
            raise ValueError(f"the first tier must hold the drop candidates: give it the rule 'drop_candidate' "
                             f"(the first tier is {v[0].name!r})")
        return v

    @field_validator("openness_weights")
    @classmethod
    def _known_parts(cls, v: dict[str, float]) -> dict[str, float]:
        parts = ("engagement", "growth", "room", "satisfaction")
        bad = [k for k in v if k not in parts]
        if bad:
            raise ValueError(f"unknown openness part {bad[0]!r}; the parts are {', '.join(parts)}")
        if not any(w > 0 for w in v.values()):
            raise ValueError("at least one openness part needs a positive weight")
        return v


class Params(_Section):
    """All parameters of a run.

    Examples
    --------
    >>> p = Params.model_validate({"client": {"name": "Acme Oy"}})
    >>> p.client.slug, p.engine
    ('acme-oy', 'duckdb')
    """

    client: Client = Client()
    as_of: dt.date | None = None
    engine: Literal["duckdb", "polars", "pandas", "spark"] = "duckdb"
    spark: Spark = Spark()
    data: Data = Data()
    business_hours: BusinessHours = BusinessHours()
    effort: Effort = Effort()
    chasers: Chasers = Chasers()
    leads: Leads = Leads()
    kpis: Kpis = Kpis()
    commitment: Commitment = Commitment()
    report: Report = Report()
    costing: Costing = Costing()
    energy: Energy = Energy()
    plan: Plan = Plan()

    @model_validator(mode="before")
    @classmethod
    def _language_moved(cls, data: Any) -> Any:
        # Params files written before report.language set it as client.language.
        if isinstance(data, dict) and isinstance(data.get("client"), dict) and "language" in data["client"]:
            client = dict(data["client"])
            report = dict(data.get("report") or {})
            report.setdefault("language", client.pop("language"))
            data = {**data, "client": client, "report": report}
        return data

    def with_overrides(
        self, *, data_dir: str | None = None, as_of: dt.date | None = None, pseudonymize: bool = False,
        language: str | None = None,
    ) -> Params:
        """Return a copy with CLI overrides applied.

        Parameters
        ----------
        data_dir : str, optional
            ``--data``: replaces ``data.dir`` only, relative to the current folder. The
            params file's table mapping (``data.tables``) still applies: a client's export
            keeps its file names and columns when a newer copy lands in another folder.
        as_of : date, optional
            ``--as-of``: replaces ``as_of``.
        pseudonymize : bool
            ``--pseudonymize``: sets ``report.pseudonymize`` (never clears it).
        language : str, optional
            ``--language``: replaces ``report.language``.

        Returns
        -------
        Params
            A new object; ``self`` is unchanged.
        """
        update: dict[str, Any] = {}
        if data_dir is not None:
            update["data"] = self.data.model_copy(update={"dir": str(resolve(data_dir, Path.cwd()))})
        if as_of is not None:
            update["as_of"] = as_of
        report: dict[str, Any] = {}
        if pseudonymize:
            report["pseudonymize"] = True
        if language is not None:
            report["language"] = Report.model_validate({"language": language}).language
        if report:
            update["report"] = self.report.model_copy(update=report)
        return self.model_copy(update=update)


class _Loader(yaml.SafeLoader):
    """YAML without implicit dates: pydantic parses them, so a bad one names its key."""


_Loader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _describe(err: dict[str, Any]) -> str:
    """One validation error as a sentence naming the key and the fix.

    An unknown key gets the closest valid key at its place, if one is close: the keys of
    the section it sits in, found by walking ``err["loc"]`` down :class:`Params` (through
    nested sections, ``data.tables.<table>`` and ``plan.tiers.<n>``).

    Examples
    --------
    >>> _describe({"type": "extra_forbidden", "loc": ("energy", "low_value_per_enrgy_hour")})
    "unknown key 'energy.low_value_per_enrgy_hour' (did you mean 'energy.low_value_per_energy_hour'?). \
Fix: check its spelling against params/default.yaml"
    """
    import difflib
    import types
    import typing

    def section(tp: Any) -> Any:
        # `X | None` holds the section X; a union of several models cannot say which.
        if typing.get_origin(tp) in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            return args[0] if len(args) == 1 else None
        return tp

    def is_model(tp: Any) -> bool:
        return isinstance(tp, type) and issubclass(tp, BaseModel)

    key = ".".join(str(p) for p in err["loc"]) or "(top level)"
    if err["type"] == "extra_forbidden":
        *path, word = err["loc"] or ("",)
        here: Any = Params
        for part in path:
            here = section(here)
            if is_model(here):
                field = here.model_fields.get(str(part))
                here = field.annotation if field else None
            elif typing.get_origin(here) is dict:  # data.tables.<table>: the part is a key
                here = typing.get_args(here)[1]
            elif typing.get_origin(here) in (tuple, list):  # plan.tiers.<n>: the part is an index
                here = typing.get_args(here)[0]
            else:
                here = None
        here = section(here)
        close = difflib.get_close_matches(str(word).lower(), list(here.model_fields), n=1) if is_model(here) else []
        hint = f" (did you mean {'.'.join([*map(str, path), close[0]])!r}?)" if close else ""
        return f"unknown key {key!r}{hint}. Fix: check its spelling against params/default.yaml"
    msg = err["msg"].removeprefix("Value error, ")
    got = err.get("input")
    got_s = f" (got {got!r})" if got is not None and not isinstance(got, dict) else ""
    return f"key {key!r}: {msg}{got_s}. Fix: see the comment on {key.split('.')[-1]!r} in params/default.yaml"


def _read_yaml(file: Path) -> dict[str, Any]:
    try:
        raw = yaml.load(file.read_text(encoding="utf-8"), Loader=_Loader) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(f"{file.name}{where}: not valid YAML ({getattr(e, 'problem', e)}). Fix: check indentation and quoting") from None
    if not isinstance(raw, dict):
        raise ParamsError(f"{file.name}: expected a mapping of sections at the top level. Fix: start from params/default.yaml")
    return raw


def _merged(base: dict[str, Any], over: dict[str, Any], where: str = "") -> dict[str, Any]:
    """``over`` laid on ``base``: mappings merge key by key; a list or a value replaces.

    A mapping laid on a list of named entries (``plan.tiers``) changes the entries it
    names, key by key, and keeps the list's order: ``tiers: {grey mass: {cadence_weeks: 8}}``.

    Examples
    --------
    >>> _merged({"plan": {"tiers": [{"name": "a", "x": 1}, {"name": "b", "x": 2}]}},
    ...         {"plan": {"tiers": {"b": {"x": 3}}}})
    {'plan': {'tiers': [{'name': 'a', 'x': 1}, {'name': 'b', 'x': 3}]}}
    """
    out = dict(base)
    for k, v in over.items():
        below = out.get(k)
        if isinstance(v, dict) and isinstance(below, dict):
            out[k] = _merged(below, v, f"{where}{k}.")
        elif isinstance(v, dict) and isinstance(below, list) and all(isinstance(e, dict) and "name" in e for e in below):
            names = [e["name"] for e in below]
            unknown = [n for n in v if n not in names]
            if unknown:
                raise ParamsError(f"{where}{k}: no entry named {unknown[0]!r} to change; the names are "
                                  f"{', '.join(map(repr, names))}. Fix: name one of them, or give the whole list")
            out[k] = [_merged(e, v[e["name"]], f"{where}{k}.{e['name']}.") if e["name"] in v else e for e in below]
        else:
            out[k] = v
    return out


def _read_extending(file: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    """A params file's mapping with the file it ``extends`` (relative to its own folder)
    beneath it, through any chain of such files."""
    raw = _read_yaml(file)
    base = raw.pop("extends", None)
    if base is None:
        return raw
    if not isinstance(base, str) or not base.strip():
        raise ParamsError(f"{file.name}: extends must name a params file, e.g. extends: default.yaml")
    under = (file.parent / base).resolve()
    if under in seen or under == file.resolve():
        raise ParamsError(f"{file.name}: extends {base!r} leads back to itself. Fix: extend a file that does not "
                          f"extend this one")
    if not under.is_file():
        raise ParamsError(f"{file.name}: extends {base!r}, which is not there ({under}). Fix: name the params file "
                          f"this one changes, relative to {file.parent}")
    return _merged(_read_extending(under, (*seen, file.resolve())), raw)


def load_params(path: str | Path, **overrides: Any) -> Params:
    """Read and validate a parameter file.

    A file that begins with ``extends: <file>`` (relative to its own folder) holds only what
    differs from that file: mappings merge key by key, a list or a value replaces (the
    explorer saves what was agreed at the table this way).

    Parameters
    ----------
    path : str or Path
        YAML file, relative paths resolved against the repository root.
    **overrides
        Passed to :meth:`Params.with_overrides` (``data_dir``, ``as_of``).

    Raises
    ------
    ParamsError
        One line naming the file, the key and the fix.

    Examples
    --------
    >>> load_params("params/default.yaml").client.timezone
    'Europe/Helsinki'
    """
    file = resolve(path, Path.cwd()) if Path(path).exists() else resolve(path)
    if not file.is_file():
        raise ParamsError(f"{path}: parameter file not found. Fix: give an existing file, e.g. params/default.yaml")
    raw = _read_extending(file, ())
    tiers = (raw.get("plan") or {}).get("tiers") if isinstance(raw.get("plan"), dict) else None
    if isinstance(tiers, dict):  # changes to tiers a file extends but never lists: the default tiers
        defaults = [t.model_dump(mode="json") for t in _default_tiers()]
        raw = {**raw, "plan": _merged(raw["plan"], {"tiers": tiers}) | _merged({"tiers": defaults}, {"tiers": tiers})}
    try:
        params = Params.model_validate(raw)
    except ValidationError as e:
        raise ParamsError(f"{file.name}: {_describe(e.errors()[0])}") from None
    return params.with_overrides(**overrides) if overrides else params
