"""The next action per account: what to do, said with the verb of the channel it is
scheduled on (a call is made by phone, a meeting is met)."""

from __future__ import annotations

import pandas as pd

from .formatting import money, number
from .i18n import N_, _
from .params import Params
from .tiers import signal_fact

_BY = "account_id"


#: What a contact is called on each channel: the verb an action starts with, so an action
#: scheduled as a call says "Call" and one scheduled as an e-mail never does.
_VERBS = {"phone": N_("Call"), "meeting": N_("Meet"), "visit": N_("Visit"), "email": N_("E-mail"), "sms": N_("Send a text"),
          "chat": N_("Chat"), "ticket": N_("Write on a ticket")}


#: A channel's name for people (translated where shown, :func:`channel_label`).
CHANNEL_LABELS = {"email": N_("e-mail"), "phone": N_("phone"), "meeting": N_("meeting"), "visit": N_("visit"),
                  "sms": N_("text message"), "chat": N_("chat"), "ticket": N_("ticket")}


def channel_label(channel: str) -> str:
    """A channel as the report's readers call it: ``'sähköposti'`` for email in Finnish.

    Examples
    --------
    >>> from workbench.i18n import override
    >>> with override("fi"):
    ...     channel_label("phone"), channel_label("fax")
    ('puhelin', 'fax')
    """
    return _(CHANNEL_LABELS[channel]) if channel in CHANNEL_LABELS else str(channel)


def contact_verb(channel: str) -> str:
    """The verb of a contact on ``channel``: ``'Call'`` for phone, ``'E-mail'`` for email.

    Examples
    --------
    >>> contact_verb("phone"), contact_verb("meeting"), contact_verb("fax")
    ('Call', 'Meet', 'Contact by fax')
    """
    return _(_VERBS[channel]) if channel in _VERBS else _("Contact by {channel}").format(channel=channel)


def next_action(r: pd.Series, theme: str, what: pd.DataFrame, params: Params) -> tuple[str, str]:
    """The next thing to do with an account: its kind and the line that says it.

    The kind follows the account's situation, most pressing first: a drop candidate gets
    the boundary conversation (``boundary``, with the what-if's figures); an account that
    drains (high energy, and loss-making or dissatisfied) gets ``settle in`` while young and
    ``repair`` after; a dissatisfied one ``put right``; one that buys, is open and has a next
    service ``offer``; the rest its tier's ``theme``. The line starts with the verb of the
    account's preferred channel (:func:`contact_verb`), the channel it is scheduled on.

    Examples
    --------
    >>> r = pd.Series({"account_id": "a", "preferred_channel": "email", "drop_candidate": False,
    ...     "drains": False, "young": False, "dissatisfied": True, "survey_last": 5.0, "complaints": 9,
    ...     "buys": True, "open": False, "next_service": "", "survey_needed": False})
    >>> next_action(r, "Get to know them", pd.DataFrame(), Params())
    ('put right', 'E-mail to ask what went wrong: last survey 5, 9 complaints')
    """
    verb = contact_verb(r["preferred_channel"])
    if r["drop_candidate"]:
        if r[_BY] not in what.index:
            return "boundary", _("{verb} to set boundaries: {theme}").format(verb=verb, theme=theme)
        w = what.loc[r[_BY]]
        return "boundary", _("{verb} to set boundaries: publish our response times (frees ~{policy} h), raise the "
                             "price by {price} to break even, or agree an exit (frees {freed} h, loses {margin} "
                             "margin)").format(verb=verb, policy=number(w["policy_hours"], 1),
                                               price=money(w["break_even_increase"]),
                                               freed=number(w["hours_freed"], 1), margin=money(w["margin_lost"]))
    if r["drains"]:
        return _drain_action(r, verb, params)
    if r["dissatisfied"]:
        return "put right", _("{verb} to ask what went wrong: {facts}").format(
            verb=verb, facts=signal_fact("dissatisfied", False, r, params))
    if r["buys"] and r["open"] and r["next_service"]:
        return "offer", _("{verb} to offer {service}: {why}").format(
            verb=verb, service=r["next_service"], why=r["openness_reason"])
    theme = f"{theme[:1].lower()}{theme[1:]}"
    if r["survey_needed"]:
        return "theme", _("{verb}: {theme}; ask the five survey questions").format(verb=verb, theme=theme)
    return "theme", _("{verb}: {theme}").format(verb=verb, theme=theme)


def _drain_action(r: pd.Series, verb: str, params: Params) -> tuple[str, str]:
    """A drainer's action: set expectations with a new customer, repair or reprice an old one."""
    facts = [_("{hours} energy h").format(hours=number(r["energy"]))]
    if r["loss_making"]:
        facts.append(_("{net} after the cost to serve (raise the price by {raise_by} to break even)").format(
            net=money(r["net_value"]), raise_by=money(-r["net_value"])))
    if r["dissatisfied"]:
        facts.append(signal_fact("dissatisfied", False, r, params))
    if r["young"]:
        return "settle in", _("{verb} to agree what the service includes, the channels and our response times: "
                              "a new customer, {facts}").format(verb=verb, facts=", ".join(facts))
    if r["loss_making"]:
        return "repair", _("{verb} to agree a service level and a price that covers the work: {facts}").format(
            verb=verb, facts=", ".join(facts))
    return "repair", _("{verb} to agree a service level after putting right what went wrong: {facts}").format(
        verb=verb, facts=", ".join(facts))
