"""Single-value checks: yes/no, e-mail, codice fiscale, CAP, IP addresses, URL hosts."""

from __future__ import annotations

import ipaddress
import random

import polars as pl

from gateway.rules.fields import (
    is_declared_url,
    is_email,
    is_fiscal_code,
    is_http_url,
    is_ip_address,
    is_postal_code,
    is_yes,
    is_yes_no,
)


def test_yes_no_values():
    values = ["true", "TRUE", "yes", "si", "Sì", "SÌ", "y", "s", "1", "x", "X"]
    assert is_yes(pl.Series(values)).all()
    noes = ["false", "no", "n", "0", None, "maybe", "2", "sii", "yes please"]
    assert not is_yes(pl.Series(noes)).any()
    recognised = is_yes_no(pl.Series(["NO", "n", "0", "false", None, "boh"])).to_list()
    assert recognised == [True, True, True, True, True, False]


def test_email_syntax():
    good = [
        "a@example.com",
        "first.last+tag@sub.example.co.uk",
        "x_y-z@xn--80ak6aa92e.example",
        "o'neil@example.it",
        "1234@example.org",
    ]
    bad = [
        "a@",
        "@example.com",
        "a@example",
        "a b@example.com",
        "a..b@example.com",
        ".a@example.com",
        "a@-example.com",
        "a@example..com",
        "a@example.c0m1",
        "a" * 65 + "@example.com",
        "a@" + "b" * 64 + ".com",
        "a@b@example.com",
    ]
    assert is_email(pl.Series(good)).all()
    assert not is_email(pl.Series(bad)).any()


def test_fiscal_codes():
    good = [
        "RSSMRA85T10A562S",
        "rssmra85t10a562s",
        "RSS MRA 85T10 A562S",
        "RSSMRA85T10A56NH",
        "BNCLRA90A41H501F",
        "12345678903",
        "00000000000",
    ]
    bad = [
        "RSSMRA85T10A562T",
        "RSSMRA85T10A56NS",
        "RSSMRA85Z10A562S",
        "RSSMRA85T32A562S",
        "12345678901",
        "1234567890",
        "RSSMRA85T10A562",
        "RSSMRA85T10A562SS",
        None,
    ]
    assert is_fiscal_code(pl.Series(good)).to_list() == [True] * len(good)
    assert is_fiscal_code(pl.Series(bad, dtype=pl.Utf8)).to_list() == [False] * len(bad)


def test_postal_codes():
    assert is_postal_code(
        pl.Series(["00187", "20121", "187", "001877", "0018a", None])
    ).to_list() == [True, True, False, False, False, False]


def _ip_candidates(rng: random.Random) -> list[str]:
    values = []
    for _ in range(3000):
        number = rng.getrandbits(128)
        for mask in (0, (1 << 64) - 1, (1 << 96) - 1, (1 << 112) - 1):
            address = ipaddress.IPv6Address(number & ~mask)
            values += [address.compressed, address.exploded]
        values.append(str(ipaddress.IPv4Address(rng.getrandbits(32))))
        pieces = [
            rng.choice(["", "0", "1", "ffff", "12345", "g", "1.2.3.4", "256.1.1.1", "01"])
            for _ in range(rng.randint(1, 9))
        ]
        values += [":".join(pieces), ".".join(pieces), "::" + ":".join(pieces)]
    return values


def _reference(value: str) -> bool:
    if "%" in value:
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def test_ip_addresses_agree_with_the_standard_library():
    values = [
        *_ip_candidates(random.Random(5)),
        "::",
        "::1",
        "1::",
        "::ffff:1.2.3.4",
        "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::",
        "1:2:3:4:5:6:1.2.3.4",
        "fe80::1%eth0",
        "1:2:3:4:5:6:7:8:9",
        "1.2.3",
        "01.2.3.4",
    ]
    got = is_ip_address(pl.Series(values)).to_list()
    mismatches = [(v, g) for v, g in zip(values, got, strict=True) if g != _reference(v)]
    assert mismatches == []
    assert any(got) and not all(got)


def test_declared_urls():
    urls = [
        "https://www.Example.it/x",
        "http://example.it.",
        "https://example.it@evil.it/",
        "ftp://example.it",
        "https://evil-example.it",
        "https://a.b.example.it:8443/form?x=1#top",
        "https://example.it.evil.it",
        "example.it",
        "https://EXAMPLE.IT",
    ]
    assert is_http_url(pl.Series(urls)).to_list() == [
        True,
        True,
        True,
        False,
        True,
        True,
        True,
        False,
        True,
    ]
    assert is_declared_url(pl.Series(urls), ["Example.it"]).to_list() == [
        True,
        True,
        False,
        False,
        False,
        True,
        False,
        False,
        True,
    ]
    assert not is_declared_url(pl.Series(urls), []).any()
