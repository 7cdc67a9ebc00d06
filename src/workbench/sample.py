"""A deterministic synthetic sample portfolio with planted truth.

The sample is a small Finnish accounting and IT-services firm (a *tilitoimisto* that also
runs payroll and IT support) with a few hundred customer accounts over two years. It is
written in the canonical tables of :mod:`workbench.schema` and looks like a real export:
an office-hours rhythm (Mon–Fri 8–16 in Helsinki) with an after-hours tail, quiet Finnish
public holidays, seasonality (busy January–April for the year-end accounts, a quiet July,
a December dip), missing values, equal timestamps (batch mailings, minute-resolution
phone logs), accounts that start during the window and accounts that stop buying.

Every account belongs to one planted *archetype* (written to ``truth.csv``, which no
analysis reads; tests use it to check that the analyses recover it):

``core``
    committed: long tenure, regular invoices, high NPS, answers our outbound contact,
    attends meetings, steady or growing revenue, active to the end.
``grey``
    sporadic purchases, few interactions, seldom answers, some churn.
``dissatisfied``
    valuable but dissatisfied: high revenue and long tenure, yet low recent NPS,
    recent complaints and a declining revenue trend.
``open``
    open to additional services: committed-ish, asks about new services
    ("Kysymys palkanlaskennasta") and its breadth of services grows.
``new``
    became a customer within the last ~6 months (each came from a converted lead).
``drainer``
    energy drainer: after-hours bursts and *chasers* (an e-mail on Sunday at 16:00,
    another ten minutes later, then an SMS asking whether our e-mail works), complaints,
    long back-and-forth threads, many phone calls, thin or negative margins. A couple of
    drainers are ``protected`` (strategic or reference customers) and must not be
    suggested for dropping.

Every signal is a tendency with overlap: no single column of ``accounts`` gives the
archetype away, core accounts sometimes e-mail on a Sunday, grey accounts sometimes
complain, some committed customers call often; the drainers' margins vary.

Only reserved ``.example`` domains (RFC 2606) are used for e-mail addresses.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import holidays
import numpy as np
import pandas as pd
from faker import Faker

__all__ = ["ARCHETYPES", "TABLE_NAMES", "generate_sample", "write_sample"]

TZ_NAME = "Europe/Helsinki"
TABLE_NAMES = ("accounts", "interactions", "invoices", "surveys", "leads", "team", "truth")

DAY = 1440.0  # minutes
BH_START = 8 * 60.0
BH_END = 16 * 60.0

#: Month factors of activity (an accounting firm: year-end closing Jan–Apr, quiet July).
SEASON = np.array([1.25, 1.35, 1.35, 1.25, 1.0, 0.85, 0.42, 0.85, 1.05, 1.0, 0.95, 0.7])
#: Weekday factors of business-day activity (Monday busiest, Friday lightest).
DOW = np.array([1.15, 1.05, 1.0, 1.0, 0.8, 0.0, 0.0])
#: Relative activity in each office hour 8..15.
_HOUR_CUM = np.cumsum([0.8, 1.2, 1.25, 1.05, 0.75, 1.0, 1.0, 0.75])
_HOUR_CUM = _HOUR_CUM / _HOUR_CUM[-1]

SEGMENTS = ("rakennus", "kiinteistö", "terveys", "ravintola", "IT", "kauppa", "kuljetus",
            "teollisuus", "hyvinvointi")
SEGMENT_P = np.array([0.15, 0.1, 0.11, 0.11, 0.1, 0.16, 0.09, 0.09, 0.09])
_SEGMENT_WORDS = {
    "rakennus": ("Rakennus", "Rakennuspalvelu", "Remontti", "Bygg"),
    "kiinteistö": ("Kiinteistöt", "Isännöinti", "Kiinteistöpalvelu", "Fastighet"),
    "terveys": ("Terveys", "Klinikka", "Fysioterapia", "Hammaslääkärit"),
    "ravintola": ("Ravintola", "Bistro", "Kahvila", "Catering"),
    "IT": ("IT", "Data", "Solutions", "Digital"),
    "kauppa": ("Kauppa", "Tukku", "Trading", "Handel"),
    "kuljetus": ("Kuljetus", "Logistiikka", "Transport", "Rahti"),
    "teollisuus": ("Metalli", "Konepaja", "Puu", "Tekniikka"),
    "hyvinvointi": ("Hyvinvointi", "Kauneus", "Parturi", "Liikunta"),
}
CONTRACTS = ("retainer", "subscription", "project", "ad hoc")
LANGUAGES = ("fi", "sv", "en")

#: Monthly list price (EUR) of each recurring service, and one-off services.
MONTHLY_PRICE = {"kirjanpito": 260.0, "palkanlaskenta": 160.0, "IT-tuki": 220.0, "laskutus": 90.0}
ONEOFF_PRICE = {"tilinpäätös": 950.0, "veroneuvonta": 280.0, "konsultointi": 600.0}
RECURRING = tuple(MONTHLY_PRICE)
RECURRING_P = np.array([0.9, 0.45, 0.22, 0.15])

LEAD_SOURCES = ("web form", "phone", "referral", "event", "email", "partner")
LEAD_SOURCE_P = np.array([0.36, 0.2, 0.2, 0.09, 0.1, 0.05])


@dataclass(frozen=True)
class _Profile:
    """Behavioural tendencies of one archetype (all rates per active month unless noted)."""

    share: float
    committed: bool
    tenure: tuple[float, float]  # years before the window start, for accounts older than it
    late_start: float  # share that became customers inside the window
    contract: tuple[float, float, float, float]  # retainer, subscription, project, ad hoc
    cadence: tuple[float, float, float]  # monthly, quarterly, sporadic invoicing
    size: float  # median price multiplier
    cost_ratio: tuple[float, float]  # direct cost / amount, uniform range
    growth: tuple[float, float]  # revenue growth per year: mean, sd
    churn: float  # share that stops buying inside the window
    questions: float  # inbound question threads
    calls: float  # single inbound phone calls
    bursts: float  # after-hours chaser bursts
    complaints: float  # complaint threads
    after_hours: float  # share of customer-initiated contact outside office hours
    extra_rounds: float  # mean extra back-and-forth rounds in a thread
    chase: float  # chance of another inbound before we have answered
    followup_min: float  # median minutes before the customer answers us within a thread
    reply: float  # chance of answering our outbound contact
    reply_hours: float  # median hours before that answer
    routine: float  # chance of a monthly material reminder being sent (monthly/quarterly)
    meetings: float  # meeting invitations
    attend: float  # chance an invitation ends in a meeting
    visits: float  # customer visits per year
    outreach: float  # our check-in calls and e-mails
    inquiries: float  # questions about additional services
    nps: tuple[float, float]  # mean, sd of the NPS answer
    survey: float  # chance of answering a survey wave
    sentiment: float  # mean sentiment of inbound messages
    phone: float  # share of phone among customer-initiated threads
    minutes_factor: float  # how long their contacts take, relative to others
    protected: float  # share marked protected


PROFILES: dict[str, _Profile] = {
    "core": _Profile(
        share=0.29, committed=True, tenure=(2, 15), late_start=0.08,
        contract=(0.38, 0.3, 0.17, 0.15), cadence=(0.72, 0.28, 0.0), size=1.2,
        cost_ratio=(0.4, 0.6), growth=(0.06, 0.05), churn=0.0,
        questions=0.9, calls=0.5, bursts=0.02, complaints=0.02, after_hours=0.07,
        extra_rounds=0.6, chase=0.03, followup_min=200, reply=0.85, reply_hours=5,
        routine=0.7, meetings=0.3, attend=0.9, visits=1.0, outreach=0.2, inquiries=0.02,
        nps=(9.0, 1.0), survey=0.65, sentiment=0.4, phone=0.2, minutes_factor=1.0,
        protected=0.1,
    ),
    "grey": _Profile(
        share=0.345, committed=False, tenure=(0.5, 10), late_start=0.25,
        contract=(0.12, 0.18, 0.3, 0.4), cadence=(0.05, 0.2, 0.75), size=0.8,
        cost_ratio=(0.45, 0.7), growth=(0.0, 0.12), churn=0.3,
        questions=0.3, calls=0.2, bursts=0.01, complaints=0.02, after_hours=0.1,
        extra_rounds=0.4, chase=0.03, followup_min=400, reply=0.2, reply_hours=30,
        routine=0.3, meetings=0.05, attend=0.35, visits=0.05, outreach=0.12, inquiries=0.01,
        nps=(6.8, 2.0), survey=0.2, sentiment=0.1, phone=0.25, minutes_factor=1.0,
        protected=0.02,
    ),
    "dissatisfied": _Profile(
        share=0.055, committed=False, tenure=(5, 18), late_start=0.0,
        contract=(0.35, 0.25, 0.28, 0.12), cadence=(0.8, 0.2, 0.0), size=3.4,
        cost_ratio=(0.45, 0.6), growth=(-0.3, 0.08), churn=0.0,
        questions=1.1, calls=0.7, bursts=0.05, complaints=0.06, after_hours=0.12,
        extra_rounds=1.2, chase=0.06, followup_min=150, reply=0.5, reply_hours=14,
        routine=0.6, meetings=0.25, attend=0.6, visits=0.5, outreach=0.25, inquiries=0.0,
        nps=(7.0, 1.2), survey=0.6, sentiment=0.1, phone=0.3, minutes_factor=1.2,
        protected=0.12,
    ),
    "open": _Profile(
        share=0.085, committed=True, tenure=(1.5, 10), late_start=0.12,
        contract=(0.3, 0.3, 0.22, 0.18), cadence=(0.75, 0.25, 0.0), size=1.1,
        cost_ratio=(0.4, 0.6), growth=(0.1, 0.05), churn=0.0,
        questions=0.9, calls=0.45, bursts=0.02, complaints=0.02, after_hours=0.08,
        extra_rounds=0.7, chase=0.03, followup_min=200, reply=0.8, reply_hours=6,
        routine=0.65, meetings=0.3, attend=0.85, visits=0.6, outreach=0.25, inquiries=0.0,
        nps=(8.7, 1.1), survey=0.6, sentiment=0.4, phone=0.2, minutes_factor=1.0,
        protected=0.05,
    ),
    "new": _Profile(
        share=0.09, committed=False, tenure=(0, 0), late_start=1.0,
        contract=(0.3, 0.3, 0.2, 0.2), cadence=(0.7, 0.2, 0.1), size=0.9,
        cost_ratio=(0.5, 0.7), growth=(0.0, 0.05), churn=0.0,
        questions=1.0, calls=0.45, bursts=0.03, complaints=0.02, after_hours=0.1,
        extra_rounds=0.7, chase=0.05, followup_min=180, reply=0.7, reply_hours=8,
        routine=0.6, meetings=0.2, attend=0.8, visits=0.3, outreach=0.3, inquiries=0.03,
        nps=(8.0, 1.5), survey=0.5, sentiment=0.3, phone=0.25, minutes_factor=1.0,
        protected=0.0,
    ),
    "drainer": _Profile(
        share=0.135, committed=False, tenure=(0.7, 8), late_start=0.2,
        contract=(0.2, 0.2, 0.25, 0.35), cadence=(0.45, 0.15, 0.4), size=0.55,
        cost_ratio=(0.82, 1.1), growth=(-0.05, 0.1), churn=0.22,
        questions=0.9, calls=1.8, bursts=0.35, complaints=0.15, after_hours=0.45,
        extra_rounds=2.0, chase=0.25, followup_min=45, reply=0.35, reply_hours=20,
        routine=0.5, meetings=0.1, attend=0.5, visits=0.05, outreach=0.1, inquiries=0.01,
        nps=(5.0, 2.2), survey=0.35, sentiment=-0.3, phone=0.45, minutes_factor=1.5,
        protected=0.05,
    ),
}
ARCHETYPES: tuple[str, ...] = tuple(PROFILES)

# ------------------------------------------------------------------ texts (Finnish)

_Q_SUBJECTS = {
    "kirjanpito": ("Kysymys laskusta", "Kuitti puuttuu", "Ostolaskujen hyväksyntä",
                   "Verottajan kirje", "Ennakkoveron muutos", "ALV-kysymys", "Tiliotteet",
                   "Matkalaskut", "Kassatapahtumat", "Poistot", "Investointi",
                   "Pankkiyhteys", "Myyntisaamiset", "Tositteet"),
    "palkanlaskenta": ("Palkka-aineisto", "Lomarahat", "Uusi työntekijä",
                       "Työsuhteen päättyminen", "Sairausloma", "Palkkalaskelma",
                       "Tulorekisteri-ilmoitus", "Verokortti", "Lomapalkka"),
    "IT-tuki": ("Salasana ei toimi", "VPN-yhteys", "Tulostin ei toimi", "Uusi läppäri",
                "Teams-ongelma", "Varmuuskopio", "Sähköposti ei toimi", "Lisenssit"),
    "laskutus": ("Myyntilaskut", "Laskun muistutus", "E-laskuosoite"),
    "": ("Kysymys", "Aikataulu", "Yhteystiedot muuttuneet", "Tapaaminen?", "Sopimus",
         "Valtakirja", "Kysymys sopimuksesta"),
}
_COMPLAINTS = ("Reklamaatio: virhe laskussa", "Virhe palkanlaskennassa",
               "Miksi ALV-ilmoitus on myöhässä?", "Emme ole saaneet vastausta",
               "Laskutus on väärin", "Tyytymätön palveluun", "Myöhästymismaksu teidän virheestä",
               "Virheellinen palkkalaskelma", "Tietokone edelleen rikki", "Vastausta ei kuulu")
_BURST_FIRST = ("KIIREELLINEN", "Kiire", "Tärkeä asia", "Heti maanantaina")
_BURST_SECOND = ("Lisäys edelliseen", "Vielä yksi asia", "Unohdin mainita", "Vastatkaa pian")
_BURST_SMS = ("Toimiiko teidän sähköposti?", "Saitteko viestini?", "Soittakaa heti",
              "Onko siellä ketään?")
_FORGOT = ("Liite unohtui", "Unohtui liite", "Korjattu liite")
_INQUIRY = {
    "kirjanpito": ("Kysymys kirjanpidosta", "Voisitteko hoitaa kirjanpidon?"),
    "palkanlaskenta": ("Kysymys palkanlaskennasta", "Tarjouspyyntö: palkanlaskenta",
                       "Voisitteko hoitaa myös palkat?"),
    "IT-tuki": ("Voisitteko hoitaa myös IT-tuen?", "Tarjouspyyntö: IT-tuki",
                "Kysymys IT-tuesta"),
    "laskutus": ("Kysymys laskutuspalvelusta", "Kiinnostaisi laskutuspalvelu"),
    "veroneuvonta": ("Tarvitsisimme veroneuvontaa", "Kysymys veroneuvonnasta"),
    "konsultointi": ("Tarjouspyyntö: konsultointi", "Kiinnostaisi talousneuvonta"),
}
_ROUTINE = ("Muistutus: kuukauden aineistot", "Palkka-aineisto", "ALV-ilmoitus",
            "Kuukausiraportti")
_MEETINGS = ("Kvartaalikatsaus", "Tilinpäätöspalaveri", "Budjettipalaveri", "Vuosipalaveri")
_OUTREACH = ("Kuulumisia", "Vuodenvaihteen aikataulut", "Tilinpäätöksen aikataulu",
             "Miten menee?", "Palautetta palvelusta?")
_TERMINATION = ("Sopimuksen irtisanominen", "Palvelun lopettaminen", "Irtisanomisilmoitus")
_ONBOARDING = ("Tervetuloa asiakkaaksi", "Valtakirjat", "Aineistojen siirto",
               "Tunnukset ja käyttöoikeudet")
_THANKS = ("Kiitos!", "Selvä, kiitos", "Kiitos nopeasta vastauksesta")
#: Chance that a customer thanks us after our last answer in a thread.
_THANKS_P = {"core": 0.3, "grey": 0.08, "dissatisfied": 0.08, "open": 0.3, "new": 0.3,
             "drainer": 0.05}

_COMMENTS = {
    "fi": {
        "high": ("Nopea ja asiantunteva palvelu.", "Kiitos hyvästä yhteistyöstä!",
                 "Aina tavoitettavissa.", "Luotettava kumppani.", "Hyvä palvelu, suosittelen.",
                 "Selkeät raportit."),
        "mid": ("Ihan ok.", "Laskutus voisi olla selkeämpi.", "Vastaukset tulevat joskus hitaasti.",
                "Hinta-laatusuhde kohtuullinen.", "Toimii pääosin hyvin."),
        "low": ("Vastauksia joutuu odottamaan.", "Virheitä palkanlaskennassa.", "Liian kallis.",
                "Yhteyshenkilö vaihtuu jatkuvasti.", "En ole tyytyväinen.",
                "Asiat hoituvat hitaasti.", "Emme saa tietoa ajoissa."),
        "more": ("Olisi kiva kuulla muista palveluista.", "Voisimmeko laajentaa yhteistyötä?",
                 "Kiinnostaa myös palkanlaskenta."),
    },
    "sv": {
        "high": ("Bra service.", "Snabba svar."), "mid": ("Helt okej.",),
        "low": ("Långsam service.", "För dyrt."), "more": ("Intresserad av fler tjänster.",),
    },
    "en": {
        "high": ("Great service.", "Always helpful."), "mid": ("Fine overall.",),
        "low": ("Slow responses.", "Too expensive."), "more": ("Keen to hear about payroll.",),
    },
}

_CHANNEL_MINUTES = {  # median, log-sd, share missing
    "email": (5.0, 0.6, 0.7), "phone": (9.0, 0.6, 0.15), "sms": (1.5, 0.4, 0.9),
    "chat": (6.0, 0.5, 0.5), "ticket": (15.0, 0.6, 0.3),
}

# ------------------------------------------------------------------ helpers


def _ascii_slug(text: str) -> str:
    """Lower-case ASCII slug: ä→a, ö→o, å→a, other accents dropped, runs of others → '-'."""
    t = text.lower().replace("ä", "a").replace("ö", "o").replace("å", "a")
    t = unicodedata.normalize("NFKD", t).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


def _local_part(person: str) -> str:
    return ".".join(_ascii_slug(p).replace("-", "") for p in person.split())


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))


def _counts(n: int, shares: list[float]) -> list[int]:
    """Largest-remainder rounding of ``n * shares`` (ties to the earlier entry)."""
    raw = [n * s for s in shares]
    out = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: n - sum(out)]:
        out[i] += 1
    return out


class _Calendar:
    """Days of the window (plus a margin after it) with business-time arithmetic.

    Times are minutes since local midnight of the window's first day, on the local
    wall clock of Europe/Helsinki.
    """

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.n_days = (end - start).days + 1  # days inside the window
        total = self.n_days + 120
        days = [start + dt.timedelta(days=i) for i in range(total)]
        fi = holidays.country_holidays("FI", years=range(start.year, days[-1].year + 1))
        self.dates = days
        self.weekday = np.array([d.weekday() for d in days])
        self.month = np.array([d.month for d in days])
        self.holiday = np.array([d in fi for d in days])
        self.business = (self.weekday < 5) & ~self.holiday
        self.season = SEASON[self.month - 1]
        nbd = np.empty(total + 1, dtype=np.int64)
        nxt = total + 10  # beyond the margin: never reached in practice
        for i in range(total - 1, -1, -1):
            if self.business[i]:
                nxt = i
            nbd[i] = nxt
        nbd[total] = nxt
        self.nbd = nbd
        self.first_bdays: dict[tuple[int, int], list[int]] = {}
        for i in range(total):
            if self.business[i]:
                self.first_bdays.setdefault((days[i].year, days[i].month), []).append(i)

    def day(self, d: dt.date) -> int:
        return (d - self.start).days

    def in_hours(self, t: float) -> bool:
        d = int(t // DAY)
        m = t - d * DAY
        return bool(0 <= d < len(self.business) and self.business[d] and BH_START <= m < BH_END)

    def next_business(self, t: float) -> float:
        """``t`` if inside office hours, else the next opening (08:00 of a business day)."""
        d = int(t // DAY)
        m = t - d * DAY
        if d >= len(self.business):
            return t
        if self.business[d]:
            if m < BH_START:
                return d * DAY + BH_START
            if m < BH_END:
                return t
        return self.nbd[min(d + 1, len(self.nbd) - 1)] * DAY + BH_START

    def add_business(self, t: float, minutes: float) -> float:
        """``t`` plus ``minutes`` of office time."""
        t = self.next_business(t)
        for _ in range(400):
            d = int(t // DAY)
            if d >= len(self.business):
                return t + minutes
            left = d * DAY + BH_END - t
            if minutes < left:
                return t + minutes
            minutes -= left
            t = self.nbd[min(d + 1, len(self.nbd) - 1)] * DAY + BH_START
        return t


# ------------------------------------------------------------------ the event log


class _Log:
    """Interactions as parallel lists, appended while simulating."""

    def __init__(self) -> None:
        self.acc: list[int] = []
        self.t: list[float] = []
        self.channel: list[str] = []
        self.direction: list[str] = []
        self.minutes: list[float] = []
        self.who: list[str | None] = []
        self.thread: list[int] = []
        self.complaint: list[bool] = []
        self.sentiment: list[float] = []
        self.subject: list[str | None] = []
        self.n_threads = 0

    def new_thread(self) -> int:
        self.n_threads += 1
        return self.n_threads

    def add(self, acc: int, t: float, channel: str, direction: str, who: str | None,
            thread: int, subject: str | None, minutes: float = math.nan,
            complaint: bool = False, sentiment: float = math.nan) -> None:
        self.acc.append(acc)
        self.t.append(t)
        self.channel.append(channel)
        self.direction.append(direction)
        self.minutes.append(minutes)
        self.who.append(who)
        self.thread.append(thread)
        self.complaint.append(complaint)
        self.sentiment.append(sentiment)
        self.subject.append(subject)


@dataclass
class _Account:
    idx: int
    arch: str
    prof: _Profile
    owner: str
    since_day: int  # relative to the window start (negative = before it)
    a0: int  # first active day in the window
    a1: int  # last active day (churn day or the window's last day)
    churn_day: int | None
    services: list[tuple[str, int, int]]  # (service, from day, to day) recurring lines
    cadence: str
    quarter_offset: int
    size: float
    cost_ratio: float
    growth: float
    language: str


class _Sim:
    """Simulates the contact history of one account into the shared log."""

    def __init__(self, cal: _Calendar, log: _Log, team: dict[str, object],
                 acc: _Account, rng: np.random.Generator) -> None:
        self.cal, self.log, self.team, self.a, self.rng = cal, log, team, acc, rng
        self.p = acc.prof
        idx = np.arange(acc.a0, acc.a1 + 1)
        self.idx = idx
        years = idx / 365.25
        w = cal.season[idx] * np.exp(0.5 * acc.growth * years)
        if acc.since_day >= 0:  # onboarding: busy first weeks
            w = w * (1.0 + 2.0 * np.exp(-(idx - acc.since_day) / 45.0))
        if acc.churn_day is not None:  # fading interest before leaving
            fade = np.clip((acc.churn_day - idx) / 150.0, 0.0, 1.0)
            w = w * (0.3 + 0.7 * fade)
        self.w = w
        self.wb = w * cal.business[idx] * DOW[cal.weekday[idx]]
        off = ~cal.business[idx]
        self.wa = w * np.where(off, np.where(cal.weekday[idx] == 6, 1.5, 1.0), 0.45)
        self.months_b = float(self.wb.sum()) / 21.0

    # -- time pickers -------------------------------------------------------------

    def _days(self, weights: np.ndarray, n: int) -> np.ndarray:
        if n <= 0 or weights.sum() <= 0:
            return np.empty(0, dtype=np.int64)
        cum = np.cumsum(weights)
        pos = np.searchsorted(cum, self.rng.random(n) * cum[-1], side="right")
        return self.idx[np.minimum(pos, len(self.idx) - 1)]

    def _office_time(self, d: int) -> float:
        h = int(np.searchsorted(_HOUR_CUM, self.rng.random(), side="right"))
        return d * DAY + BH_START + 60.0 * min(h, 7) + self.rng.uniform(0, 60)

    def _after_time(self, d: int) -> float:
        r = self.rng
        if self.cal.business[d]:
            if r.random() < 0.15:
                m = r.uniform(6 * 60, BH_START)
            else:
                m = min(BH_END + r.exponential(150.0), 22.7 * 60)
        else:
            m = float(np.clip(r.normal(15.5 * 60, 170.0), 8.5 * 60, 22.5 * 60))
        return d * DAY + m

    def _cust_time(self, t: float, delay: float) -> float:
        """When the customer acts ``delay`` minutes after ``t``, in their own rhythm."""
        t2 = t + delay
        if self.cal.in_hours(t2):
            return t2
        m = t2 % DAY
        if self.rng.random() < self.p.after_hours and 6 * 60 <= m < 22.8 * 60:
            return t2
        return self.cal.next_business(t2) + self.rng.uniform(0, 150)

    def _our_time(self, t: float, median: float = 100.0) -> float:
        """When we answer something that arrived at ``t``."""
        r = self.rng
        if not self.cal.in_hours(t):
            boss_evening = 0.18 if self.a.arch == "drainer" else 0.03
            if r.random() < boss_evening and (t % DAY) < 22 * 60:
                return t + r.uniform(8, 90)
        return self.cal.add_business(t, r.lognormal(math.log(median), 1.0) + 2.0)

    # -- people and measures ------------------------------------------------------

    def _who(self, kind: str) -> str | None:
        r, a, tm = self.rng, self.a, self.team
        if r.random() < 0.02:
            return None
        x = r.random()
        if kind == "in":
            if x < 0.55:
                return a.owner
            if x < 0.85 and tm["assistant"]:
                return str(r.choice(tm["assistant"]))
            return str(r.choice(tm["members"]))
        if kind == "late":
            return tm["boss"] if x < 0.6 else a.owner
        if kind == "routine":
            return str(r.choice(tm["assistant"])) if (tm["assistant"] and x < 0.75) else a.owner
        if kind == "batch":
            return tm["assistant"][0] if tm["assistant"] else tm["boss"]
        if kind == "meet":
            return a.owner if x < 0.9 else tm["boss"]
        return a.owner if x < 0.75 else str(r.choice(tm["members"]))  # our replies

    def _minutes(self, channel: str, direction: str) -> float:
        med, sd, miss = _CHANNEL_MINUTES.get(channel, (5.0, 0.5, 0.5))
        if self.rng.random() < miss:
            return math.nan
        f = self.p.minutes_factor if direction == "in" or channel == "phone" else 1.0
        return round(float(self.rng.lognormal(math.log(med * f), sd)), 1)

    def _sentiment(self, channel: str, complaint: bool, t: float) -> float:
        r = self.rng
        if r.random() > (0.2 if channel == "phone" else 0.38):
            return math.nan
        mu = self.p.sentiment
        if self.a.arch == "dissatisfied" and t / DAY > self.cal.n_days - 240:
            mu = -0.35
        if complaint:
            mu -= 0.55
        return round(float(np.clip(r.normal(mu, 0.3), -1.0, 1.0)), 2)

    def _in(self, t: float, channel: str, thread: int, subject: str | None,
            complaint: bool = False) -> None:
        self.log.add(self.a.idx, t, channel, "in", self._who("in"), thread, subject,
                     self._minutes(channel, "in"), complaint,
                     self._sentiment(channel, complaint, t))

    def _out(self, t: float, channel: str, thread: int, subject: str | None,
             kind: str = "reply", minutes: float | None = None) -> None:
        who = self._who("late" if not self.cal.in_hours(t) and kind == "reply" else kind)
        mins = self._minutes(channel, "out") if minutes is None else minutes
        self.log.add(self.a.idx, t, channel, "out", who, thread, subject, mins)

    def _subject(self, pool: tuple[str, ...]) -> str:
        return str(pool[int(self.rng.integers(len(pool)))])

    def _topic(self) -> str:
        lines = [s for s, lo, hi in self.a.services if lo <= self.a.a1]
        use_line = bool(lines) and self.rng.random() < 0.8
        pool = _Q_SUBJECTS[str(self.rng.choice(lines))] if use_line else _Q_SUBJECTS[""]
        return self._subject(pool)

    # -- episodes -----------------------------------------------------------------

    def _thread(self, t: float, channel: str, subject: str, *, complaint: bool = False,
                extra: float | None = None, thread: int | None = None,
                first_sent: bool = False) -> None:
        """A customer-initiated thread: rounds of their message(s) and our answer."""
        r, p = self.rng, self.p
        th = self.log.new_thread() if thread is None else thread
        rounds = 1 + int(r.poisson(p.extra_rounds if extra is None else extra))
        for k in range(rounds):
            if not (k == 0 and first_sent):
                subj = subject if k == 0 else (
                    f"Re: {subject}" if channel == "email" else
                    (None if channel == "phone" and r.random() < 0.5 else subject))
                self._in(t, channel, th, subj,
                         complaint=complaint and (k == 0 or r.random() < 0.35))
            if r.random() < p.chase:  # another one before we have answered
                t += r.uniform(4, 40)
                ch2 = "email" if r.random() < 0.5 else ("sms" if r.random() < 0.5 else "phone")
                s2 = self._subject(_BURST_SMS if ch2 == "sms" else _BURST_SECOND)
                self._in(t, ch2, th, s2 if ch2 != "phone" else None)
            answered = False
            if channel == "phone" and r.random() < 0.5:
                pass  # settled during the call
            elif k == rounds - 1 and r.random() < 0.25:
                break  # the last message needs no answer
            else:
                ours = {"phone": "phone", "chat": "chat", "ticket": "ticket"}.get(channel, "email")
                med = 4.0 if ours == "chat" else (60.0 if ours == "phone" else 100.0)
                t = self._our_time(t, med)
                self._out(t, ours, th, f"Re: {subject}" if ours == "email" else subject)
                answered = True
            if k == rounds - 1 and answered and r.random() < _THANKS_P[self.a.arch]:
                t = self._cust_time(t, r.lognormal(math.log(45), 1.0))
                self._in(t, "email" if channel != "chat" else "chat", th, self._subject(_THANKS))
            if k < rounds - 1:
                t = self._cust_time(t, r.lognormal(math.log(p.followup_min), 1.0))
                if r.random() < (0.3 if self.a.arch == "drainer" else 0.12):
                    channel = "phone" if r.random() < 0.7 else "sms"
                elif channel in ("phone", "sms"):
                    channel = "email"

    def _customer_start(self, rate: float, *, weights: np.ndarray | None = None) -> list[float]:
        """Start times of customer-initiated episodes (office hours or after hours)."""
        r = self.rng
        wb = self.wb if weights is None else self.wb * weights
        n = int(r.poisson(rate * float(wb.sum()) / 21.0))
        n_after = int(r.binomial(n, self.p.after_hours)) if n else 0
        wa = self.wa if weights is None else self.wa * weights
        times = [self._office_time(int(d)) for d in self._days(wb, n - n_after)]
        times += [self._after_time(int(d)) for d in self._days(wa, n_after)]
        return times

    def run(self) -> None:
        r, p, a, cal = self.rng, self.p, self.a, self.cal
        if len(self.idx) == 0:
            return
        # inbound questions (any channel)
        for t in self._customer_start(p.questions):
            x = r.random()
            it = any(s == "IT-tuki" for s, _, _ in a.services)
            if x < p.phone:
                ch = "phone"
            elif x < p.phone + 0.06:
                ch = "chat"
            elif it and x < p.phone + 0.2:
                ch = "ticket"
            elif x < p.phone + 0.23:
                ch = "sms"
            else:
                ch = "email"
            self._thread(t, ch, self._topic())
        # single phone calls
        for t in self._customer_start(p.calls):
            th = self.log.new_thread() if r.random() < 0.6 else 0
            subj = f"Puhelu: {self._topic()}" if r.random() < 0.5 else None
            self._in(t, "phone", th, subj)
            if r.random() < p.chase:  # calls again soon
                self._in(t + r.uniform(5, 45), "phone", th, None)
        # complaints (the dissatisfied mostly in the last eight months)
        cw = None
        if a.arch == "dissatisfied":
            cw = np.where(self.idx > cal.n_days - 240, 6.0, 1.0)
        for t in self._customer_start(p.complaints, weights=cw):
            ch = "phone" if r.random() < p.phone * 0.6 else "email"
            self._thread(t, ch, self._subject(_COMPLAINTS), complaint=True,
                         extra=p.extra_rounds + 1.0)
        # after-hours chaser bursts: e-mail, e-mail minutes later, an SMS, a morning call
        n = int(r.poisson(p.bursts * self.months_b))
        for d in self._days(self.wa * (~cal.business[self.idx]) + 0.3 * self.wa, n):
            t = self._after_time(int(d))
            th = self.log.new_thread()
            s = f"{self._subject(_BURST_FIRST)}: {self._topic()}"
            self._in(t, "email", th, s, complaint=r.random() < 0.2)
            t += r.uniform(6, 15)
            self._in(t, "email", th, self._subject(_BURST_SECOND))
            if r.random() < 0.6:
                t += r.uniform(15, 45)
                self._in(t, "sms", th, self._subject(_BURST_SMS))
            if r.random() < 0.35:
                t = cal.next_business(t) + r.uniform(0, 25)
                self._in(t, "phone", th, None)
            self._thread(t, "email", s, thread=th, first_sent=True)
        # our monthly material reminders and their answers
        if a.cadence != "sporadic":
            for (y, m), days in cal.first_bdays.items():
                d = days[0]
                if not (a.a0 <= d <= a.a1) or d >= cal.n_days or r.random() > p.routine:
                    continue
                if a.cadence == "quarterly" and (m - 1 - a.quarter_offset) % 3:
                    continue
                th = self.log.new_thread()
                subj = f"{self._subject(_ROUTINE)} {m:02d}/{y}"
                if r.random() < 0.3:  # the assistant's batch send: equal timestamps
                    t = d * DAY + BH_START
                else:
                    t = self._office_time(d)
                self._out(t, "email", th, subj, kind="routine", minutes=math.nan)
                if r.random() < p.reply:
                    t = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 1.0))
                    self._in(t, "email", th, f"Re: {subj}")
                    if r.random() < 0.05:  # forgot the attachment
                        self._in(t + r.uniform(3, 12), "email", th, self._subject(_FORGOT))
                    if r.random() < 0.3:
                        self._out(self._our_time(t), "email", th, f"Re: {subj}")
        # meetings: invitation, acceptance, the meeting, a memo
        n = int(r.poisson(p.meetings * self.months_b))
        starts = list(self._days(self.wb, n))
        if a.since_day >= 0:  # kick-off meeting of a new customer
            starts.insert(0, int(cal.nbd[max(a.since_day, 0) + 1]))
        for k, d in enumerate(starts):
            kickoff = a.since_day >= 0 and k == 0
            topic = "Aloituspalaveri" if kickoff else self._subject(_MEETINGS)
            th = self.log.new_thread()
            t = self._office_time(int(d))
            self._out(t, "email", th, f"Kutsu: {topic}", kind="meet")
            if r.random() < (0.95 if kickoff else p.attend):
                t = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 0.8))
                self._in(t, "email", th, f"Re: Kutsu: {topic}")
                md = int(cal.nbd[int(t // DAY) + int(r.integers(3, 15))])
                slot = float(r.choice([9, 10, 13, 14])) * 60
                tm = md * DAY + slot
                mins = float(r.choice([30, 45, 60, 90])) if r.random() > 0.1 else math.nan
                self._out(tm, "meeting", th, topic, kind="meet", minutes=mins)
                if r.random() < 0.5:
                    self._out(self._our_time(tm + 90), "email", th, f"Muistio: {topic}")
            elif r.random() < 0.3:
                t = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 0.8))
                self._in(t, "email", th, f"Re: Kutsu: {topic}")
        # visits
        n = int(r.poisson(p.visits / 12.0 * self.months_b))
        for d in self._days(self.wb, n):
            t = int(d) * DAY + float(r.choice([9, 10, 12, 13])) * 60
            mins = float(r.choice([90, 120, 150, 180])) if r.random() > 0.1 else math.nan
            self._out(t, "visit", self.log.new_thread(), "Asiakaskäynti", kind="meet",
                      minutes=mins)
        # our check-ins
        n = int(r.poisson(p.outreach * self.months_b))
        for d in self._days(self.wb, n):
            t = self._office_time(int(d))
            th = self.log.new_thread()
            subj = self._subject(_OUTREACH)
            if r.random() < 0.5:
                answered = r.random() < p.reply
                mins = round(float(r.lognormal(math.log(8), 0.5)), 1) if answered else 0.0
                self._out(t, "phone", th, subj, kind="meet", minutes=mins)
                if not answered and r.random() < p.reply:
                    t = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 1.0))
                    self._in(t, "phone", th, None)
            else:
                self._out(t, "email", th, subj, kind="meet")
                if r.random() < p.reply:
                    t = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 1.0))
                    self._in(t, "email", th, f"Re: {subj}")
        # onboarding chatter of a customer that started inside the window
        if a.since_day >= 0:
            for k in range(int(r.integers(2, 5))):
                d = int(cal.nbd[a.since_day + int(r.integers(0, 40))])
                if d <= a.a1:
                    th = self.log.new_thread()
                    t = self._office_time(d)
                    s = self._subject(_ONBOARDING)
                    self._out(t, "email", th, s, kind="meet")
                    if r.random() < p.reply:
                        t2 = self._cust_time(t, r.lognormal(math.log(p.reply_hours * 60), 1.0))
                        self._in(t2, "email", th, f"Re: {s}")
        # leaving: a notice (or just silence)
        if a.churn_day is not None and r.random() < 0.45:
            t = self._office_time(int(cal.nbd[a.churn_day]))
            self._thread(t, "email", self._subject(_TERMINATION), extra=0.2)

    def inquiry(self, service: str, d: int) -> None:
        """A question about an additional service, answered, often with a meeting."""
        r = self.rng
        t = self._office_time(d) if r.random() > self.p.after_hours else self._after_time(d)
        subj = self._subject(_INQUIRY[service])
        self._thread(t, "email" if r.random() < 0.8 else "phone", subj, extra=0.8)
        if r.random() < 0.6:
            th = self.log.new_thread()
            md = int(self.cal.nbd[d + int(r.integers(5, 20))])
            self._out(md * DAY + float(r.choice([9, 10, 13, 14])) * 60, "meeting", th,
                      "Tarjouspalaveri", kind="meet", minutes=float(r.choice([45, 60])))


# ------------------------------------------------------------------ the generator


def _validate(seed: int, n_accounts: int, months: int, end: dt.date, team_size: int) -> dt.date:
    for name, v, lo, hi in (("n_accounts", n_accounts, 20, 100_000), ("months", months, 3, 120),
                            ("team_size", team_size, 2, 50)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise ValueError(f"{name} must be a whole number between {lo} and {hi}, got {v!r}")
        if not lo <= v <= hi:
            raise ValueError(f"{name} must be between {lo} and {hi}, got {v}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    if isinstance(end, dt.datetime):
        end = end.date()
    if not isinstance(end, dt.date):
        raise ValueError(f"end must be a datetime.date such as date(2026, 10, 31), got {end!r}")
    if not dt.date(1990, 1, 1) <= end <= dt.date(2100, 12, 31):
        raise ValueError(f"end must be between 1990-01-01 and 2100-12-31, got {end}")
    return end


def _team(fake: Faker, rng: np.random.Generator, team_size: int) -> pd.DataFrame:
    n_assist = team_size // 4
    roles = ["owner"] + ["specialist"] * (team_size - 1 - n_assist) + ["assistant"] * n_assist
    names: list[str] = []
    while len(names) < team_size:
        nm = f"{fake.first_name()} {fake.last_name()}"
        if nm not in names:
            names.append(nm)
    hours, cost = [], []
    for role in roles:
        if role == "owner":
            hours.append(float(rng.choice([42.5, 45.0, 47.5])))
            cost.append(round(float(rng.uniform(72, 90)), 2))
        elif role == "specialist":
            hours.append(37.5 if rng.random() < 0.8 else 30.0)
            cost.append(round(float(rng.uniform(50, 62)), 2))
        else:
            hours.append(37.5 if rng.random() < 0.5 else 30.0)
            cost.append(round(float(rng.uniform(35, 42)), 2))
    # the firm's own reserved domain, so the calendars name organizer and attendees
    emails = [f"{_local_part(nm)}@palvelu.example" for nm in names]
    return pd.DataFrame({"member": names, "hours_per_week": hours, "role": roles,
                         "cost_per_hour": cost, "email": emails})


def _company(fake: Faker, rng: np.random.Generator, segment: str, language: str,
             taken: set[str]) -> str:
    for attempt in range(50):
        last = fake.last_name()
        word = str(rng.choice(_SEGMENT_WORDS[segment]))
        x = rng.random()
        if language == "sv" and x < 0.7:
            name = f"{last} {word} Ab"
        elif x < 0.5:
            name = f"{last} {word} Oy"
        elif x < 0.62:
            name = f"{last} & {fake.last_name()} Ky"
        elif x < 0.74:
            name = f"Tmi {fake.first_name()} {last}"
        elif x < 0.86:
            name = f"{last} {word} Ky"
        elif x < 0.93:
            name = f"{word} {last} Oy"
        else:
            name = f"{last} {word} Ab"
        if attempt > 20:
            name = name.replace(f"{last} ", f"{last} {fake.city()} ", 1)
        if name not in taken:
            taken.add(name)
            return name
    n = len(taken)
    name = f"{fake.last_name()} {segment.capitalize()} {n} Oy"
    taken.add(name)
    return name


def _domain(name: str, taken: set[str]) -> str:
    core = re.sub(r"\b(Oy|Ky|Ab|Tmi)\b", " ", name).replace("&", " ")
    base = _ascii_slug(core) or "yritys"
    dom, k = f"{base}.example", 2
    while dom in taken:
        dom, k = f"{base}-{k}.example", k + 1
    taken.add(dom)
    return dom


def generate_sample(*, seed: int = 7, n_accounts: int = 320, months: int = 24,
                    end: dt.date = dt.date(2026, 10, 31),
                    team_size: int = 5) -> dict[str, pd.DataFrame]:
    """Generate the synthetic sample portfolio, with its planted truth.

    Parameters
    ----------
    seed : int, default 7
        Seed of all randomness (``numpy.random.default_rng`` and ``Faker('fi_FI')``);
        the same arguments always give the same tables.
    n_accounts : int, default 320
        Number of customer accounts, 20 to 100 000.
    months : int, default 24
        Length of the window in months, 3 to 120; the window ends on ``end``.
    end : datetime.date, default 2026-10-31
        Last day of the window (the day the export was taken).
    team_size : int, default 5
        Number of team members, 2 to 50: one owner, specialists and assistants.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``accounts``, ``interactions``, ``invoices``, ``surveys``, ``leads``, ``team``
        in the canonical columns of :mod:`workbench.schema` (dates as ``datetime64``,
        instants as Europe/Helsinki-aware ``datetime64``), and ``truth`` (``account_id``,
        ``archetype``, ``committed``, ``drainer``, ``protected``, ``drop_candidate``,
        ``churn_date``) which no analysis may read.

    Raises
    ------
    ValueError
        When an argument is out of range.

    Examples
    --------
    >>> tables = generate_sample(seed=1, n_accounts=40, months=6)
    >>> sorted(tables)
    ['accounts', 'interactions', 'invoices', 'leads', 'surveys', 'team', 'truth']
    >>> len(tables["accounts"]), tables["team"]["role"].tolist().count("owner")
    (40, 1)
    """
    end = _validate(seed, n_accounts, months, end, team_size)
    rng = np.random.default_rng(seed)
    fake = Faker("fi_FI")
    fake.seed_instance(seed)
    start = _add_months(end + dt.timedelta(days=1), -months)
    cal = _Calendar(start, end)
    last = cal.n_days - 1
    tz = zoneinfo.ZoneInfo(TZ_NAME)

    # -- team ----------------------------------------------------------------------
    team = _team(fake, rng, team_size)
    boss = team["member"][team["role"] == "owner"].iloc[0]
    specialists = team["member"][team["role"] == "specialist"].tolist()
    assistants = team["member"][team["role"] == "assistant"].tolist()
    holders = [boss, *specialists]
    holder_p = np.array([0.22 if specialists else 1.0]
                        + [0.78 / len(specialists)] * len(specialists))
    team_info: dict[str, object] = {"boss": boss, "assistant": assistants,
                                    "members": team["member"].tolist()}

    # -- archetypes ----------------------------------------------------------------
    counts = _counts(n_accounts, [PROFILES[k].share for k in ARCHETYPES])
    arch = np.array([k for k, c in zip(ARCHETYPES, counts) for _ in range(c)])
    arch = arch[rng.permutation(n_accounts)]
    protected = np.zeros(n_accounts, dtype=bool)
    for k, c in zip(ARCHETYPES, counts):
        members = np.flatnonzero(arch == k)
        n_prot = round(PROFILES[k].protected * c)
        if k == "drainer" and c >= 3:
            n_prot = max(1, n_prot)
        if n_prot:
            protected[rng.choice(members, size=n_prot, replace=False)] = True

    # -- accounts ------------------------------------------------------------------
    width = max(4, len(str(n_accounts)))
    ids = [f"A{i + 1:0{width}d}" for i in range(n_accounts)]
    names_taken: set[str] = set()
    domains_taken: set[str] = set()
    new_lo = max(0, last - 183)
    late_hi = max(0, last - 240)  # other late starters began at least eight months ago
    rows = []
    accts: list[_Account] = []
    for i in range(n_accounts):
        k = str(arch[i])
        p = PROFILES[k]
        segment = str(rng.choice(SEGMENTS, p=SEGMENT_P))
        language = str(rng.choice(LANGUAGES, p=[0.86, 0.09, 0.05]))
        name = _company(fake, rng, segment, language, names_taken)
        domain = _domain(name, domains_taken)
        contact = f"{fake.first_name()} {fake.last_name()}"
        x = rng.random()
        if x < 0.03:
            email = None
        elif x < 0.22:
            email = f"{rng.choice(['info', 'toimisto', 'talous', 'laskut'])}@{domain}"
        else:
            email = f"{_local_part(contact)}@{domain}"
        if rng.random() < 0.04:
            contact = None
        owner = boss if (protected[i] and specialists and rng.random() < 0.5) else \
            str(rng.choice(holders, p=holder_p))
        if k == "new":
            since_day = int(rng.integers(new_lo, max(new_lo + 1, last - 9)))
        elif rng.random() < p.late_start and late_hi > 30:
            since_day = int(rng.integers(14, late_hi))
        else:
            since_day = -int(rng.uniform(*p.tenure) * 365.25) - int(rng.integers(1, 60))
        a0 = max(0, since_day)
        churn_day = None
        if rng.random() < p.churn:
            lo = a0 + 90
            if lo < last - 45:
                churn_day = int(rng.integers(lo, last - 45))
        a1 = last if churn_day is None else churn_day
        contract = str(rng.choice(CONTRACTS, p=p.contract))
        cadence = str(rng.choice(["monthly", "quarterly", "sporadic"], p=p.cadence))
        # recurring service lines
        has = rng.random(len(RECURRING)) < RECURRING_P
        if k == "open":
            has[:] = False
            has[0 if rng.random() < 0.85 else 2] = True
        if not has.any():
            has[0] = True
        services = [(s, a0, a1) for s, h in zip(RECURRING, has) if h]
        if k == "dissatisfied" and len(services) > 1 and rng.random() < 0.6:
            s, lo_, hi_ = services[-1]  # dropped one line in the last year
            services[-1] = (s, lo_, int(rng.integers(max(lo_ + 1, last - 330), last - 60)))
        acc = _Account(
            idx=i, arch=k, prof=p, owner=owner, since_day=since_day, a0=a0, a1=a1,
            churn_day=churn_day, services=services, cadence=cadence,
            quarter_offset=int(rng.integers(0, 3)),
            size=float(rng.lognormal(math.log(p.size), 0.35)),
            cost_ratio=float(rng.uniform(*p.cost_ratio)),
            growth=float(rng.normal(*p.growth)), language=language,
        )
        accts.append(acc)
        if churn_day is not None:
            status = rng.choice(["ended", "active", "paused", None], p=[0.45, 0.3, 0.1, 0.15])
        else:
            status = rng.choice(["active", "paused", "ended", None], p=[0.85, 0.04, 0.02, 0.09])
        rows.append({
            "account_id": ids[i], "name": name, "owner": owner,
            "since": start + dt.timedelta(days=since_day), "contract": contract,
            "status": status, "segment": segment, "domain": domain, "email": email,
            "contact": contact, "language": language, "protected": bool(protected[i]),
        })
    accounts = pd.DataFrame(rows)
    accounts["since"] = pd.to_datetime(accounts["since"])

    # -- interactions ----------------------------------------------------------------
    log = _Log()
    sims: list[_Sim] = []
    child = rng.spawn(n_accounts)
    extra_lines: dict[int, list[tuple[str, int]]] = {}
    for acc, r in zip(accts, child):
        sim = _Sim(cal, log, team_info, acc, r)
        sim.run()
        # questions about additional services (open accounts mostly, a few others)
        missing = [s for s in (*RECURRING, "veroneuvonta", "konsultointi")
                   if s not in {x for x, _, _ in acc.services}]
        n_inq = int(r.integers(2, 5)) if acc.arch == "open" else int(
            r.poisson(acc.prof.inquiries * sim.months_b))
        span = acc.a1 - acc.a0
        for _ in range(min(n_inq, len(missing))):
            if span < 30:
                break
            lo = acc.a0 + (span // 3 if acc.arch == "open" else 0)
            d = int(cal.nbd[int(r.integers(lo, acc.a1 - 10))])
            if d > acc.a1:
                continue
            svc = missing.pop(int(r.integers(len(missing))))
            sim.inquiry(svc, d)
            if r.random() < (0.85 if acc.arch == "open" else 0.3):
                extra_lines.setdefault(acc.idx, []).append((svc, d + int(r.integers(20, 60))))
        sims.append(sim)
    # the quarterly newsletter: one batch, equal timestamps for every recipient
    letters = []
    for (y, m), days in sorted(cal.first_bdays.items()):
        if m in (2, 5, 9, 11) and len(days) > 7 and days[7] <= last:
            letters.append((days[7], f"Asiakastiedote {(m + 1) // 3 if m != 11 else 4}/{y}"))
    for d, subj in letters:
        for acc, sim in zip(accts, sims):
            gone = acc.churn_day is not None and d > acc.churn_day + 240
            if d < acc.a0 or gone:
                continue
            th = log.new_thread()
            log.add(acc.idx, d * DAY + 9 * 60 + 30, "email", "out", sim._who("batch"), th,
                    subj)
            if sim.rng.random() < (0.06 if acc.churn_day is None or d <= acc.churn_day else 0.01):
                t = sim._cust_time(d * DAY + 9.5 * 60, sim.rng.lognormal(math.log(600), 1.0))
                sim._in(t, "email", th, f"Re: {subj}")

    t = np.asarray(log.t)
    acc_idx = np.asarray(log.acc)
    since_arr = np.array([a.a0 for a in accts])
    keep = (t >= 0) & (t < cal.n_days * DAY) & (t >= since_arr[acc_idx] * DAY)
    channel = np.asarray(log.channel)
    secs = np.where(channel == "email", np.round(t * 60.0), np.floor(t) * 60.0).astype(np.int64)
    inter = pd.DataFrame({
        "_secs": secs, "_acc": acc_idx, "account_id": np.asarray(ids)[acc_idx],
        "channel": channel, "direction": log.direction, "minutes": log.minutes,
        "handled_by": log.who, "_thread": log.thread, "is_complaint": log.complaint,
        "sentiment": log.sentiment, "subject": log.subject,
    })[keep]
    inter = inter.sort_values(["_secs"], kind="stable").reset_index(drop=True)
    # thread ids numbered in order of their first message
    th = inter["_thread"].to_numpy()
    firsts = pd.unique(th[th > 0])
    tmap = {v: f"T{j + 1:06d}" for j, v in enumerate(firsts)}
    inter["thread_id"] = [tmap.get(v) for v in th]
    inter.insert(0, "interaction_id", [f"I{j + 1:07d}" for j in range(len(inter))])
    local = pd.Timestamp(start) + pd.to_timedelta(inter["_secs"], unit="s")
    inter["ts"] = _localize(local, tz)
    inter = inter[["interaction_id", "account_id", "ts", "channel", "direction", "minutes",
                   "handled_by", "thread_id", "is_complaint", "sentiment", "subject"]]

    # -- invoices --------------------------------------------------------------------
    invoices = _invoices(cal, accts, extra_lines, child_rng=rng, ids=ids, start=start)

    # -- surveys ---------------------------------------------------------------------
    surveys = _surveys(cal, accts, rng, ids, start)

    # -- leads -----------------------------------------------------------------------
    leads = _leads(cal, accts, rng, ids, start, tz)

    # -- truth -----------------------------------------------------------------------
    truth = pd.DataFrame({
        "account_id": ids,
        "archetype": arch,
        "committed": [PROFILES[str(k)].committed for k in arch],
        "drainer": arch == "drainer",
        "protected": protected,
        "drop_candidate": (arch == "drainer") & ~protected,
        "churn_date": pd.to_datetime([
            start + dt.timedelta(days=a.churn_day) if a.churn_day is not None else None
            for a in accts]),
    })
    return {"accounts": accounts, "interactions": inter, "invoices": invoices,
            "surveys": surveys, "leads": leads, "team": team, "truth": truth}


def _localize(local: pd.Series, tz: zoneinfo.ZoneInfo) -> pd.Series:
    """Local wall-clock times → aware times in ``tz`` (no times fall in DST gaps by design)."""
    s = pd.Series(pd.DatetimeIndex(local).tz_localize(
        tz, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"))
    return s.dt.as_unit("s") if hasattr(s.dt, "as_unit") else s


def _invoices(cal: _Calendar, accts: list[_Account], extra: dict[int, list[tuple[str, int]]],
              *, child_rng: np.random.Generator, ids: list[str], start: dt.date) -> pd.DataFrame:
    rng = child_rng
    last = cal.n_days - 1
    recs: list[tuple[int, int, str, float, float]] = []
    months = sorted(cal.first_bdays)
    for a in accts:
        if a.a1 < a.a0:
            continue
        added = extra.get(a.idx, [])
        lines = list(a.services) + [(s, d, a.a1) for s, d in added if s in MONTHLY_PRICE]

        def price(svc: str, d: int, base: float) -> float:
            trend = math.exp(a.growth * d / 365.25)
            return base * a.size * trend * float(rng.lognormal(0.0, 0.12))

        if a.cadence in ("monthly", "quarterly"):
            for (y, m) in months:
                bd = cal.first_bdays[(y, m)]
                d = bd[min(1, len(bd) - 1)]  # second business day: billing in arrears
                if d > last:
                    continue
                if a.cadence == "quarterly" and (m - 1 - a.quarter_offset) % 3:
                    continue
                per = 3 if a.cadence == "quarterly" else 1
                for svc, lo, hi in lines:
                    if lo + 20 <= d <= hi + 31 and rng.random() > 0.03:
                        recs.append((a.idx, d, svc, price(svc, d, MONTHLY_PRICE[svc] * per),
                                     a.cost_ratio))
        else:  # sporadic: bought now and then
            span_m = (a.a1 - a.a0) / 30.4
            n = int(rng.poisson(0.45 * span_m))
            for d in rng.integers(a.a0, a.a1 + 1, size=n):
                d = int(cal.nbd[int(d)])
                if d > min(a.a1 + 20, last):
                    continue
                svc = lines[int(rng.integers(len(lines)))][0]
                recs.append((a.idx, d, svc, price(svc, d, MONTHLY_PRICE[svc] * 1.6),
                             a.cost_ratio))
        # year-end closing for bookkeeping customers, between March and May
        if any(s == "kirjanpito" for s, _, _ in lines):
            for y in sorted({y for y, _ in months}):
                if (y, 3) not in cal.first_bdays:
                    continue
                d = int(cal.nbd[cal.first_bdays[(y, 3)][0] + int(rng.integers(0, 80))])
                p_buy = 0.6 if a.cadence == "sporadic" else 0.95
                if a.a0 + 60 <= d <= min(a.a1 + 40, last) and rng.random() < p_buy:
                    recs.append((a.idx, d, "tilinpäätös",
                                 price("tilinpäätös", d, ONEOFF_PRICE["tilinpäätös"]),
                                 a.cost_ratio))
        # one-off services bought after asking about them
        for svc, d in added:
            d = int(cal.nbd[d])
            if svc in ONEOFF_PRICE and d <= min(a.a1, last):
                recs.append((a.idx, d, svc, price(svc, d, ONEOFF_PRICE[svc]), a.cost_ratio))
        # ad hoc advice
        rate = {"core": 0.06, "open": 0.1, "dissatisfied": 0.05}.get(a.arch, 0.025)
        n = int(rng.poisson(rate * (a.a1 - a.a0) / 30.4))
        for d in rng.integers(a.a0, a.a1 + 1, size=n):
            d = int(cal.nbd[int(d)])
            if d <= last:
                svc = "veroneuvonta" if rng.random() < 0.6 else "konsultointi"
                recs.append((a.idx, d, svc, price(svc, d, ONEOFF_PRICE[svc]), a.cost_ratio))
        # credit notes after complaints
        p_credit = {"drainer": 0.25, "dissatisfied": 0.35}.get(a.arch, 0.02)
        if rng.random() < p_credit:
            d = int(cal.nbd[int(rng.integers(a.a0, a.a1 + 1))])
            if d <= last:
                svc = lines[0][0]
                recs.append((a.idx, d, svc, -round(float(rng.uniform(40, 300)), 2), math.nan))
    df = pd.DataFrame(recs, columns=["_acc", "_day", "service", "amount", "_ratio"])
    df["amount"] = df["amount"].round(2)
    noise = rng.lognormal(0.0, 0.08, size=len(df))
    cost = (df["amount"] * df["_ratio"] * noise).round(2)
    cost[rng.random(len(df)) < 0.12] = np.nan
    df["cost"] = cost
    df = df.sort_values(["_day", "_acc"], kind="stable").reset_index(drop=True)
    df.insert(0, "invoice_id", [f"INV{j + 1:06d}" for j in range(len(df))])
    df["account_id"] = np.asarray(ids, dtype=object)[df["_acc"].to_numpy(dtype=np.int64)]
    df["date"] = pd.Timestamp(start) + pd.to_timedelta(df["_day"], unit="D")
    return df[["invoice_id", "account_id", "date", "amount", "cost", "service"]]


def _surveys(cal: _Calendar, accts: list[_Account], rng: np.random.Generator,
             ids: list[str], start: dt.date) -> pd.DataFrame:
    last = cal.n_days - 1
    waves = [days[10] for (y, m), days in sorted(cal.first_bdays.items())
             if m in (3, 9) and len(days) > 10 and days[10] <= last]
    recs = []
    for a in accts:
        p = a.prof
        sends = [w for w in waves if a.a0 + 60 <= w <= a.a1]
        if a.since_day >= 0 and a.since_day + 60 <= last:
            sends.append(int(cal.nbd[a.since_day + 60]))  # after onboarding
        for w in sorted(set(sends)):
            if w > last or rng.random() > p.survey:
                continue
            d = min(w + int(rng.geometric(0.25)) - 1, last)
            mu, sd = p.nps
            if a.arch == "dissatisfied" and w > last - 300:
                mu, sd = 3.5, 1.5
            score = int(np.clip(round(rng.normal(mu, sd)), 0, 10))
            comment = None
            if rng.random() < 0.4:
                pools = _COMMENTS.get(a.language if rng.random() < 0.8 else "fi", _COMMENTS["fi"])
                band = "high" if score >= 9 else ("mid" if score >= 7 else "low")
                if a.arch == "open" and rng.random() < 0.5:
                    band = "more"
                pool = pools[band]
                comment = str(pool[int(rng.integers(len(pool)))])
            recs.append((a.idx, d, float(score), comment))
    df = pd.DataFrame(recs, columns=["_acc", "_day", "score", "comment"])
    df = df.sort_values(["_day", "_acc"], kind="stable").reset_index(drop=True)
    df["account_id"] = np.asarray(ids, dtype=object)[df["_acc"].to_numpy(dtype=np.int64)]
    df["date"] = pd.Timestamp(start) + pd.to_timedelta(df["_day"], unit="D")
    df["scale"] = "nps"
    return df[["account_id", "date", "score", "scale", "comment"]]


def _leads(cal: _Calendar, accts: list[_Account], rng: np.random.Generator, ids: list[str],
           start: dt.date, tz: zoneinfo.ZoneInfo) -> pd.DataFrame:
    last = cal.n_days - 1
    recs: list[tuple[float, float, str, bool, int]] = []

    def created(lo: int, hi: int, source: str) -> float:
        d = int(rng.integers(lo, max(lo + 1, hi)))
        if source in ("web form", "email") and rng.random() < 0.35:  # evenings, weekends
            m = float(np.clip(rng.normal(19 * 60, 150), 7 * 60, 22.5 * 60))
            return d * DAY + m
        d = int(cal.nbd[d])
        h = int(np.searchsorted(_HOUR_CUM, rng.random(), side="right"))
        return d * DAY + BH_START + 60.0 * min(h, 7) + rng.uniform(0, 60)

    def respond(t: float, fast: float, never: float) -> float:
        x = rng.random()
        if x < never:
            return math.nan
        x = rng.random()
        if x < fast:
            delay = float(rng.lognormal(math.log(22), 0.7))
        elif x < fast + (1 - fast) * 0.7:
            delay = float(rng.lognormal(math.log(240), 0.8))
        else:
            delay = float(rng.uniform(2, 7)) * 480
        return cal.add_business(t, delay)

    for a in accts:
        if a.since_day < 5:
            continue
        src = str(rng.choice(LEAD_SOURCES, p=LEAD_SOURCE_P))
        t0 = created(max(0, a.since_day - 60), a.since_day - 3, src)
        t0 = min(t0, (a.since_day - 1) * DAY + 12 * 60)
        recs.append((t0, respond(t0, 0.7, 0.0), src, True, a.idx))
    n_conv = len(recs)
    n_other = int(rng.poisson(max(2.3 * n_conv, 4.0)))
    for _ in range(n_other):
        src = str(rng.choice(LEAD_SOURCES, p=LEAD_SOURCE_P))
        t0 = created(0, last + 1, src)
        recs.append((t0, respond(t0, 0.38, 0.18), src, False, -1))
    recs.sort(key=lambda r: (r[0], r[4]))
    t0 = np.array([r[0] for r in recs])
    t1 = np.array([r[1] for r in recs])
    t1 = np.where(t1 >= cal.n_days * DAY, np.nan, t1)  # answered after the export: not yet
    base = pd.Timestamp(start)
    c = pd.Series(base + pd.to_timedelta(np.round(t0 * 60), unit="s"))
    f = pd.Series(base + pd.to_timedelta(np.round(t1 * 60), unit="s"))
    return pd.DataFrame({
        "lead_id": [f"L{j + 1:05d}" for j in range(len(recs))],
        "created_ts": _localize(c, tz),
        "first_response_ts": _localize(f, tz),
        "source": [r[2] for r in recs],
        "converted": [r[3] for r in recs],
        "account_id": [ids[r[4]] if r[4] >= 0 else None for r in recs],
    })


# ------------------------------------------------------------------ writing


def _fmt_ts(s: pd.Series) -> pd.Series:
    """ISO 8601 local time with its UTC offset, e.g. ``2025-03-02T16:00:00+02:00``."""
    wall = s.dt.tz_localize(None)
    off_min = ((wall - s.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds() // 60)
    sign = np.where(off_min >= 0, "+", "-")
    off_abs = off_min.abs().fillna(0).astype(int)
    off = pd.Series(sign, index=s.index) + (off_abs // 60).map("{:02d}".format) + ":" + \
        (off_abs % 60).map("{:02d}".format)
    out = wall.dt.strftime("%Y-%m-%dT%H:%M:%S") + off
    return out.where(s.notna(), "")


def _fmt_num(s: pd.Series, digits: int) -> pd.Series:
    return s.map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")


def _fmt_bool(s: pd.Series) -> pd.Series:
    return s.map(lambda v: "" if pd.isna(v) else ("true" if v else "false"))


def _fmt_date(s: pd.Series) -> pd.Series:
    return s.dt.strftime("%Y-%m-%d").fillna("")


def _as_text(name: str, df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            out[col] = _fmt_ts(s)
        elif pd.api.types.is_datetime64_any_dtype(s):
            out[col] = _fmt_date(s)
        elif pd.api.types.is_bool_dtype(s):
            out[col] = _fmt_bool(s)
        elif pd.api.types.is_float_dtype(s):
            digits = {"minutes": 1, "sentiment": 2, "score": 0, "hours_per_week": 1}.get(col, 2)
            out[col] = _fmt_num(s, digits)
        else:
            out[col] = s.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v))
                             else str(v))
    return out


def _readme(tables: dict[str, pd.DataFrame], seed: int, n_accounts: int, months: int,
            end: dt.date, team_size: int) -> str:
    truth = tables["truth"]
    counts = truth["archetype"].value_counts()
    start = _add_months(end + dt.timedelta(days=1), -months)
    lines = [
        "# Synthetic sample portfolio",
        "",
        "A made-up Finnish accounting and IT-services firm (bookkeeping, payroll, year-end",
        "closing, tax advice, IT support) and its customers. Every name, address and number",
        "is invented; e-mail addresses use only the reserved `.example` domain.",
        "",
        "Generated deterministically by `workbench.sample.write_sample` "
        f"(seed={seed}, n_accounts={n_accounts}, months={months}, end={end.isoformat()}, "
        f"team_size={team_size}); the same arguments give byte-identical files.",
        f"Window: {start.isoformat()} – {end.isoformat()}. "
        "Times are local Europe/Helsinki with their UTC offset (ISO 8601).",
        "",
        "| file | rows | content |",
        "|---|---:|---|",
    ]
    about = {
        "accounts": "one row per customer account",
        "interactions": "the contact log: e-mail, phone, SMS, meetings, visits, tickets, chat",
        "invoices": "invoice lines (EUR) with direct cost where known; a few credit notes",
        "surveys": "NPS answers (0–10) with optional comments",
        "leads": "incoming leads, first response and conversion",
        "team": "the team: hours per week, role, cost per hour and e-mail",
        "truth": "the planted archetypes — for tests only, never read by the analyses",
    }
    for name in TABLE_NAMES:
        lines.append(f"| `{name}.csv` | {len(tables[name])} | {about[name]} |")
    lines += [
        "",
        "## Planted archetypes (`truth.csv`)",
        "",
        "| archetype | accounts | behaviour |",
        "|---|---:|---|",
    ]
    desc = {
        "core": "committed core: long tenure, regular invoices, high NPS, answers outbound "
                "contact and attends meetings, steady or growing revenue",
        "grey": "grey mass: sporadic purchases, few interactions, seldom answers; some churn",
        "dissatisfied": "valuable but dissatisfied: high revenue and tenure, low recent NPS, "
                        "recent complaints, declining revenue",
        "open": "open to additional services: asks about new services, breadth grows",
        "new": "new accounts: customers for under ~6 months, each from a converted lead",
        "drainer": "energy drainers: after-hours bursts and chasers, complaints, long threads, "
                   "many calls, thin or negative margins (a couple are protected)",
    }
    for k in ARCHETYPES:
        lines.append(f"| {k} | {int(counts.get(k, 0))} | {desc[k]} |")
    lines += [
        "",
        "`committed` is true for core and open accounts; `drop_candidate` marks drainers",
        "that are not protected; `churn_date` is the day a churned account stopped.",
        "No single column of `accounts.csv` determines the archetype: every signal is a",
        "tendency with overlap. Office hours are Mon–Fri 08–16; Finnish public holidays",
        "are quiet.",
        "",
    ]
    return "\n".join(lines)


def write_sample(out: Path, *, seed: int = 7, n_accounts: int = 320, months: int = 24,
                 end: dt.date = dt.date(2026, 10, 31), team_size: int = 5) -> list[Path]:
    """Generate the sample and write it as CSV files plus a README.

    Parameters
    ----------
    out : Path
        Folder to write into (created if missing); existing files of the same names are
        replaced.
    seed, n_accounts, months, end, team_size
        As in :func:`generate_sample`.

    Returns
    -------
    list of Path
        ``<table>.csv`` for each table in :data:`TABLE_NAMES` (UTF-8, comma-delimited,
        ``.`` as decimal point, ``true``/``false``, empty = missing), then ``README.md``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = write_sample(Path(d), seed=3, n_accounts=30, months=4)
    ...     [p.name for p in paths][:2], paths[-1].name
    (['accounts.csv', 'interactions.csv'], 'README.md')
    """
    end = _validate(seed, n_accounts, months, end, team_size)
    tables = generate_sample(seed=seed, n_accounts=n_accounts, months=months, end=end,
                             team_size=team_size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for name in TABLE_NAMES:
        path = out / f"{name}.csv"
        text = _as_text(name, tables[name]).to_csv(index=False, lineterminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    readme = out / "README.md"
    readme.write_bytes(_readme(tables, seed, n_accounts, months, end, team_size).encode("utf-8"))
    paths.append(readme)
    return paths
