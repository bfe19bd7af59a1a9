"""Signing backends: a local P-256 key file (the embedded default) and an AWS KMS key.

Both produce ES256 signatures in the JWS form (64 bytes, ``r || s``) and name their key by its
RFC 7638 thumbprint. A signer given a ``registry`` store publishes its public key there before
its first signature, so nothing is ever signed with a key verifiers cannot find.
"""

from __future__ import annotations

import abc
import contextlib
import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ..config import Config
from ..storage import ObjectStore
from . import jws
from .errors import SignerMisconfigured, SignerUnavailable
from .registry import publish_key

KMS_PREFIX = "kms:"


class Signer(abc.ABC):
    """A P-256 key that signs ES256: ``kid``, ``public_jwk()`` and ``sign(data)``."""

    backend: ClassVar[str]

    def __init__(self, *, registry: ObjectStore | None = None) -> None:
        self.registry = registry
        self._published = False

    @property
    def kid(self) -> str:
        """The key's RFC 7638 thumbprint (SHA-256, base64url)."""
        return self.public_jwk()["kid"]

    @abc.abstractmethod
    def public_jwk(self) -> dict[str, str]:
        """Return the public key as a JWK with ``kid``, ``alg`` and ``use``."""

    def sign(self, data: bytes) -> bytes:
        """Sign ``data`` with ES256 and return the raw 64-byte ``r || s`` signature.

        The signature is checked against the public key before it is returned, so a backend
        that signs the wrong bytes fails here instead of issuing an unverifiable certificate.
        """
        jwk = self.public_jwk()
        if self.registry is not None and not self._published:
            publish_key(self.registry, self)
            self._published = True
        signature = self._sign(data)
        if not verify_signature(jwk, data, signature):
            raise SignerUnavailable(
                f"The {self.backend} signer returned a signature that does not verify with key "
                f"{jwk['kid']}; nothing was signed.",
                message_it=f"Il servizio di firma {self.backend} ha restituito una firma che non "
                f"si verifica con la chiave {jwk['kid']}; non è stato firmato nulla.",
            )
        return signature

    @abc.abstractmethod
    def _sign(self, data: bytes) -> bytes:
        """Return the raw ``r || s`` ES256 signature of ``data``."""

    def registry_details(self) -> dict[str, str]:
        """Return extra, non-secret facts to store in the key's registry record."""
        return {}


def verify_signature(jwk: dict[str, Any], data: bytes, signature: bytes) -> bool:
    """Tell whether a raw ES256 signature of ``data`` verifies with a P-256 public JWK."""
    try:
        der = jws.raw_to_der(signature)
        jws.public_key_from_jwk(jwk).verify(der, data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


class LocalSigner(Signer):
    """A P-256 key kept as a PEM file (mode 0600) in a key directory (mode 0700).

    The key is created on first use. ``rotate`` adds a new key and makes it current; old key
    files stay, and the file ``current`` names the key in use. A process picks its key once and
    keeps it, so a rotation reaches a running server when it restarts.
    """

    backend = "local"
    CURRENT = "current"

    def __init__(
        self, key_dir: str | os.PathLike[str], *, registry: ObjectStore | None = None
    ) -> None:
        super().__init__(registry=registry)
        self.key_dir = Path(key_dir)
        self._key: ec.EllipticCurvePrivateKey | None = None
        self._jwk: dict[str, str] | None = None
        self._lock = threading.Lock()

    def public_jwk(self) -> dict[str, str]:
        """Return the current key's public JWK, creating the key on first use."""
        return dict(self._current()[1])

    def _sign(self, data: bytes) -> bytes:
        key, _ = self._current()
        return jws.der_to_raw(key.sign(data, ec.ECDSA(hashes.SHA256())))

    def rotate(self) -> str:
        """Create a new key, make it current (here and for processes started later), return its kid.

        Old keys are kept. With a registry the new key is published at once, so verifiers can
        fetch it before the first certificate it signs.
        """
        with self._lock, self._dir_locked():
            kid = self._create_key()
            self._use(kid)
            self._published = False
        if self.registry is not None:
            publish_key(self.registry, self)
            self._published = True
        return kid

    def kids(self) -> list[str]:
        """Return the kid of every key file in the directory."""
        if not self.key_dir.is_dir():
            return []
        return sorted(path.stem for path in self.key_dir.glob("*.pem"))

    def _current(self) -> tuple[ec.EllipticCurvePrivateKey, dict[str, str]]:
        with self._lock:
            if self._key is None:
                with self._dir_locked():
                    kid = self._read_current() or self._create_key()
                    self._use(kid)
            assert self._key is not None and self._jwk is not None
            return self._key, self._jwk

    @contextlib.contextmanager
    def _dir_locked(self) -> Iterator[None]:
        # Two processes starting together must not both create a first key.
        if not self.key_dir.is_dir():
            self.key_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.key_dir, 0o700)  # mkdir's mode is filtered by the umask
        fd = os.open(self.key_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_current(self) -> str | None:
        try:
            kid = (self.key_dir / self.CURRENT).read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return None
        return kid or None

    def _create_key(self) -> str:
        key = ec.generate_private_key(ec.SECP256R1())
        kid = jws.public_jwk(key.public_key())["kid"]
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        self._write_private(f"{kid}.pem", pem)
        self._write_private(self.CURRENT, kid.encode("ascii") + b"\n")
        return kid

    def _write_private(self, name: str, data: bytes) -> None:
        # mkstemp creates the file with mode 0600 before any byte is written, and the rename
        # makes it appear whole or not at all.
        fd, tmp = tempfile.mkstemp(dir=self.key_dir, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), 0o600)
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.key_dir / name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def _use(self, kid: str) -> None:
        path = self.key_dir / f"{kid}.pem"
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except FileNotFoundError:
            raise SignerUnavailable(
                f"The current signing key {kid} has no key file in {self.key_dir}.",
                message_it=f"La chiave di firma corrente {kid} non ha un file in {self.key_dir}.",
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
            key.curve, ec.SECP256R1
        ):
            raise SignerUnavailable(f"The key file {path.name} does not hold a P-256 key.")
        jwk = jws.public_jwk(key.public_key())
        if jwk["kid"] != kid:
            raise SignerUnavailable(f"The key file {path.name} holds key {jwk['kid']}, not {kid}.")
        self._key, self._jwk = key, jwk


