"""The one place where boto3 clients are built.

Clients get explicit retry and timeout settings; the standard AWS environment (credentials,
region, ``AWS_ENDPOINT_URL``) applies as usual.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

_RETRIES = Config(
    retries={"max_attempts": 5, "mode": "standard"},
    connect_timeout=10,
    read_timeout=60,
)


def make_client(service: str, **kwargs: Any) -> Any:
    """Return a boto3 client for ``service`` with the gateway's retry configuration."""
    kwargs.setdefault("config", _RETRIES)
    if "region_name" not in kwargs and not (
        os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    ):
        kwargs["region_name"] = "eu-south-1"
    return boto3.client(service, **kwargs)
