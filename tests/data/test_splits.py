"""Event-wise train/dev/test splits."""

import numpy as np
import pandas as pd
import pytest

from zoo.data.splits import select_split, split_by_event


def _table(n_events=400, per_event=3, seed=0):
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"ev{i}" for i in range(n_events)], per_event)
    rng.shuffle(ids)
    return pd.DataFrame({"trace_name": [f"tr{i}" for i in range(len(ids))], "source_id": ids})


def test_one_event_never_spans_two_splits():
    table = _table()
    splits = split_by_event(table, seed=3)
    assert splits.index.equals(table.index)
    per_event = splits.groupby(table.source_id).nunique()
    assert (per_event == 1).all()
    assert set(splits) == {"train", "dev", "test"}


def test_deterministic_and_independent_of_row_order_and_subset():
    table = _table()
    first = split_by_event(table, seed=1)
    assert first.equals(split_by_event(table, seed=1))
    shuffled = table.sample(frac=1.0, random_state=5)
    assert split_by_event(shuffled, seed=1).equals(first.loc[shuffled.index])
    subset = table.iloc[::7]
    assert split_by_event(subset, seed=1).equals(first.iloc[::7])
    assert not split_by_event(table, seed=2).equals(first)


def test_fractions_are_approached_on_many_events():
    table = _table(n_events=20000, per_event=1)
    shares = split_by_event(table, fractions=(0.6, 0.3, 0.1)).value_counts(normalize=True)
    np.testing.assert_allclose([shares["train"], shares["dev"], shares["test"]], [0.6, 0.3, 0.1], atol=0.015)
    only_train = split_by_event(table.iloc[:100], fractions=(1.0, 0.0, 0.0))
    assert set(only_train) == {"train"}


def test_traces_without_event_are_their_own_group():
    table = pd.DataFrame({"trace_name": [f"n{i}" for i in range(300)], "source_id": [None, "", "None"] * 100})
    splits = split_by_event(table, seed=0)
    assert splits.nunique() == 3  # 300 independent groups, not one "missing" group
    numeric = pd.DataFrame({"trace_name": ["a", "b"], "source_id": [8556349.0, "8556349"]})
    assert split_by_event(numeric).nunique() == 1


def test_select_split_prefers_the_split_column():
    table = pd.DataFrame(
        {"trace_name": list("abcd"), "source_id": list("wxyz"), "split": ["train", "dev", "test", "dev"]}
    )
    assert select_split(table, "dev").trace_name.tolist() == ["b", "d"]
    assert select_split(table, "validation").trace_name.tolist() == ["b", "d"]
    assert len(select_split(table, None)) == 4
    by_event = select_split(table.drop(columns="split"), "train", seed=0)
    assert (by_event.split == "train").all()


def test_bad_arguments_are_errors():
    table = _table(10, 1)
    with pytest.raises(ValueError, match="fractions"):
        split_by_event(table, fractions=(0.5, 0.2))
    with pytest.raises(ValueError, match="fractions"):
        split_by_event(table, fractions=(0.5, 0.6, -0.1))
    with pytest.raises(ValueError, match="split must be"):
        select_split(table, "val")
    with pytest.raises(ValueError, match="trace_name"):
        split_by_event(table.drop(columns="trace_name"))
