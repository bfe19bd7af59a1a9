"""One contract, two backends: the local folder and S3 (under moto)."""

from __future__ import annotations

import io
import threading

import boto3
import pytest
from moto import mock_aws

from gateway.storage import (
    LocalObjectStore,
    ObjectNotFound,
    PreconditionFailed,
    S3ObjectStore,
    open_store,
)
from gateway.storage import local as local_module
from gateway.storage import s3 as s3_module


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        yield LocalObjectStore(tmp_path / "store")
        return
    with mock_aws():
        client = boto3.client("s3", region_name="eu-south-1")
        client.create_bucket(
            Bucket="gateway-test",
            CreateBucketConfiguration={"LocationConstraint": "eu-south-1"},
        )
        yield S3ObjectStore("gateway-test", "tenant/a", client=client)


def test_put_get_roundtrip_with_etag(store):
    etag = store.put("a/b.json", b'{"x": 1}')
    obj = store.get("a/b.json")
    assert obj.data == b'{"x": 1}'
    assert obj.etag == etag
    assert obj.json() == {"x": 1}
    assert store.size("a/b.json") == 8
    assert store.exists("a/b.json")


def test_missing_key_raises_not_found(store):
    with pytest.raises(ObjectNotFound):
        store.get("nope")
    with pytest.raises(ObjectNotFound):
        store.open("nope")
    with pytest.raises(FileNotFoundError):
        store.size("nope")
    assert not store.exists("nope")


def test_create_if_absent_refuses_second_create(store):
    store.put("claims/x", b"first", if_none_match=True)
    with pytest.raises(PreconditionFailed):
        store.put("claims/x", b"second", if_none_match=True)
    assert store.get("claims/x").data == b"first"


def test_compare_and_swap_accepts_current_etag_only(store):
    etag1 = store.put("m.json", b"v1")
    etag2 = store.put("m.json", b"v2", if_match=etag1)
    with pytest.raises(PreconditionFailed):
        store.put("m.json", b"v3", if_match=etag1)
    assert store.get("m.json").data == b"v2"
    store.put("m.json", b"v3", if_match=etag2)
    assert store.get("m.json").data == b"v3"


def test_compare_and_swap_on_missing_key_fails(store):
    with pytest.raises(PreconditionFailed):
        store.put("absent.json", b"v", if_match='"0123"')


def test_streaming_writer_is_invisible_until_commit(store, monkeypatch):
    monkeypatch.setattr(s3_module, "PART_SIZE", 5 * 1024 * 1024)
    # The local writer hands what it wrote to the kernel every few megabytes.
    monkeypatch.setattr(local_module, "_WRITEBACK_BYTES", 3 * 1024 * 1024)
    chunks = [bytes([65 + i]) * (1 << 20) for i in range(12)]  # 1 MiB each, told apart
    with store.writer("big/upload") as out:
        for chunk in chunks:
            out.write(chunk)
            assert not store.exists("big/upload")
    assert store.size("big/upload") == 12 * (1 << 20)
    with store.open("big/upload") as src:
        assert src.read() == b"".join(chunks)


def test_aborted_writer_leaves_nothing_after_writeback_started(store, monkeypatch):
    monkeypatch.setattr(local_module, "_WRITEBACK_BYTES", 1 << 20)
    with pytest.raises(RuntimeError), store.writer("partial/big") as out:
        for _ in range(3):
            out.write(b"y" * (1 << 20))
        raise RuntimeError("client went away")
    assert not store.exists("partial/big")
    assert list(store.list("partial/")) == []


def test_aborted_writer_leaves_nothing(store):
    with pytest.raises(RuntimeError), store.writer("partial/upload") as out:
        out.write(b"x" * 1000)
        raise RuntimeError("client went away")
    assert not store.exists("partial/upload")
    assert list(store.list("partial/")) == []


def test_streaming_writer_create_if_absent(store):
    store.put("once", b"a")
    with pytest.raises(PreconditionFailed), store.writer("once", if_none_match=True) as out:
        out.write(b"b")
    assert store.get("once").data == b"a"


def test_list_by_prefix_sorted_with_start_after(store):
    for key in ["idx/b/2", "idx/a/1", "idx/a/3", "idx/c", "other/z"]:
        store.put(key, b"")
    assert list(store.list("idx/")) == ["idx/a/1", "idx/a/3", "idx/b/2", "idx/c"]
    assert list(store.list("idx/a/")) == ["idx/a/1", "idx/a/3"]
    assert list(store.list("idx/", start_after="idx/a/3")) == ["idx/b/2", "idx/c"]
    assert list(store.list("missing/")) == []


def test_delete_is_idempotent(store):
    store.put("d", b"1")
    store.delete("d")
    store.delete("d")
    assert not store.exists("d")


def test_copy_from_stream(store):
    etag = store.copy_from("copied", io.BytesIO(b"hello" * 1000))
    assert store.get("copied").etag == etag
    assert store.size("copied") == 5000


def test_racing_compare_and_swap_updates_lose_no_increment(store):
    if isinstance(store, S3ObjectStore):
        # moto's in-memory S3 closes an object's buffer while another thread still reads it
        # when two threads write one key; the conditional-write semantics themselves are
        # covered for S3 by the sequential compare-and-swap tests above.
        pytest.skip("moto's S3 is not safe for concurrent writes to one key")
    store.put_json("counter.json", {"n": 0})

    def bump() -> None:
        for _ in range(10):
            while True:
                current = store.get("counter.json")
                try:
                    store.put_json("counter.json", {"n": current.json()["n"] + 1},
                                   if_match=current.etag)
                    break
                except PreconditionFailed:
                    continue

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.get_json("counter.json") == {"n": 40}


def test_keys_cannot_escape_the_store(store):
    from gateway.storage import StorageError

    for key in ["../etc/passwd", "/abs", "a/../../b"]:
        with pytest.raises(StorageError):
            store.put(key, b"x")


def test_open_store_by_url(tmp_path):
    local = open_store((tmp_path / "s").as_uri())
    assert isinstance(local, LocalObjectStore)
    with mock_aws():
        s3 = open_store("s3://bucket/some/prefix")
        assert isinstance(s3, S3ObjectStore)
        assert s3.prefix == "some/prefix/"
