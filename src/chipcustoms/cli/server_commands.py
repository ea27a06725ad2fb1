"""The store and server commands: explain, db upgrade, serve, users, audit."""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import typer

from chipcustoms.cli.common import (
    Db,
    app,
    db_app,
    db_path,
    err,
    out,
)
from chipcustoms.errors import ChipCustomsError

users_app = typer.Typer(help="Users of the server and their API keys.", no_args_is_help=True)


audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


@app.command()
def explain(
    declaration_id: str = typer.Argument(
        ..., metavar="DECLARATION_ID", help="Declaration id as stored."
    ),
    item: int = typer.Option(1, "--item", "-i", help="Goods item number."),
    db: Db = None,
    as_json: bool = typer.Option(False, "--json", help="Print the stored record as JSON."),
) -> None:
    """Print why a stored line got its channel: reasons, evidence, history and case."""
    from chipcustoms.store import open_store

    path = db_path(db)
    if "://" not in path and not Path(path).exists():
        raise ChipCustomsError(f"{path}: no store here; screen with --db {path} first")
    store = open_store(path)
    record = store.line(declaration_id, item)
    if record is None:
        items = store.items_of(declaration_id)
        hint = f"; it has items {items}" if items else ""
        raise ChipCustomsError(f"{declaration_id} item {item} is not in {path}{hint}")
    if as_json:
        out.print_json(json.dumps(record, default=str))
        return
    from chipcustoms.cli.explain import render

    render(record, out)


@db_app.command("upgrade")
def db_upgrade(db: Db = None) -> None:
    """Create the store or bring its schema to this version (Alembic).

    Also builds the search indexes a large screen left for later."""
    from chipcustoms.store import indexes, open_store

    built = indexes.ensure(open_store(db_path(db), upgrade=True))
    err.print(
        f"{db_path(db)}: schema is current" + (f"; built {', '.join(built)}" if built else "")
    )


LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
UserName = typer.Argument(..., metavar="NAME", help="The user's name (as they log in).")


@app.command()
def serve(
    db: Db = None,
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to listen on; 0.0.0.0 for every interface."
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, help="uvicorn worker processes."),
    log_level: str = typer.Option(
        "info", "--log-level", help=f"uvicorn's log level ({', '.join(LOG_LEVELS)}); at info "
        "and below every request is logged in uvicorn's access-log format."),
) -> None:
    """Serve the API (OpenAPI at /openapi.json) and the pages.

    The store must be at this version's schema.

    Prints the address, then one access-log line per request on stderr."""
    import os

    import uvicorn

    from chipcustoms import settings
    from chipcustoms.store import open_store

    if log_level.lower() not in LOG_LEVELS:
        raise typer.BadParameter(f"use one of {', '.join(LOG_LEVELS)}", param_hint="--log-level")
    target = db_path(db)
    open_store(target, upgrade=False).engine.dispose()  # a wrong store fails here, exit 2
    # Each worker builds its own app from the settings (the factory below), so the store goes
    # to them through the `db` setting's variable, as any other setting would.
    os.environ[settings.table()["db"].env] = target
    if workers > 1 and not settings.get("secret"):
        err.print("note: CHIPCUSTOMS_SECRET is unset, so each worker signs sessions with its "
                  "own key and a page login holds only on the worker that made it; set it",
                  soft_wrap=True)
    err.print(f"chipcustoms serving http://{host}:{port} (store {target}, {workers} worker"
              f"{'s' if workers > 1 else ''}); Ctrl-C stops", soft_wrap=True)
    uvicorn.run(
        "chipcustoms.app.server:app_from_settings",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level.lower(),
        access_log=True,
    )


@users_app.command("add")
def users_add(
    name: str = UserName,
    role: str = typer.Option(..., "--role", help="viewer, analyst, inspector or admin."),
    office: str | None = typer.Option(None, "--office", help="Limit to this office's cases."),
    db: Db = None,
) -> None:
    """Add a user and print their API key (shown once, stored hashed)."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import add_user

    print(add_user(open_store(db_path(db)), name, role, office))


@users_app.command("list")
def users_list(db: Db = None) -> None:
    """List users, roles, offices and whether they are revoked."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import list_users

    for u in list_users(open_store(db_path(db))):
        state = f"revoked {u['revoked_at']}" if u["revoked_at"] else "active"
        out.print(f"{u['name']}\t{u['role']}\t{u['office'] or '*'}\t{state}", highlight=False)


@users_app.command("revoke")
def users_revoke(name: str = UserName, db: Db = None) -> None:
    """Revoke a user's API key (the user stays, for the audit trail)."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import revoke_user

    revoke_user(open_store(db_path(db)), name)
    err.print(f"{name}: revoked")


@users_app.command("set-password")
def users_set_password(name: str = UserName, db: Db = None) -> None:
    """Set the web-login password, read from the first line of stdin."""
    from chipcustoms.store import open_store
    from chipcustoms.store.access import set_password

    set_password(open_store(db_path(db)), name, sys.stdin.readline().rstrip("\n"))
    err.print(f"{name}: password set")


@audit_app.command("verify")
def audit_verify(
    db: Db = None,
    checkpoint: str | None = typer.Option(
        None, "--checkpoint", help="A checkpoint exported earlier: the chain must still reach it."
    ),
) -> None:
    """Prove the audit chain, its checkpoints and the rows they cover intact.

    Names the first problem found and exits 1."""
    from chipcustoms.store import open_store
    from chipcustoms.store.chain_check import check

    exported = None
    if checkpoint is not None:
        try:
            exported = json.loads(Path(checkpoint).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ChipCustomsError(f"{checkpoint}: not a checkpoint file ({exc})") from exc
    verdict = check(open_store(db_path(db), upgrade=False), exported)
    if not verdict.intact:
        if verdict.broken_at is not None:
            err.print(f"audit chain broken at entry {verdict.broken_at}: {verdict.problem}")
        else:
            err.print(f"audit check failed: {verdict.problem}")
        raise typer.Exit(1)
    err.print(f"audit chain intact: {verdict.entries} entries")


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: str = typer.Option("-", "--output", "-o", help="JSON file, - for stdout."),
    db: Db = None,
) -> None:
    """Export the latest signed checkpoint, to keep away from the store.

    Pass it to `audit verify --checkpoint` later to prove nothing was cut back since."""
    from chipcustoms.store import checkpoints, open_store

    store = open_store(db_path(db), upgrade=False)
    with store.engine.connect() as conn:
        cp = checkpoints.latest(checkpoints.SaDb(conn))
    if cp is None:
        raise ChipCustomsError("no checkpoint yet: nothing has been written to this store")
    text = json.dumps(cp, indent=2) + "\n"
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    err.print(f"checkpoint {cp['checkpoint_id']}: {cp['entries']} entries")


@audit_app.command("export")
def audit_export(
    output: str = typer.Option("-", "--output", "-o", help="JSONL file, - for stdout."),
    db: Db = None,
) -> None:
    """Write the audit log as JSON lines, in chain order."""
    from chipcustoms.store import open_store
    from chipcustoms.store.audit import to_jsonl

    entries = open_store(db_path(db), upgrade=False).audit_entries()
    with contextlib.ExitStack() as stack:
        sink = sys.stdout if output == "-" else stack.enter_context(open(output, "w"))
        sink.writelines(to_jsonl(entries))
