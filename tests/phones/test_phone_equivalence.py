"""classify_phones must give exactly the reference's answer for every value."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.phones import classify_phone_reference, classify_phones
from gateway.phones.classify import fast_path_mask

from .phone_samples import phone_values, random_phone_values


def _disagreements(values: list[str | None]) -> list[tuple]:
    result = classify_phones(pl.Series("phone", values, dtype=pl.Utf8))
    return [
        (value, got, expected)
        for value, got in zip(values, result.iter_rows(), strict=True)
        if got != (expected := classify_phone_reference(value))
    ]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(phone_values(), min_size=1, max_size=40))
def test_every_generated_value_gets_the_reference_answer(values):
    assert _disagreements(values) == []


@pytest.mark.slow
def test_a_large_random_sample_gets_the_reference_answers():
    values = random_phone_values(200_000, seed=39)
    mismatches = _disagreements(values)
    assert mismatches[:10] == []
    # The sample must exercise the vectorised path, not only the reference.
    fast_share = fast_path_mask(pl.Series(values, dtype=pl.Utf8)).mean()
    assert fast_share > 0.5
