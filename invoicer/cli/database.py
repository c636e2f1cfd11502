"""The database file itself: ``invoicer db encrypt|decrypt`` (SQLCipher, the key in the system keyring)."""

from __future__ import annotations

import argparse

from invoicer.cli.base import Commands, Context
from invoicer.services import encryption


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


def register(commands: Commands) -> None:
    g = commands.group("db", "the database file: encrypt or decrypt it")
    g.command("encrypt", cmd_db_encrypt, "encrypt the database (SQLCipher) with a new random key kept in the system "
              "keyring, or with the key given by --key-stdin")
    g.command("decrypt", cmd_db_decrypt, "turn the encrypted database back into a plain SQLite file")
