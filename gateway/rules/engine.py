"""Ruleset 1 over column chunks.

Every rule is a polars (or numpy) expression over a whole chunk; no Python object is made per
row (the phones package may fall back to libphonenumber for unusual values). Memory is bounded
by the chunk size plus the set of numbers already seen (8 bytes per distinct number) and, in
service mode, the numbers awaiting an RPO check (8 bytes each).

Decisions where domain.md is silent, in one place:

- A malformed row (``_malformed``: field count differs from the header) gets ROW_MALFORMED
  only: its values are misaligned, so no other rule can judge them. It does not take part in
  duplicate detection and is not looked up in the RPO.
- Duplicates are judged among rows whose number libphonenumber calls valid, Italian or not
  (PHONE_NOT_ITALIAN rows included), whatever else is wrong with them.
- RPO rules apply to valid Italian numbers (``phone_status`` valid), objections to every valid
  number. Registration and consent are compared at one-second resolution (consent truncated,
  registration rounded up at import): registration at or after the consent second rejects.
  Without a usable consent time a registered number is RPO_REGISTERED.
- Rules that compare with the consent time (INFORMATIVA_NOT_IN_EFFECT, DOUBLE_OPTIN_INVALID's
  order check, CONSENT_TOO_OLD, CONSENT_PRE_GDPR) stay silent when it is missing or unreadable;
  CONSENT_TIMESTAMP_MISSING or _INVALID already rejects the row.
- CONSENT_TOO_OLD: older than ``max_consent_age_days`` times 24 hours before processing time;
  exactly that age passes.
- Source ids and informativa versions match exactly (after trimming); URL hosts and domains
  ignore case; the buyer's sector and the notice's sectors ignore case and surrounding spaces.
- A "valid double opt-in" for CONSENT_PROOF_MISSING is one DOUBLE_OPTIN_INVALID does not flag.
  A web source is an http(s) URL or the id of a declared web source.
- In service mode, RPO_NOT_CHECKED still marks the row; numbers of rows that nothing else
  rejects are handed to ``on_unchecked`` (they are distinct: such rows are not duplicates) and
  the decision is ``awaiting_rpo``, unless the batch would be rejected even if every one of
  those rows passed, in which case it is ``rejected`` at once.
- ``counts.warned`` counts rows with at least one warning, accepted or rejected.
- ``rpo_consultations`` lists every consultation that answered for at least one row; the batch
  is valid until the oldest of them is 15 days old.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from ..ingest import CANONICAL_COLUMNS as _INGEST_COLUMNS
from ..ingest import read_ahead
from ..phones import INVALID, MISSING, NOT_ITALIAN, VALID, classify_phones
from ..profiles import allowed_phone_types, validate_buyer_profile, validate_vendor_profile
from ..rpo.keys import NULL_KEY, e164_keys, keys_to_e164
from ..rpo.parse import DATE_UNKNOWN, NOT_REGISTERED
from .catalogue import (
    FUTURE_TOLERANCE_SECONDS,
    GDPR_DATE,
    ROW_CODE_ORDER,
    RPO_VALIDITY_DAYS,
    ruleset_info,
)
from .duplicates import SeenNumbers
from .fields import (
    declared_host_expr,
    email_expr,
    http_url_expr,
    ip_address_expr,
    is_fiscal_code,
    postal_code_expr,
    yes_expr,
)
from .timestamps import epoch_us, parse_timestamp, parse_timestamps, to_utc

if TYPE_CHECKING:
    from ..objections import ObjectionIndex
    from ..rpo import RpoIndex

# The same column list the readers map headers to: one source of truth.
CANONICAL_COLUMNS: tuple[str, ...] = _INGEST_COLUMNS

WARNING_CODES = ("CONSENT_PRE_GDPR", "RPO_REGISTERED_CONSENT_AFTER")

Mode = Literal["service", "offline"]


@dataclass
class Outcome:
    """What ruleset 1 decided about a batch."""

    decision: Literal["certified", "rejected", "awaiting_rpo"]
    batch_reasons: list[str]
    counts: dict[str, Any]
    rpo_consultations: list[dict[str, Any]]
    informative: list[dict[str, str]]
    ruleset: dict[str, str]
    valid_until: datetime | None
    unchecked_numbers: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (times as ISO 8601 UTC strings)."""
        return {
            "decision": self.decision,
            "batch_reasons": list(self.batch_reasons),
            "counts": {**self.counts, "by_code": dict(self.counts["by_code"])},
            "rpo_consultations": [
                {"id": c["id"], "consulted_at": _iso(c["consulted_at"])}
                for c in self.rpo_consultations
            ],
            "informative": [dict(i) for i in self.informative],
            "ruleset": dict(self.ruleset),
            "valid_until": _iso(self.valid_until) if self.valid_until else None,
            "unchecked_numbers": self.unchecked_numbers,
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _norm_id(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"\s+", "").str.to_lowercase()


class _Context:
    """Everything the rules read that does not change from chunk to chunk."""

    def __init__(
        self,
        vendor: dict[str, Any],
        buyer: dict[str, Any],
        now: datetime,
    ) -> None:
        self.now = to_utc(now)
        now_us = epoch_us(self.now)
        self.future_limit_us = now_us + FUTURE_TOLERANCE_SECONDS * 1_000_000
        self.gdpr_us = epoch_us(datetime.fromisoformat(GDPR_DATE))
        policy = buyer["policy"]
        self.allowed_types = sorted(allowed_phone_types(policy))
        self.require_proof = bool(policy["require_proof"])
        self.reject_pre_gdpr = bool(policy["reject_pre_gdpr"])
        self.max_ratio = Fraction(str(policy["max_rejected_ratio"]))
        age = policy.get("max_consent_age_days")
        self.oldest_us = now_us - int(age) * 86_400_000_000 if age is not None else None
        self.legal_entity = "".join(vendor["legal_entity_id"].split()).lower()
        sources = vendor["sources"]
        self.source_ids = sorted({s["id"].strip() for s in sources})
        self.web_ids = sorted({s["id"].strip() for s in sources if s["kind"] == "web"})
        self.domains = sorted({d for s in sources if s["kind"] == "web" for d in s["domains"]})
        sector = buyer["sector"].strip().lower()
        self.versions: dict[str, dict[str, Any]] = {}
        for item in vendor["informative"]:
            until = item.get("effective_until")
            self.versions[item["version"].strip()] = {
                "from_us": epoch_us(parse_timestamp(item["effective_from"])),
                "until_us": epoch_us(parse_timestamp(until)) if until else None,
                "covers": sector in {s.strip().lower() for s in item["third_party_sectors"]},
                "sha256": item["sha256"],
            }
        # Built once: the expressions depend only on the profiles and the processing time.
        self.rules = _rule_expressions(self)

    def version_attribute(self, expr: pl.Expr, name: str, dtype: pl.DataType) -> pl.Expr:
        mapping = {v: a[name] for v, a in self.versions.items() if a[name] is not None}
        if not mapping:
            return pl.lit(None, dtype=dtype)
        return expr.replace_strict(mapping, default=None, return_dtype=dtype)


class _Totals:
    def __init__(self) -> None:
        self.total = 0
        self.accepted = 0
        self.rejected = 0
        self.warned = 0
        self.by_code: dict[str, int] = dict.fromkeys(ROW_CODE_ORDER, 0)
        self.pending: list[np.ndarray] = []
        self.consultations: set[str] = set()
        self.versions: set[str] = set()

    @property
    def pending_rows(self) -> int:
        return sum(len(p) for p in self.pending)


def evaluate(
    table: Any,
    *,
    vendor: dict[str, Any],
    buyer: dict[str, Any],
    rpo: RpoIndex,
    objections: ObjectionIndex | None,
    now: datetime,
    mode: Mode,
    chunk_rows: int = 65536,
    on_accepted: Callable[[pl.DataFrame], None] | None = None,
    on_report: Callable[[pl.DataFrame], None] | None = None,
    on_unchecked: Callable[[pl.Series], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Run ruleset 1 over a table and return the batch outcome.

    ``table`` is an ingest ``Table`` (``columns`` and ``iter_chunks(rows)``). Profiles are
    validated (defaults applied; ``ValidationFailed`` if invalid). ``now`` is the processing
    time (timezone-aware). Callbacks receive, chunk by chunk:

    - ``on_accepted``: accepted rows, the table's columns (``phone`` in E.164) and ``_row``;
    - ``on_report``: rejected and warned rows, ``_row``, ``status``, ``codes``, ``warnings``
      and every canonical input column as given;
    - ``on_unchecked`` (service mode, only when the decision is ``awaiting_rpo``): the distinct
      E.164 numbers to submit to the RPO, possibly in several series;
    - ``on_progress``: rows judged so far.

    A file-level ``FileRejected`` raised by the table propagates; whatever the callbacks
    received before is then void.
    """
    if mode not in ("service", "offline"):
        raise ValueError(f"mode must be 'service' or 'offline', not {mode!r}")
    vendor = validate_vendor_profile(vendor)
    buyer = validate_buyer_profile(buyer)
    ctx = _Context(vendor, buyer, now)
    rpo = rpo.valid_at(ctx.now)
    totals = _Totals()
    seen = SeenNumbers()
    columns = list(table.columns)
    # A pipeline of threads (polars and numpy release the GIL): one reads chunks, one
    # classifies the phone numbers of the chunk read before, and this one judges the chunk
    # classified before that, with two helper threads judging its other columns (the consent
    # times, the costliest, in one; everything else in the other).
    chunks = read_ahead(_classified(read_ahead(table.iter_chunks(chunk_rows))))
    try:
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="rules") as helper:
            for chunk, phones in chunks:
                _judge_chunk(
                    chunk,
                    phones,
                    columns,
                    ctx,
                    rpo,
                    objections,
                    mode,
                    seen,
                    totals,
                    helper,
                    on_accepted,
                    on_report,
                )
                if on_progress is not None:
                    on_progress(totals.total)
    finally:
        # Stops the pipeline's threads now, also when judging failed.
        chunks.close()
    return _decide(ctx, rpo, mode, totals, on_unchecked, chunk_rows)


def _classified(chunks: Iterator[pl.DataFrame]) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Each non-empty chunk with its phone numbers classified, and their keys (``_key``).

    Run in a thread of its own between the reader and the judging thread: classifying is the
    longest single step of a chunk, and it needs nothing from the chunks before.
    """
    try:
        for chunk in chunks:
            if chunk.height:
                phones = classify_phones(_text(chunk, "phone"))
                keys = e164_keys(phones.get_column("phone_e164")).alias("_key")
                yield chunk, phones.with_columns(keys)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def _text(chunk: pl.DataFrame, name: str) -> pl.Series:
    if name in chunk.columns:
        return chunk.get_column(name).cast(pl.Utf8)
    return pl.repeat(None, chunk.height, dtype=pl.Utf8, eager=True).alias(name)


def _judge_chunk(
    chunk: pl.DataFrame,
    phones: pl.DataFrame,
    columns: list[str],
    ctx: _Context,
    rpo: RpoIndex,
    objections: ObjectionIndex | None,
    mode: Mode,
    seen: SeenNumbers,
    totals: _Totals,
    helper: ThreadPoolExecutor,
    on_accepted: Callable[[pl.DataFrame], None] | None,
    on_report: Callable[[pl.DataFrame], None] | None,
) -> None:
    n = chunk.height
    inputs = pl.DataFrame([_text(chunk, name) for name in CANONICAL_COLUMNS])
    malformed = chunk.get_column("_malformed").fill_null(False)
    ok = ~malformed

    consent_future = helper.submit(parse_timestamps, inputs.get_column("consent_timestamp"))
    fields_future = helper.submit(_field_checks, inputs, ctx)

    status = phones.get_column("phone_status")
    e164 = phones.get_column("phone_e164")
    keys = phones.get_column("_key")
    key_values = keys.fill_null(NULL_KEY).to_numpy()
    # Malformed rows take part in no number-based rule (their fields are misaligned).
    judged = np.where(malformed.to_numpy(), NULL_KEY, key_values)
    repeat = seen.mark(judged)
    italian = ok & (status == VALID)
    answer, registered_raw = rpo.answer_keys(np.where(italian.to_numpy(), key_values, NULL_KEY))
    covered = answer >= 0
    registered = covered & (registered_raw != NOT_REGISTERED)
    # Registration instants in microseconds; null when unknown (or not registered).
    known = registered & (registered_raw != DATE_UNKNOWN)
    registered_us = pl.Series(
        "_registered_us", np.where(known, registered_raw, 0) * 1_000_000, dtype=pl.Int64
    )
    if not known.all():
        registered_us = registered_us.scatter(np.flatnonzero(~known), None)
    ids = rpo.ids
    totals.consultations.update(ids[i] for i in np.unique(answer[covered]))
    if objections is not None and len(objections):
        objected = pl.Series(objections.lookup_keys(judged), dtype=pl.Boolean)
    else:
        objected = pl.repeat(False, n, dtype=pl.Boolean, eager=True)

    work = pl.DataFrame(
        [
            malformed.alias("_malformed"),
            status.alias("_status"),
            phones.get_column("phone_type").alias("_type"),
            pl.Series("_repeat", repeat, dtype=pl.Boolean),
            pl.Series("_covered", covered, dtype=pl.Boolean),
            pl.Series("_registered", registered, dtype=pl.Boolean),
            registered_us,
            objected.alias("_objected"),
            *fields_future.result().get_columns(),
            consent_future.result().alias("_consent"),
            *inputs.get_columns(),
        ]
    )
    flags = work.select(ctx.rules)
    reject_codes = [c for c in ROW_CODE_ORDER if c not in WARNING_CODES]
    warning_codes = list(WARNING_CODES)
    if ctx.reject_pre_gdpr:
        reject_codes = [c for c in ROW_CODE_ORDER if c != "RPO_REGISTERED_CONSENT_AFTER"]
        warning_codes = ["RPO_REGISTERED_CONSENT_AFTER"]
    summary = flags.select(
        pl.any_horizontal(reject_codes).alias("rejected"),
        pl.any_horizontal(warning_codes).alias("warned"),
        (
            pl.col("RPO_NOT_CHECKED")
            & ~pl.any_horizontal([c for c in reject_codes if c != "RPO_NOT_CHECKED"])
        ).alias("pending"),
    )
    rejected = summary.get_column("rejected")
    warned = summary.get_column("warned")
    accepted = ~rejected

    counts = flags.select(pl.all().sum()).row(0, named=True)
    for code, value in counts.items():
        totals.by_code[code] += int(value)
    n_rejected = int(rejected.sum())
    totals.total += n
    totals.rejected += n_rejected
    totals.accepted += n - n_rejected
    totals.warned += int(warned.sum())

    if mode == "service":
        pending = summary.get_column("pending")
        if pending.any():
            totals.pending.append(keys.filter(pending).to_numpy())
    versions = inputs.get_column("informativa_version").filter(accepted).drop_nulls().unique()
    totals.versions.update(v for v in versions.to_list() if v in ctx.versions)

    if on_accepted is not None and n_rejected < n:
        out = chunk.with_columns(e164.alias("phone")) if "phone" in chunk.columns else chunk
        on_accepted(out.filter(accepted).select([*columns, "_row"]))

    if on_report is not None:
        report_mask = rejected | warned
        if report_mask.any():
            listed = flags.filter(report_mask)
            report = pl.DataFrame(
                [
                    chunk.get_column("_row").filter(report_mask).cast(pl.Int64).alias("_row"),
                    pl.Series("status", ["rejected", "accepted"], dtype=pl.Utf8).gather(
                        accepted.filter(report_mask).cast(pl.UInt32)
                    ),
                    _code_lists(listed, reject_codes, "codes"),
                    _code_lists(listed, warning_codes, "warnings"),
                    *inputs.filter(report_mask).get_columns(),
                ]
            )
            on_report(report)


def _field_checks(inputs: pl.DataFrame, ctx: _Context) -> pl.DataFrame:
    """Checks of the non-phone columns, one column each, for the rule expressions."""
    # Checks that are plain expressions run in one select, in parallel across columns.
    checks = inputs.select(
        email_expr(pl.col("email")).alias("_email_ok"),
        postal_code_expr(pl.col("postal_code")).alias("_cap_ok"),
        ip_address_expr(pl.col("consent_ip")).alias("_ip_ok"),
        yes_expr(pl.col("consent_third_party")).alias("_third_yes"),
        http_url_expr(pl.col("consent_source")).alias("_is_url"),
        declared_host_expr(pl.col("consent_source"), ctx.domains).alias("_host_ok"),
    )
    return checks.with_columns(
        _same_entity(inputs.get_column("collected_by"), ctx.legal_entity).alias("_same_entity"),
        is_fiscal_code(inputs.get_column("fiscal_code")).alias("_cf_ok"),
        parse_timestamps(inputs.get_column("double_optin_at")).alias("_optin"),
    )


def _same_entity(collected_by: pl.Series, legal_entity: str) -> pl.Series:
    """Whether each collector is the vendor's legal entity (null where none is given).

    A column holds few distinct collectors, so each is normalised once.
    """
    distinct = collected_by.drop_nulls().unique()
    same = distinct.filter(
        distinct.to_frame().select(_norm_id(pl.col(distinct.name)) == legal_entity).to_series()
    )
    return collected_by.is_in(same.to_list())


def _code_lists(flags: pl.DataFrame, codes: list[str], name: str) -> pl.Series:
    """For each row, the codes whose flag is set, in the given order.

    Rows are few distinct combinations of codes, so each row's combination is encoded as a bit
    mask and the lists are built once per distinct mask, then gathered for every row.
    """
    masks = np.zeros(flags.height, dtype=np.int64)
    for bit, code in enumerate(codes):
        masks |= flags.get_column(code).to_numpy().astype(np.int64) << bit
    distinct, which = np.unique(masks, return_inverse=True)
    lists = pl.Series(
        name,
        [[c for i, c in enumerate(codes) if m >> i & 1] for m in distinct.tolist()],
        dtype=pl.List(pl.Utf8),
    )
    return lists.gather(which.astype(np.uint32))


def _rule_expressions(ctx: _Context) -> list[pl.Expr]:
    """One Boolean expression per row code, named by the code, in table order."""
    c = pl.col
    ok = ~c("_malformed")
    status = c("_status")
    consent = c("_consent")
    optin = c("_optin")
    source = c("consent_source")
    version = c("informativa_version")
    known = version.is_in(list(ctx.versions)).fill_null(False)
    effective_from = ctx.version_attribute(version, "from_us", pl.Int64)
    effective_until = ctx.version_attribute(version, "until_us", pl.Int64)
    covers = ctx.version_attribute(version, "covers", pl.Boolean)
    consent_us = consent.dt.epoch("us")
    optin_us = optin.dt.epoch("us")
    consent_second_us = consent_us // 1_000_000 * 1_000_000  # floor to the second
    declared = source.is_in(ctx.source_ids).fill_null(False) | (c("_is_url") & c("_host_ok"))
    web = c("_is_url") | source.is_in(ctx.web_ids).fill_null(False)
    optin_given = c("double_optin_at").is_not_null()
    optin_bad = optin_given & (optin.is_null() | (optin_us < consent_us).fill_null(False))
    proof_ref = c("proof_ref").is_not_null()
    ip_given = c("consent_ip").is_not_null()
    documented = (optin_given & ~optin_bad) | (proof_ref & (~web | (ip_given & c("_ip_ok"))))
    italian = ok & (status == VALID)
    registered = italian & c("_covered") & c("_registered")
    registration_first = (c("_registered_us") < consent_second_us).fill_null(False)
    too_old = (consent_us < ctx.oldest_us).fill_null(False) if ctx.oldest_us is not None else False
    rules: dict[str, pl.Expr] = {
        "ROW_MALFORMED": c("_malformed"),
        "PHONE_MISSING": ok & (status == MISSING),
        "PHONE_INVALID": ok & (status == INVALID),
        "PHONE_NOT_ITALIAN": ok & (status == NOT_ITALIAN),
        "PHONE_TYPE_NOT_ALLOWED": italian & ~c("_type").is_in(ctx.allowed_types).fill_null(False),
        "PHONE_DUPLICATE": ok & c("_repeat"),
        "EMAIL_INVALID": ok & c("email").is_not_null() & ~c("_email_ok"),
        "FISCAL_CODE_INVALID": ok & c("fiscal_code").is_not_null() & ~c("_cf_ok"),
        "POSTAL_CODE_INVALID": ok & c("postal_code").is_not_null() & ~c("_cap_ok"),
        "CONSENT_SOURCE_MISSING": ok & source.is_null(),
        "CONSENT_SOURCE_UNDECLARED": ok & source.is_not_null() & ~declared,
        "CONSENT_TIMESTAMP_MISSING": ok & c("consent_timestamp").is_null(),
        "CONSENT_TIMESTAMP_INVALID": ok & c("consent_timestamp").is_not_null() & consent.is_null(),
        "CONSENT_TIMESTAMP_FUTURE": ok & (consent_us > ctx.future_limit_us).fill_null(False),
        "INFORMATIVA_MISSING": ok & version.is_null(),
        "INFORMATIVA_UNKNOWN": ok & version.is_not_null() & ~known,
        "INFORMATIVA_NOT_IN_EFFECT": ok
        & known
        & (
            (consent_us < effective_from).fill_null(False)
            | (consent_us >= effective_until).fill_null(False)
        ),
        "THIRD_PARTY_CONSENT_MISSING": ok & ~c("_third_yes"),
        "SECTOR_NOT_COVERED": ok & known & ~covers.fill_null(False),
        "CASCADING_TRANSFER": ok & c("collected_by").is_not_null() & ~c("_same_entity"),
        "CONSENT_IP_INVALID": ok & ip_given & ~c("_ip_ok"),
        "DOUBLE_OPTIN_INVALID": ok & optin_bad,
        "CONSENT_PROOF_MISSING": ok & ~documented if ctx.require_proof else pl.lit(False),
        "CONSENT_TOO_OLD": ok & too_old,
        "CONSENT_PRE_GDPR": ok & (consent_us < ctx.gdpr_us).fill_null(False),
        "RPO_NOT_CHECKED": italian & ~c("_covered"),
        "RPO_REGISTERED": registered & ~registration_first,
        "RPO_REGISTERED_CONSENT_AFTER": registered & registration_first,
        "OBJECTION_RECORDED": ok & c("_objected"),
    }
    assert tuple(rules) == ROW_CODE_ORDER
    return [expr.fill_null(False).alias(code) for code, expr in rules.items()]


def _batch_reasons(ctx: _Context, total: int, accepted: int, rejected: int) -> list[str]:
    if total == 0:
        return ["FILE_EMPTY"]
    reasons = []
    if Fraction(rejected, total) > ctx.max_ratio:
        reasons.append("BATCH_REJECTION_RATIO_EXCEEDED")
    if accepted == 0:
        reasons.append("BATCH_NO_ACCEPTED_ROWS")
    return reasons


def _decide(
    ctx: _Context,
    rpo: RpoIndex,
    mode: Mode,
    totals: _Totals,
    on_unchecked: Callable[[pl.Series], None] | None,
    chunk_rows: int,
) -> Outcome:
    reasons = _batch_reasons(ctx, totals.total, totals.accepted, totals.rejected)
    decision: Literal["certified", "rejected", "awaiting_rpo"]
    decision = "rejected" if reasons else "certified"
    unchecked = 0
    pending = totals.pending_rows
    if mode == "service" and pending:
        best = _batch_reasons(
            ctx, totals.total, totals.accepted + pending, totals.rejected - pending
        )
        if not best:
            decision = "awaiting_rpo"
            reasons = ["RPO_NOT_CHECKED"]
            unchecked = pending
            if on_unchecked is not None:
                for part in totals.pending:
                    for start in range(0, len(part), chunk_rows):
                        on_unchecked(keys_to_e164(part[start : start + chunk_rows]))
    used = sorted(
        ({"id": cid, "consulted_at": rpo.consulted_at(cid)} for cid in totals.consultations),
        key=lambda c: (c["consulted_at"], c["id"]),
    )
    valid_until = used[0]["consulted_at"] + timedelta(days=RPO_VALIDITY_DAYS) if used else None
    informative = [
        {"version": v, "sha256": ctx.versions[v]["sha256"]} for v in sorted(totals.versions)
    ]
    by_code = {code: n for code, n in totals.by_code.items() if n}
    return Outcome(
        decision=decision,
        batch_reasons=reasons,
        counts={
            "total": totals.total,
            "accepted": totals.accepted,
            "rejected": totals.rejected,
            "warned": totals.warned,
            "by_code": by_code,
        },
        rpo_consultations=used,
        informative=informative,
        ruleset=ruleset_info(),
        valid_until=valid_until,
        unchecked_numbers=unchecked,
    )
