"""Object store in an S3 bucket: conditional writes and multipart streaming uploads."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from botocore.exceptions import ClientError

from .base import ObjectStore, ObjectWriter, StoredObject
from .errors import ObjectNotFound, PreconditionFailed, StorageError

# S3 needs parts of at least 5 MiB except the last one.
PART_SIZE = 8 * 1024 * 1024

_NOT_FOUND = {"NoSuchKey", "404", "NotFound"}
_PRECONDITION = {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _translate(err: ClientError, key: str) -> Exception:
    code = _code(err)
    if code in _NOT_FOUND:
        return ObjectNotFound(key)
    if code in _PRECONDITION:
        return PreconditionFailed(key)
    return StorageError(f"S3 error on {key!r}: {code or err}")


class S3ObjectStore(ObjectStore):
    """Objects live under ``prefix`` in ``bucket``; the client is injected or built."""

    def __init__(self, bucket: str, prefix: str = "", *, client: Any = None) -> None:
        if client is None:
            from ..aws import make_client

            client = make_client("s3")
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.url = f"s3://{bucket}/{self.prefix}"

    def _key(self, key: str) -> str:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise StorageError(f"invalid key {key!r}")
        return self.prefix + key

    def get(self, key: str) -> StoredObject:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            raise _translate(err, key) from None
        return StoredObject(resp["Body"].read(), resp["ETag"])

    def open(self, key: str) -> BinaryIO:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            raise _translate(err, key) from None
        return resp["Body"]  # botocore StreamingBody: read(n), close()

    def size(self, key: str) -> int:
        try:
            resp = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            raise _translate(err, key) from None
        return int(resp["ContentLength"])

    def put(
        self, key: str, data: bytes, *, if_match: str | None = None, if_none_match: bool = False
    ) -> str:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key), "Body": data}
        if if_none_match:
            kwargs["IfNoneMatch"] = "*"
        if if_match is not None:
            kwargs["IfMatch"] = if_match
        try:
            resp = self.client.put_object(**kwargs)
        except ClientError as err:
            if if_match is not None and _code(err) in _NOT_FOUND:
                # S3 answers 404 when the object to compare against is gone: the swap lost.
                raise PreconditionFailed(key) from None
            raise _translate(err, key) from None
        return resp["ETag"]

    def writer(self, key: str, *, if_none_match: bool = False) -> ObjectWriter:
        return _S3Writer(self, key, if_none_match=if_none_match)

    def list(self, prefix: str, *, start_after: str | None = None) -> Iterator[str]:
        kwargs: dict[str, Any] = {"Bucket": self.bucket, "Prefix": self.prefix + prefix}
        if start_after is not None:
            kwargs["StartAfter"] = self.prefix + start_after
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(**kwargs):
                for item in page.get("Contents", []):
                    yield item["Key"][len(self.prefix) :]
        except ClientError as err:
            raise _translate(err, prefix) from None

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as err:
            raise _translate(err, key) from None


class _S3Writer(ObjectWriter):
    """Buffers up to one part; small objects are one PUT, large ones a multipart upload."""

    def __init__(self, store: S3ObjectStore, key: str, *, if_none_match: bool) -> None:
        self.store = store
        self.key = key
        self.if_none_match = if_none_match
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []
        self._done = False

    def write(self, data: bytes) -> int:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= PART_SIZE:
            self._flush_part()
        return len(data)

    def _flush_part(self) -> None:
        client, bucket, key = self.store.client, self.store.bucket, self.store._key(self.key)
        try:
            if self._upload_id is None:
                resp = client.create_multipart_upload(Bucket=bucket, Key=key)
                self._upload_id = resp["UploadId"]
            number = len(self._parts) + 1
            resp = client.upload_part(
                Bucket=bucket,
                Key=key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=bytes(self._buffer),
            )
        except ClientError as err:
            self.abort()
            raise _translate(err, self.key) from None
        self._parts.append({"ETag": resp["ETag"], "PartNumber": number})
        self._buffer = bytearray()

    def commit(self) -> str:
        if self._done:
            assert self.etag is not None
            return self.etag
        if self._upload_id is None:
            self.etag = self.store.put(
                self.key, bytes(self._buffer), if_none_match=self.if_none_match
            )
            self._done = True
            return self.etag
        if self._buffer:
            self._flush_part()
        kwargs: dict[str, Any] = {
            "Bucket": self.store.bucket,
            "Key": self.store._key(self.key),
            "UploadId": self._upload_id,
            "MultipartUpload": {"Parts": self._parts},
        }
        if self.if_none_match:
            kwargs["IfNoneMatch"] = "*"
        try:
            resp = self.store.client.complete_multipart_upload(**kwargs)
        except ClientError as err:
            self.abort()
            raise _translate(err, self.key) from None
        self._done = True
        self.etag = resp["ETag"]
        return self.etag

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._buffer = bytearray()
        if self._upload_id is not None:
            # An orphaned multipart upload is invisible to readers and a bucket lifecycle rule
            # (infra/) removes it; the error that caused the abort matters more.
            with contextlib.suppress(ClientError):
                self.store.client.abort_multipart_upload(
                    Bucket=self.store.bucket,
                    Key=self.store._key(self.key),
                    UploadId=self._upload_id,
                )