class KmsSigner(Signer):
    """An AWS KMS asymmetric key (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY).

    The private key never leaves KMS. Messages up to KMS's 4096-byte limit are sent as they
    are (``MessageType=RAW``); longer ones as their SHA-256 (``MessageType=DIGEST``), which
    gives the same ECDSA_SHA_256 signature.
    """

    backend = "kms"
    MAX_RAW_MESSAGE = 4096

    def __init__(
        self, key_id: str, client: Any = None, *, registry: ObjectStore | None = None
    ) -> None:
        super().__init__(registry=registry)
        if client is None:
            from ..aws import make_client

            client = make_client("kms")
        self.key_id = key_id
        self._client = client
        self._jwk: dict[str, str] | None = None
        self._arn: str | None = None
        self._lock = threading.Lock()

    def public_jwk(self) -> dict[str, str]:
        """Return the KMS key's public JWK (fetched once with GetPublicKey)."""
        with self._lock:
            if self._jwk is None:
                self._load()
            assert self._jwk is not None
            return dict(self._jwk)

    def registry_details(self) -> dict[str, str]:
        """Name the KMS key (its ARN) in the registry record."""
        self.public_jwk()
        return {"kms_key_id": self._arn or self.key_id}

    def _load(self) -> None:
        response = self._call("GetPublicKey", self._client.get_public_key, KeyId=self.key_id)
        # GetPublicKey reports KeySpec; older responses (and moto) only CustomerMasterKeySpec.
        spec = response.get("KeySpec") or response.get("CustomerMasterKeySpec")
        problem = None
        if response.get("KeyUsage") != "SIGN_VERIFY":
            problem = f"key usage is {response.get('KeyUsage')}, not SIGN_VERIFY"
        elif spec != "ECC_NIST_P256":
            problem = f"key spec is {spec}, not ECC_NIST_P256"
        elif "ECDSA_SHA_256" not in response.get("SigningAlgorithms", []):
            problem = "the key does not offer ECDSA_SHA_256"
        if problem is None:
            public = serialization.load_der_public_key(response["PublicKey"])
            if isinstance(public, ec.EllipticCurvePublicKey):
                self._jwk = jws.public_jwk(public)
                self._arn = response.get("KeyId")
                return
            problem = "the public key is not an elliptic-curve key"
        raise SignerUnavailable(
            f"KMS key {self.key_id} cannot sign ES256: {problem}.",
            message_it=f"La chiave KMS {self.key_id} non può firmare ES256: {problem}.",
        )

    def _sign(self, data: bytes) -> bytes:
        if len(data) <= self.MAX_RAW_MESSAGE:
            message, message_type = data, "RAW"
        else:
            message, message_type = hashlib.sha256(data).digest(), "DIGEST"
        response = self._call(
            "Sign",
            self._client.sign,
            KeyId=self.key_id,
            Message=message,
            MessageType=message_type,
            SigningAlgorithm="ECDSA_SHA_256",
        )
        try:
            return jws.der_to_raw(response["Signature"])
        except ValueError as exc:
            raise SignerUnavailable(f"KMS returned a malformed signature: {exc}.") from None

    def _call(self, operation: str, method: Any, **params: Any) -> dict[str, Any]:
        # AWS errors become the gateway's own here, at the boundary, and are never swallowed.
        try:
            return method(**params)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            detail = f"{error.get('Code', 'error')}: {error.get('Message', '')}".strip()
        except BotoCoreError as exc:
            detail = str(exc)
        raise SignerUnavailable(
            f"KMS {operation} failed for key {self.key_id} ({detail}); nothing was signed.",
            message_it=f"KMS {operation} non riuscito per la chiave {self.key_id} ({detail}); "
            "non è stato firmato nulla.",
        )


def make_signer(config: Config, store: ObjectStore | None, kms_client: Any = None) -> Signer:
    """Return the signer ``config.signer`` names (``local`` or ``kms:<key-id>``).

    Its public key is published in ``store`` before its first signature.
    """
    choice = config.signer.strip()
    if choice == "local":
        return LocalSigner(config.signing_key_dir, registry=store)
    if choice.startswith(KMS_PREFIX) and choice[len(KMS_PREFIX) :].strip():
        return KmsSigner(choice[len(KMS_PREFIX) :].strip(), kms_client, registry=store)
    raise SignerMisconfigured(
        f"GATEWAY_SIGNER={config.signer!r}: use 'local' or 'kms:<key-id>'.",
        message_it=f"GATEWAY_SIGNER={config.signer!r}: usare 'local' oppure 'kms:<id-chiave>'.",
    )
