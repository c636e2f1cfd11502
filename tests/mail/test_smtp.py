"""The SMTP layer against a real server on 127.0.0.1: each security mode, AUTH, and every failure typed."""

from __future__ import annotations

import socket
import threading
from email.message import EmailMessage

import pytest

from invoicer.mail import smtp
from invoicer.mail.smtp import SmtpConfig
from tests.mail.smtp_server import HOST, PASSWORD, USER, ServerFactory, free_port


def _message(to: str = "ap@acme.example") -> EmailMessage:
    message = EmailMessage()
    message["From"] = USER
    message["To"] = to
    message["Subject"] = "Grüße"
    message.set_content("Hallo Welt\n.\nEnde\n")
    return message


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
@pytest.mark.parametrize("security", ["starttls", "ssl", "none"])
def test_each_security_mode_logs_in_and_delivers(smtp_server: ServerFactory, security: str) -> None:
    server = smtp_server(security, users={USER: PASSWORD})
    config = SmtpConfig(HOST, server.port, security, USER, timeout=5)
    with smtp.connect(config, PASSWORD) as connection:
        connection.send(_message(), USER, ["ap@acme.example", USER])
    assert server.logins == [(USER, PASSWORD)]
    [received] = server.messages
    assert received.rcpt_tos == ["ap@acme.example", USER]
    assert received.message["Subject"] == "Grüße"
    assert received.message.get_content() == "Hallo Welt\n.\nEnde\n"  # dot-stuffing round-trips


def test_check_connection_without_login(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls")
    smtp.check_connection(SmtpConfig(HOST, server.port, "starttls", timeout=5), None)
    assert server.messages == []


def test_wrong_password_is_an_auth_error(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls", users={USER: PASSWORD})
    with pytest.raises(smtp.MailAuthError, match=r"refused the login for 'billing@example.com'"):
        smtp.check_connection(SmtpConfig(HOST, server.port, "starttls", USER, timeout=5), "wrong")


def test_refused_recipient_sends_nothing_to_anyone(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls", users={USER: PASSWORD}, refuse={"gone@acme.example"})
    config = SmtpConfig(HOST, server.port, "starttls", USER, timeout=5)
    with smtp.connect(config, PASSWORD) as connection:
        with pytest.raises(smtp.MailRecipientError, match=r"gone@acme.example") as err:
            connection.send(_message(), USER, ["ap@acme.example", "gone@acme.example"])
        assert err.value.refused == ("gone@acme.example",)
        connection.send(_message(), USER, ["ap@acme.example"])  # the session is still usable
    assert [m.rcpt_tos for m in server.messages] == [["ap@acme.example"]]


def test_message_refused_at_data(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls", reject_data=True)
    with (
        smtp.connect(SmtpConfig(HOST, server.port, "starttls", timeout=5), None) as connection,
        pytest.raises(smtp.MailRejectedError, match="554"),
    ):
        connection.send(_message(), USER, ["ap@acme.example"])


def test_nobody_listening_is_unreachable() -> None:
    port = free_port()
    with pytest.raises(smtp.MailUnreachableError, match=f"127.0.0.1:{port} refused the connection"):
        smtp.check_connection(SmtpConfig(HOST, port, "starttls", timeout=5), None)


def test_silent_server_times_out() -> None:
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)  # accepts the TCP connection, never says a word
    try:
        config = SmtpConfig(HOST, listener.getsockname()[1], "starttls", timeout=0.5)
        with pytest.raises(smtp.MailTimeoutError, match=r"did not answer within 0.5 seconds"):
            smtp.check_connection(config, None)
    finally:
        listener.close()


def test_ssl_against_a_starttls_port_is_a_tls_error(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls")
    with pytest.raises(smtp.MailTLSError, match="Check the port and the security setting"):
        smtp.check_connection(SmtpConfig(HOST, server.port, "ssl", timeout=5), None)


def test_untrusted_certificate_is_a_tls_error(smtp_server: ServerFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    server = smtp_server("starttls")
    monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent-ca.pem")
    with pytest.raises(smtp.MailTLSError, match="cannot be trusted"):
        smtp.check_connection(SmtpConfig(HOST, server.port, "starttls", timeout=5), None)


def test_starttls_missing_is_explained(smtp_server: ServerFactory) -> None:
    server = smtp_server("none")
    with pytest.raises(smtp.MailTLSError, match="does not offer STARTTLS"):
        smtp.check_connection(SmtpConfig(HOST, server.port, "starttls", timeout=5), None)


def test_login_without_auth_offered_is_explained(smtp_server: ServerFactory) -> None:
    server = smtp_server("none")
    with pytest.raises(smtp.MailAuthError, match="does not offer a login"):
        smtp.check_connection(SmtpConfig(HOST, server.port, "none", USER, timeout=5), PASSWORD)


def test_unknown_host_name_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # the resolver is replaced: the test never asks a real DNS server
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(smtp.MailUnreachableError, match=r"'smtp.invalid' cannot be found"):
        smtp.check_connection(SmtpConfig("smtp.invalid", 587, "starttls", timeout=5), None)


def test_server_hanging_up_is_reported() -> None:
    listener = socket.socket()
    listener.bind((HOST, 0))
    listener.listen(1)

    def hang_up() -> None:
        conn, _ = listener.accept()
        conn.close()

    thread = threading.Thread(target=hang_up)
    thread.start()
    try:
        config = SmtpConfig(HOST, listener.getsockname()[1], "none", timeout=5)
        with pytest.raises(smtp.MailUnreachableError, match="closed the connection unexpectedly"):
            smtp.check_connection(config, None)
    finally:
        thread.join()
        listener.close()


def test_ascii_password_uses_smtplib_login(smtp_server: ServerFactory) -> None:
    server = smtp_server("starttls", users={USER: "plain-ascii-1"})
    smtp.check_connection(SmtpConfig(HOST, server.port, "starttls", USER, timeout=5), "plain-ascii-1")
    assert server.logins == [(USER, "plain-ascii-1")]
