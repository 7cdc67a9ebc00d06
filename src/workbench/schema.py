"""The data contract: canonical tables, their columns and types.

Loaders map a client's columns onto these names (the mapping lives in params, never in
code); everything downstream relies only on what is written here.

Types
-----
``str``       text, stripped; empty means missing
``date``      calendar date (``datetime64[ns]`` at midnight, no time zone)
``ts``        instant (``datetime64[ns, UTC]``); naive input is read in the client's zone
``float``     number; decimal comma and thousands separators are accepted
``bool``      yes/no, true/false, 1/0, kyllä/ei, x/empty
``direction`` ``in`` (customer → us) or ``out`` (us → customer)
``channel``   lower-case channel name, synonyms folded (``e-mail`` → ``email``)
"""

from __future__ import annotations

from dataclasses import dataclass

ColumnType = str  # one of the names in the module docstring


@dataclass(frozen=True)
class Table:
    """One canonical table: its required and optional columns with their types."""

    name: str
    required: dict[str, ColumnType]
    optional: dict[str, ColumnType]
    key: str | None = None

    @property
    def columns(self) -> dict[str, ColumnType]:
        return {**self.required, **self.optional}


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            required={"account_id": "str", "name": "str"},
            optional={
                "owner": "str",
                "since": "date",
                "contract": "str",
                "status": "str",
                "segment": "str",
                "domain": "str",
                "email": "str",
                "contact": "str",
                "language": "str",
                "protected": "bool",
            },
            key="account_id",
        ),
        Table(
            "interactions",
            required={
                "account_id": "str",
                "ts": "ts",
                "channel": "channel",
                "direction": "direction",
            },
            optional={
                "interaction_id": "str",
                "minutes": "float",
                "handled_by": "str",
                "thread_id": "str",
                "is_complaint": "bool",
                "sentiment": "float",
                "subject": "str",
            },
        ),
        Table(
            "invoices",
            required={"account_id": "str", "date": "date", "amount": "float"},
            optional={"invoice_id": "str", "cost": "float", "service": "str"},
        ),
        Table(
            "surveys",
            required={"account_id": "str", "date": "date", "score": "float"},
            optional={"scale": "str", "comment": "str"},
        ),
        Table(
            "leads",
            required={"lead_id": "str", "created_ts": "ts"},
            optional={
                "first_response_ts": "ts",
                "source": "str",
                "converted": "bool",
                "account_id": "str",
            },
            key="lead_id",
        ),
        Table(
            "team",
            required={"member": "str"},
            optional={"hours_per_week": "float", "role": "str", "cost_per_hour": "float", "email": "str"},
            key="member",
        ),
    )
}

REQUIRED_TABLES = ("accounts",)
#: At least one of these must hold rows: a register alone shows no behaviour to analyse.
BEHAVIOUR_TABLES = ("interactions", "invoices")

#: Channel synonyms folded on load; anything else is kept as written (lower-cased).
CHANNEL_SYNONYMS: dict[str, str] = {
    "e-mail": "email", "mail": "email", "sähköposti": "email", "sposti": "email",
    "telephone": "phone", "call": "phone", "puhelin": "phone", "puhelu": "phone",
    "text": "sms", "text message": "sms", "tekstiviesti": "sms", "whatsapp": "chat",
    "meet": "meeting", "palaveri": "meeting", "tapaaminen": "meeting", "video": "meeting",
    "teams": "meeting", "zoom": "meeting", "käynti": "visit", "site visit": "visit",
    "helpdesk": "ticket", "tiketti": "ticket", "web chat": "chat", "live chat": "chat",
}

#: Direction synonyms; inbound is the customer reaching us.
DIRECTION_SYNONYMS: dict[str, str] = {
    "in": "in", "inbound": "in", "incoming": "in", "received": "in", "i": "in",
    "saapuva": "in", "saapunut": "in", "sisään": "in",
    "out": "out", "outbound": "out", "outgoing": "out", "sent": "out", "o": "out",
    "lähtevä": "out", "lähtenyt": "out", "ulos": "out",
}

BOOL_TRUE = frozenset({"1", "true", "t", "yes", "y", "x", "kyllä", "k", "on"})
BOOL_FALSE = frozenset({"0", "false", "f", "no", "n", "ei", "e", "off", ""})
