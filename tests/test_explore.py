"""The explorer's account table: the three analyses joined, sliced, and one account worded."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench import explore


def test_explorer_table_joins_the_three_analyses(explorer: dict) -> None:
    table, drain, p = explorer["table"], explorer["drain"], explorer["plan"]
    assert len(table) == len(p.accounts) == table["account_id"].nunique()
    assert list(table["rank"]) == sorted(table["rank"])
    b = drain.breakdown.set_index("account_id")
    t = table.set_index("account_id")
    assert (t["energy"] == b.loc[t.index, "energy"]).all()
    assert (t["tier"] == p.accounts.set_index("account_id").loc[t.index, "tier"]).all()


def test_slices_filter_sort_and_refuse_what_is_not_there(explorer: dict) -> None:
    table = explorer["table"]
    cut = explore.account_slice(table, segment="shallow", tier="review", sort="net_value")
    assert len(cut) and set(cut["segment"]) == {"shallow"} and set(cut["tier"]) == {"review"}
    assert list(cut["net_value"]) == sorted(cut["net_value"])
    view = explore.account_view(cut, 5)
    assert len(view) == min(5, len(cut)) and ":" not in "".join(view["next_action"])
    with pytest.raises(ValueError, match="tier 'vip' is not one of"):
        explore.account_slice(table, tier="vip")


def test_heaviest_account_and_its_card(explorer: dict) -> None:
    table = explorer["table"]
    t = table.set_index("account_id")
    review = table[table["tier"] == "review"]
    heaviest = explore.heaviest_account(table, tier="review")
    assert heaviest == review.loc[review["energy"].idxmax(), "account_id"]
    # An empty slice falls back to the whole portfolio rather than failing.
    assert explore.heaviest_account(table, segment="entrenched", tier="review") in set(table["account_id"])
    card = explore.account_card(table, heaviest)
    assert card.startswith(f"### {t.loc[heaviest, 'name']} ({heaviest})") and "Drop candidate" in card
    with pytest.raises(ValueError, match="not in the portfolio"):
        explore.account_card(table, "NO-SUCH")


def test_summary_says_value_is_unknown_without_invoices(explorer: dict) -> None:
    table = explorer["table"].assign(net_value=pd.NA)
    assert "net value unknown" in explore.slice_summary(table.head(3), table)
    assert explore.slice_summary(table.head(0), table) == "No account is in this slice."


def test_card_counts_in_words_and_says_unknown_without_a_contact_log(explorer: dict) -> None:
    table = explorer["table"]
    one = table.iloc[[0]].assign(n_interactions=1, chasers=1, complaints=0)
    card = explore.account_card(one, one["account_id"].iloc[0])
    assert "1 interaction," in card and "1 chaser," in card and "0 complaints" in card
    # No contact log: cost to serve unknown, and so are contact and energy (not "0 h").
    blind = one.assign(cost_to_serve=pd.NA, net_value=pd.NA, energy=0.0)
    card = explore.account_card(blind, one["account_id"].iloc[0])
    assert "unknown (no contact log)" in card and "Contact in the window" not in card
    assert "0.0 h" not in card and "revenue" in card
