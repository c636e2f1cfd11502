"""Test fixtures: a real SMTP server on 127.0.0.1 (aiosmtpd) with plain, STARTTLS or implicit TLS and
AUTH, a certificate authority made in the test (cryptography), and an in-memory keyring."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError

HOST = "127.0.0.1"
USER = "billing@example.com"
PASSWORD = "s3cret-Pässword-7f2a9c"  # distinctive, so a grep for it finds nothing but real leaks


class MemoryKeyring(KeyringBackend):
    """A keyring that forgets everything when the test ends."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


class RefusingKeyring(MemoryKeyring):
    """A keyring that is there but refuses to store (locked, or access denied)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the keyring is locked")


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Never touch the machine's real keyring in tests."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@dataclass
class Received:
    """One message as the server got it: the envelope and the raw bytes."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        # what travelled with CRLF line ends, read back as the sender wrote it
        parsed = BytesParser(policy=policy.default).parsebytes(self.data.replace(b"\r\n", b"\n"))
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The aiosmtpd handler: refuses listed recipients, keeps every accepted message."""

    refuse: set[str] = field(default_factory=set)
    messages: list[Received] = field(default_factory=list)
    reject_data: bool = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reject_data:
            return "554 5.7.1 message refused by policy"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 2.0.0 queued"


@dataclass(frozen=True)
class Certs:
    ca_file: Path
    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context


def make_certs(folder: Path) -> Certs:
    """A throw-away CA and a server certificate for 127.0.0.1 and localhost."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Invoicer test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    files = Certs(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    files.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return files


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running test server: where it listens and what it received."""

    port: int
    security: str
    recorder: Recorder
    controller: Controller
    logins: list[tuple[str, str]]

    running: bool = True

    @property
    def messages(self) -> list[Received]:
        return self.recorder.messages

    def stop(self) -> None:
        """The server goes away (what a test of an unreachable server needs mid-way)."""
        if self.running:
            self.controller.stop()
            self.running = False


def _authenticator(users: dict[str, str], logins: list[tuple[str, str]]) -> Callable[..., AuthResult]:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        logins.append((login, password))
        return AuthResult(success=users.get(login) == password, handled=False)

    return check


ServerFactory = Callable[..., Server]


@pytest.fixture
def smtp_server(certs: Certs, monkeypatch: pytest.MonkeyPatch) -> Iterator[ServerFactory]:
    """Start servers on 127.0.0.1 (random free ports); clients trust the test CA via SSL_CERT_FILE."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    started: list[Server] = []

    def start(
        security: str = "starttls", users: dict[str, str] | None = None, refuse: set[str] | None = None,
        reject_data: bool = False,
    ) -> Server:
        recorder = Recorder(refuse or set(), reject_data=reject_data)
        logins: list[tuple[str, str]] = []
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            kwargs.update(tls_context=certs.server_context(), require_starttls=True)
        elif security == "ssl":
            kwargs.update(ssl_context=certs.server_context())
        if users is not None:
            kwargs.update(
                authenticator=_authenticator(users, logins), auth_required=True,
                # aiosmtpd counts only STARTTLS as TLS; an implicit-TLS connection is encrypted too
                auth_require_tls=security == "starttls",
            )
        port = free_port()
        controller = Controller(recorder, hostname=HOST, port=port, server_hostname="localhost", **kwargs)
        controller.start()
        server = Server(port, security, recorder, controller, logins)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
