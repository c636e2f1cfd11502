"""Keeping the business safe: ``invoicer verify`` and ``invoicer backup create|list|restore``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from invoicer.cli.base import Commands, Context, positive_int, table
from invoicer.core.errors import N_, ValidationError

# each worker holds a database connection and one batch of documents: more than this only waits for the disk
MOST_JOBS = 64


def cmd_verify(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import integrity

    report = ctx.read(lambda s: integrity.verify(s, ctx.db.folder, ctx.phases("verify"), jobs=a.jobs))
    data = {"ok": report.ok, "checked": report.checked, "problems": report.problems}
    ctx.out(data, lambda: report.summary())
    return 0 if report.ok else 1


def cmd_backup_create(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups, server

    target = (server.back_up_server(ctx.url, ctx.folder) if ctx.url
              else backups.create_backup(ctx.folder, progress=ctx.progress("backup", "bytes")))
    ctx.out({"path": str(target)}, str(target))
    return 0


def cmd_backup_list(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups, server

    if ctx.url:
        dumps = server.list_server_backups(ctx.folder)
        ctx.out([{"path": str(d.path), "created": d.created.isoformat(), "size": d.size} for d in dumps],
                lambda: table(["Created", "Size", "File"], [[d.created.isoformat(), d.size, d.path] for d in dumps])
                if dumps else "No backups of the server database yet.")
        return 0
    rows = backups.list_backups(ctx.folder)
    data = [{"path": str(b.path), "created": b.created.isoformat(), "reason": b.reason, "size": b.size}
            for b in rows]
    ctx.out(data, lambda: table(["Created", "Reason", "Size", "File"],
                                [[d["created"], d["reason"], d["size"], d["path"]] for d in data])
            if data else "No backups yet.")
    return 0


def cmd_backup_restore(ctx: Context, a: argparse.Namespace) -> int:
    from invoicer.services import backups, encryption, server

    if ctx.url:
        if a.to:
            raise ValidationError(N_("--to names a local data folder; a server backup is restored into the database "
                                     "--db names (a new, empty one). Nothing was changed."))
        server.restore_server(ctx.url, ctx.folder, a.file)
        ctx.out({"restored": a.file, "url": ctx.url}, f"Restored {a.file} into {ctx.url}. Check it: invoicer --db "
                f"{ctx.url} verify.")
        return 0
    target = Path(a.to).resolve() if a.to else ctx.folder
    source = backups.find_backup(ctx.folder, a.file)
    # --key-stdin gives the key of the backup's database (an encrypted one from another computer or folder)
    key = encryption.take_given_key(ctx.folder) if a.key_stdin else None
    if key is None and sys.stdin.isatty() and backups.needs_key(target, source):
        key = getpass.getpass("Key of the backup's database: ") or None
    done = backups.restore_backup(target, source, key)
    safety = done.previous_saved_as
    data = {"restored": str(done.source), "previous_saved_as": str(safety) if safety else None,
            "encrypted": done.key_kept is not None, "key_kept": done.key_kept}
    ctx.out(data, f"Restored {done.source}." + (f" The replaced database was saved as {safety}." if safety else "")
            + {None: "", True: f" Its database is encrypted; its key is kept in the system keyring for {target}.",
               False: " Its database is encrypted and there is no system keyring here: Invoicer asks for its key "
                      "at every start (--key-stdin in scripts)."}[done.key_kept])
    return 0


def _jobs(text: str) -> int:
    jobs = positive_int(text)
    if not 1 <= jobs <= MOST_JOBS:
        raise argparse.ArgumentTypeError(f"'{text}' must be 1 to {MOST_JOBS}")
    return jobs


def register_verify(commands: Commands) -> None:
    c = commands.command("verify", cmd_verify, "check integrity, the hash chain, gapless numbers and balances")
    c.add_argument("--jobs", type=_jobs, default=os.cpu_count() or 1,
                   help="worker processes checking the documents side by side (default: one per core; 1: none)")


def register(commands: Commands) -> None:
    g = commands.group("backup", "database backups (with --db: pg_dump and pg_restore of the server database)")
    g.command("create", cmd_backup_create, "back up the whole business now (database, frozen PDFs, logo)")
    g.command("list", cmd_backup_list, "list backups, newest first")
    c = g.command("restore", cmd_backup_restore,
                  "replace the business with a backup (what it replaces is backed up first); "
                  "with --db: load a server backup into that new, empty database")
    c.add_argument("file", help="a backup archive, or the name of one in the list")
    c.add_argument("--to", metavar="FOLDER",
                   help="restore into this data folder (e.g. an empty one on a new machine) instead of --data-dir")
