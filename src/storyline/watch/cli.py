"""``storyline watch SOURCES --store DB`` and ``storyline sources DB`` (``register(app)`` adds them)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from typing import Annotated, Any

import typer

from storyline.errors import StorylineError


def watch(
    sources: str,
    store: str,
    *,
    once: bool = False,
    events: str | None = None,
    webhook: str | None = None,
    webhook_secret_env: str = "STORYLINE_WEBHOOK_SECRET",
    client: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    log: bool = False,
    quiet: bool = False,
) -> int:
    """Follow the feeds in ``sources``; the exit code of ``storyline watch`` (0, 1 when a source failed, 2)."""
    from storyline.store import Store
    from storyline.watch import ClientConfig, FileSink, WatchConfig, Watcher, WebhookSink, read_sources

    secret = None
    if webhook:
        secret = os.environ.get(webhook_secret_env)
        if not secret:
            raise StorylineError(f"--webhook needs a signing secret in ${webhook_secret_env}", code="E705")
        if not webhook.startswith(("http://", "https://")):
            raise StorylineError(f"--webhook: not an http(s) URL: {webhook!r}", code="E705")
    urls = read_sources(sources)
    ccfg = ClientConfig(**(client or {}))
    wcfg = WatchConfig(**(config or {}))

    def say(line: str) -> None:
        if not quiet:
            print(line, file=sys.stderr, flush=True)

    with Store(store) as db:
        sinks: list[Any] = []
        if events:
            sinks.append(FileSink(db, events))
        if webhook:
            sinks.append(WebhookSink(db, webhook, secret or ""))  # sent directly: --proxy is for the sources
        w = Watcher(db, urls, config=wcfg, client=ccfg, sinks=sinks, log_line=say if log else None)

        def stop(signum: int, frame: Any) -> None:
            say(f"stopping ({signal.Signals(signum).name}): finishing the pages in hand")
            w.stop.set()

        old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            return w.run(once=once, on_cycle=lambda rep: say(json.dumps(rep.to_json())))
        finally:
            w.close()
            for s, h in old.items():
                signal.signal(s, h)


def register(app: Any) -> None:
    """Add ``watch`` and ``sources`` to a Typer app."""

    @app.command("watch")
    def watch_cmd(
        sources: Annotated[str, typer.Argument(help="Feed URLs, one a line (# comments), or an OPML file")],
        store: Annotated[str, typer.Option("--store", help="Store file (created if missing)")],
        once: Annotated[bool, typer.Option("--once", help="Poll every source once and exit (1 if one failed)")] = False,
        events: Annotated[str | None, typer.Option("--events", help="Append events here as JSON lines")] = None,
        webhook: Annotated[str | None, typer.Option("--webhook", help="POST each event to this URL, signed")] = None,
        webhook_secret_env: Annotated[
            str, typer.Option(help="Environment variable holding the webhook's HMAC secret")
        ] = "STORYLINE_WEBHOOK_SECRET",
        interval: Annotated[float, typer.Option(help="First seconds between polls of a source (then adapted)")] = 600.0,
        min_interval: Annotated[float, typer.Option(help="Shortest interval a busy feed is polled at")] = 60.0,
        max_interval: Annotated[float, typer.Option(help="Longest interval a quiet feed is polled at")] = 3600.0,
        proxy: Annotated[str | None, typer.Option(help="Send every request through this proxy")] = None,
        contact: Annotated[str, typer.Option(help="URL or e-mail shown in the User-Agent")] = "",
        host_rate: Annotated[float, typer.Option(help="Requests per second per host")] = 1.0,
        host_concurrency: Annotated[int, typer.Option(help="Requests at once per host")] = 2,
        concurrency: Annotated[int, typer.Option(help="Requests at once in all")] = 16,
        timeout: Annotated[float, typer.Option(help="Seconds before a request times out")] = 20.0,
        retries: Annotated[int, typer.Option(help="Retries on 429, 5xx, timeouts")] = 2,
        max_bytes: Annotated[int, typer.Option(help="Largest page or feed read, in bytes")] = 10_000_000,
        max_redirects: Annotated[int, typer.Option(help="Redirects followed")] = 5,
        failing_after: Annotated[int, typer.Option(help="Failed polls in a row that raise source.failing")] = 3,
        keep_events: Annotated[float, typer.Option(
            help="Days the event outbox keeps events every sink has read (0: keep all)")] = 30.0,
        no_embed: Annotated[bool, typer.Option("--no-embed", help="Without the MiniLM stage")] = False,
        settle: Annotated[bool, typer.Option(help="Settle the stories after each poll (as ingest)")] = True,
        analyse: Annotated[bool, typer.Option(help="Re-grade and re-digest changed stories")] = True,
        log: Annotated[bool, typer.Option("--log", help="One line per feed failure and per article")] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing")] = False,
    ) -> None:
        """Follow RSS/Atom feeds and news sitemaps: store each new item's article and announce what changed."""
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
        client = {"proxy": proxy, "contact": contact, "host_rate": host_rate, "host_concurrency": host_concurrency,
                  "concurrency": concurrency, "timeout": timeout, "retries": retries, "max_bytes": max_bytes,
                  "max_redirects": max_redirects}
        config = {"interval": interval, "min_interval": min_interval, "max_interval": max_interval,
                  "failing_after": failing_after, "keep_events_days": keep_events, "embed": not no_embed, "settle": settle, "analyse": analyse}
        bad = [k for k in ("host_concurrency", "concurrency") if client[k] < 1]
        bad += [k for k in ("interval", "min_interval", "max_interval", "timeout") if (client | config)[k] <= 0]
        if bad or retries < 0 or max_bytes < 1 or min_interval > max_interval or keep_events < 0:
            typer.echo(f"bad option value: {', '.join(bad) or 'retries/max-bytes/intervals'}", err=True)
            raise typer.Exit(2)
        try:
            code = watch(sources, store, once=once, events=events, webhook=webhook,
                         webhook_secret_env=webhook_secret_env, client=client, config=config, log=log, quiet=quiet)
        except StorylineError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        raise typer.Exit(code)

    @app.command("sources")
    def sources_cmd(
        store: Annotated[str, typer.Argument(help="Store file")],
        as_json: Annotated[bool, typer.Option("--json", help="One JSON object per source")] = False,
    ) -> None:
        """List the followed sources and their health: polls, items, failures and their reasons."""
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        from storyline.store import Store
        from storyline.watch import WatchState

        try:
            with Store(store, readonly=True) as db:
                rows = WatchState(db).health()
        except StorylineError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
        except Exception as exc:  # a store from before 0005_watch, opened read-only
            typer.echo(f"no watcher state in {store}: {exc}", err=True)
            raise typer.Exit(2) from exc
        if as_json:
            for r in rows:
                typer.echo(json.dumps(r, ensure_ascii=False))
            return
        table = Table("health", "source", "polls", "items", "failed pages", "last ok", "last error")
        for r in rows:
            err = r["last_error"] or next((f"{f['code']} {f['reason']}" for f in r["recent_failures"]), "")
            table.add_row(r["health"], escape(r["url"]), str(r["polls"]), str(r["items"]),
                          str(r["item_status"].get("failed", 0)), r["last_ok"] or "-", escape(err[:120]))
        Console(width=200).print(table)

