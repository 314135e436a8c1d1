"""``storyline serve --store PATH`` and ``storyline ingest PATH... --store PATH``.

``register(app)`` adds both commands to the project's Typer app;
``python -m storyline.serve`` runs the server without it.
"""

import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from storyline.errors import StorylineError, require


def serve(
    store: str,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    max_body_bytes: int | None = None,
    log_level: str = "info",
) -> None:
    """Run the API and pages on ``host:port`` until interrupted.

    The service embeds articles one request at a time, where one ONNX thread is
    faster than several contending for two busy cores (measured: 44 ms against
    166 ms per article), so it defaults STORYLINE_THREADS to 1.
    """
    os.environ.setdefault("STORYLINE_THREADS", "1")
    uvicorn = require("uvicorn", "serve")
    from storyline.serve.app import DEFAULT_MAX_BODY, create_app

    app = create_app(store, token=token, host=host, max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY)
    uvicorn.run(app, host=host, port=port, log_level=log_level, server_header=False, proxy_headers=False)


def register(app: Any) -> None:
    """Add ``serve`` and ``ingest`` commands to a Typer app."""

    @app.command("serve")
    def serve_cmd(
        store: str = typer.Option(..., "--store", help="Store file (created if missing)"),
        host: str = typer.Option(
            "127.0.0.1", help="Address to listen on; beyond loopback a token is required"
        ),
        port: int = typer.Option(8000, help="Port"),
        token: Annotated[
            str | None, typer.Option(help="Bearer token for writes (or set STORYLINE_TOKEN)")
        ] = None,
        max_body: int = typer.Option(8 * 1024 * 1024, help="Largest request body in bytes"),
    ) -> None:
        """Serve the API and the story pages for a store."""
        try:
            serve(store, host=host, port=port, token=token, max_body_bytes=max_body)
        except StorylineError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc

    @app.command("ingest")
    def ingest_cmd(
        paths: Annotated[list[str], typer.Argument(help="Files or folders: text, HTML, JSONL/JSON, feeds, WARC (as storyline run reads them)")],
        store: str = typer.Option(..., "--store", help="Store file (created if missing)"),
        batch_size: int = typer.Option(64, help="Articles per transaction"),
        window_days: Annotated[
            float | None, typer.Option(help="Story window in days (default: match.window_days, 7)")
        ] = None,
        no_embed: bool = typer.Option(False, help="Match exact duplicates only"),
        settle: bool = typer.Option(
            True, help="Afterwards make the stories equal to one batch run over the whole store"
        ),
        analyse: bool = typer.Option(True, help="Re-grade and re-digest the stories that changed"),
        log: bool = typer.Option(False, help="Print one line per committed article"),
        follow_symlinks: bool = typer.Option(
            False, "--follow-symlinks", help="Read symbolic links that lead outside the folders given (else E118)"
        ),
    ) -> None:
        """Add articles to a store: each joins a story or starts one (idempotent, resumable)."""
        from storyline.store.ingest import main

        args = ["ingest", *paths, "--store", store, "--batch-size", str(batch_size)]
        if window_days is not None:
            args += ["--window-days", str(window_days)]
        if not settle:
            args.append("--no-settle")
        if not analyse:
            args.append("--no-analyse")
        if no_embed:
            args.append("--no-embed")
        if log:
            args.append("--log")
        if follow_symlinks:
            args.append("--follow-symlinks")
        try:
            code = main(args)
        except StorylineError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        raise typer.Exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="storyline serve", description="Serve the API and story pages for a store."
    )
    ap.add_argument("--store", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--token", default=None)
    ap.add_argument("--max-body", type=int, default=None)
    ap.add_argument("--log-level", default="info")
    args = ap.parse_args(argv)
    try:
        serve(
            args.store,
            host=args.host,
            port=args.port,
            token=args.token,
            max_body_bytes=args.max_body,
            log_level=args.log_level,
        )
    except StorylineError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
