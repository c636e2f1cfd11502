"""The database itself: ``invoicer db encrypt|decrypt`` (SQLCipher, the key in the system keyring), and the shared
server: ``db init``, ``db copy --to``, ``db connect|disconnect``."""

from __future__ import annotations

import argparse
import sys

from invoicer.cli.base import Commands, Context
from invoicer.core.errors import N_, StorageError
from invoicer.services import encryption, server


def cmd_db_encrypt(ctx: Context, a: argparse.Namespace) -> int:
    given = encryption.known_key(ctx.folder) if a.key_stdin else None
    saved = encryption.encrypt(ctx.folder, given)
    where = "keep your key safe: Invoicer asks for it at every start" if given else "the key is in the system keyring"
    ctx.out({"encrypted": True, "backup": str(saved)},
            f"The database is encrypted ({where}). The plain backup made first is {saved}; delete it once you "
            "no longer need it.")
    return 0


def cmd_db_decrypt(ctx: Context, a: argparse.Namespace) -> int:
    saved = encryption.decrypt(ctx.folder)
    ctx.out({"encrypted": False, "backup": str(saved)},
            f"The database is a plain file again. The encrypted backup made first is {saved}.")
    return 0


def cmd_db_key(ctx: Context, a: argparse.Namespace) -> int:
    key = encryption.database_key(ctx.folder)
    if not ctx.as_json:
        print("invoicer: note: whoever has this key and a backup can read the business: keep it as safe as a password "
              "(a password manager); a backup restored on another computer asks for it.", file=sys.stderr)
    ctx.out({"key": key}, key)
    return 0


def _url(ctx: Context) -> str:
    if not ctx.url:
        raise StorageError(N_("Name the server: invoicer --db postgresql://user@host/database db init."))
    return ctx.url


def cmd_db_init(ctx: Context, a: argparse.Namespace) -> int:
    url = _url(ctx)
    server.open_shared(url, ctx.folder, init=True).close()
    ctx.out({"url": url, "initialized": True}, f"The database at {url} has the current Invoicer schema.")
    return 0


def cmd_db_copy(ctx: Context, a: argparse.Namespace) -> int:
    if ctx.url:
        raise StorageError(N_("db copy reads the local file: leave out --db (and db disconnect first)."))
    shown = ctx.progress("db copy")
    counts = server.copy_to_server(ctx.db, a.to, lambda _table, done, total: shown(done, total))
    ctx.out({"url": a.to, "rows": counts},
            f"Copied {sum(counts.values())} rows to {a.to}. Check it: invoicer --db {a.to} verify; then use it on "
            f"this desk: invoicer db connect {a.to}.")
    return 0


def cmd_db_connect(ctx: Context, a: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if a.password_stdin else None
    server.save_connection(ctx.folder, a.url, password)
    ctx.out({"url": a.url}, f"This desk now uses {a.url}.")
    return 0


def cmd_db_disconnect(ctx: Context, a: argparse.Namespace) -> int:
    server.save_connection(ctx.folder, None)
    ctx.out({"url": None}, "This desk uses its local database file again.")
    return 0


USERS_HELP = "logins on the shared server and what their role lets them do (enforced by the server)"


def cmd_db_user_add(ctx: Context, a: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n") if a.password_stdin else None
    server.add_user(_url(ctx), a.name, a.role, password)
    ctx.out({"user": a.name, "role": a.role}, f"{a.name} may now work on {ctx.url} as {a.role}.")
    return 0


def register(commands: Commands) -> None:
    g = commands.group("db", "the database: encrypt the file, or share the business on a PostgreSQL server")
    g.command("encrypt", cmd_db_encrypt, "encrypt the database (SQLCipher) with a new random key kept in the system "
              "keyring, or with the key given by --key-stdin")
    g.command("decrypt", cmd_db_decrypt, "turn the encrypted database back into a plain SQLite file")
    g.command("key", cmd_db_key, "print the encrypted database's key, to keep it safe or to restore its backups "
              "on another computer")
    g.command("init", cmd_db_init, "create (or upgrade) the schema on the server given by --db")
    c = g.command("copy", cmd_db_copy, "copy the local business (documents, hash chain, audit, PDFs) to an empty "
                  "database on a server")
    c.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host/database")
    c = g.command("connect", cmd_db_connect, "use this server from now on (the password goes to the system keyring)")
    c.add_argument("url", metavar="URL")
    c.add_argument("--password-stdin", action="store_true", help="read the login's password from standard input")
    g.command("disconnect", cmd_db_disconnect, "use the local database file again")
    # 'db user add' and, as the issue names it, 'users add': the same command
    for users in (g.group("user", USERS_HELP), commands.group("users", USERS_HELP)):
        c = users.command("add", cmd_db_user_add, "add a login (or change its role): owner (everything), "
                          "accountant (all but settings), clerk (customers and drafts)")
        c.add_argument("name")
        c.add_argument("--role", required=True, choices=("owner", "accountant", "clerk"))
        c.add_argument("--password-stdin", action="store_true", help="read the login's password from standard input")
