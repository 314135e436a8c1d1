"""Command line: every command mirrors a public function and has help text."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

app = typer.Typer(
    help="Group news articles into stories, grade their reuse and write one digest per story.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


_FOLLOW_HELP = "Read symbolic links that lead outside the folders given (otherwise skipped, E118)."


def _fields(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for p in pairs or []:
        if "=" not in p:
            raise typer.BadParameter(f"--field takes ours=theirs, e.g. text=article_body; got {p!r}")
        ours, theirs = p.split("=", 1)
        out[ours.strip()] = theirs.strip()
    return out


def _config(path: Path | None):
    from storyline.config import Config

    return Config.from_toml(path) if path else Config()


@app.command()
def run(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (read recursively).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
    field: Annotated[
        list[str] | None, typer.Option("--field", help="Map an input field: ours=theirs (e.g. text=body).")
    ] = None,
    config: Annotated[Path | None, typer.Option(help="TOML file overriding settings.")] = None,
    semantic: Annotated[
        bool | None,
        typer.Option("--semantic/--no-semantic", help="Use the MiniLM stage (default: if installed)."),
    ] = None,
    executor: Annotated[
        str, typer.Option(help="Where stages run: local (this process) or ray (a Ray cluster; needs storyline[ray]).")
    ] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster to join (auto, ray://host:10001); default: start Ray on this machine."),
    ] = None,
    shuffle: Annotated[
        str,
        typer.Option(
            help="With --executor ray, how shards are regrouped: tasks (plain Ray tasks, the faster) or data "
            "(Ray Data's groupby). The stories are the same."
        ),
    ] = "tasks",
    work: Annotated[
        Path | None,
        typer.Option(help="Keep finished shards here so a rerun skips them (ray default: OUT/.work)."),
    ] = None,
    extras: Annotated[
        bool, typer.Option("--extras/--no-extras", help="Provenance and digests for every story.")
    ] = True,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the output folder.")] = False,
    store: Annotated[
        Path | None, typer.Option("--store", help="Also keep the results in this SQLite store (for `serve`).")
    ] = None,
    scope: Annotated[
        str,
        typer.Option(
            help="Vector neighbour search: corpus (every article against every other) or window (only "
            "articles within the time window, or undated: for large corpora)."
        ),
    ] = "corpus",
    shard_size: Annotated[
        int, typer.Option(min=1, help="Articles per shard: the unit of tasks, checkpoints and output files.")
    ] = 10_000,
    embed_device: Annotated[
        str | None,
        typer.Option(help="Where MiniLM runs: cpu, cuda (needs onnxruntime-gpu) or auto (default: config, cpu)."),
    ] = None,
    follow_symlinks: Annotated[
        bool, typer.Option("--follow-symlinks", help=_FOLLOW_HELP)
    ] = False,
) -> None:
    """Read articles, group them into stories and write articles.jsonl, stories.jsonl, report.md, summary.json."""
    from storyline.errors import StorylineError
    from storyline.executors import EXECUTORS, get_executor
    from storyline.ingest.readers import following_symlinks
    from storyline.pipeline import run as run_pipeline

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if executor not in EXECUTORS:
        console.print(
            f"[red]unknown executor {escape(executor)!r}[/red]: choose one of {', '.join(EXECUTORS)}"
        )
        raise typer.Exit(2)
    if scope not in ("corpus", "window"):
        console.print(f"[red]unknown scope {escape(scope)!r}[/red]: choose corpus or window")
        raise typer.Exit(2)
    try:
        cfg = _config(config)
        if embed_device is not None:
            from storyline.embed import check_device

            cfg = cfg.override({"semantic": {"device": check_device(embed_device)}})
        if shuffle not in ("tasks", "data"):
            raise StorylineError(f"unknown shuffle {shuffle!r}: choose tasks or data", "E020")
        if shuffle != "tasks" and executor != "ray":
            raise StorylineError("--shuffle data needs --executor ray", "E020")
        ex = get_executor(executor, address, **({"shuffle": shuffle} if executor == "ray" else {}))
    except StorylineError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    try:
        with following_symlinks(follow_symlinks):
            result = run_pipeline(
                paths,
                out=out,
                config=cfg,
                fields=_fields(field),
                semantic=semantic,
                progress=progress and not quiet,
                extras=extras,
                executor=ex,
                work_dir=work,
                shard_size=shard_size,
                neighbour_scope=scope,
            )
    except StorylineError as exc:  # a setting or a missing extra: the batch's own bad inputs never stop it
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    finally:
        if ex.name != "local":
            ex.close()
    s = result.summary
    if store is not None:
        from storyline.store import Store
        from storyline.store.batch import import_result

        with Store(store) as db:
            import_result(db, result)
        if not quiet:
            console.print(f"Stored in [bold]{escape(str(store))}[/bold]: `storyline serve --store {escape(str(store))}`")
    if not quiet:
        for k in result.skipped:
            console.print(f"[yellow]skipped[/yellow] {escape(k.source)}: {escape(k.reason)} ({k.code})")
        table = Table(title="storyline run", show_header=False)
        table.add_row("articles", str(s["articles"]))
        table.add_row("skipped inputs", str(s["skipped"]))
        table.add_row("stories", f"{s['stories']} ({s['multi_article_stories']} with 2+ articles)")
        table.add_row("time", f"{s['wall_seconds']:.1f} s")
        console.print(table)
        console.print(
            f"Results in [bold]{escape(str(out))}/[/bold]: report.md, stories.jsonl, articles.jsonl, summary.json"
        )
    typer.echo(str(out))
    if s["articles"] == 0:
        console.print("[red]nothing could be read[/red]")
        raise typer.Exit(1)


@app.command()
def digest(
    out: Annotated[Path, typer.Argument(help="A run's output folder (with articles.jsonl and stories.jsonl).")] = Path(
        "out"
    ),
    to: Annotated[Path | None, typer.Option("--to", help="Where to write digests/ (default: the run folder).")] = None,
    min_articles: Annotated[int, typer.Option(help="Skip stories with fewer articles.")] = 1,
) -> None:
    """Write one digest per story (Markdown, JSON, HTML) from a run's output."""
    from storyline.digest import digest_run

    if not (out / "stories.jsonl").exists():
        console.print(f"[red]{escape(str(out))}/stories.jsonl not found[/red]: run `storyline run PATH --out DIR` first")
        raise typer.Exit(1)
    digests = digest_run(out, to, min_articles=min_articles)
    console.print(f"{len(digests)} digests in [bold]{escape(str((to or out) / 'digests'))}/[/bold]")


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="An article: a file, or an article id in the run folder given by --run.")],
    b: Annotated[str, typer.Argument(help="The other article, the same way.")],
    run_dir: Annotated[Path | None, typer.Option("--run", help="A run's output folder to look ids up in.")] = None,
    semantic: Annotated[bool, typer.Option("--semantic/--no-semantic", help="Use MiniLM for paraphrases.")] = True,
) -> None:
    """Show which sentence of B renders which sentence of A: verbatim, edited, paraphrased, or not at all."""
    from storyline.provenance import align, render_alignment

    a_art, b_art = _load_for_compare([a, b], run_dir)
    render_alignment(align(a_art, b_art, semantic=semantic), Console())


def _load_for_compare(refs: list[str], run_dir: Path | None):
    from storyline.model import Article

    found: dict[str, Article] = {}
    if run_dir is not None:
        path = run_dir / "articles.jsonl"
        if not path.exists():
            console.print(f"[red]{escape(str(path))} not found[/red]")
            raise typer.Exit(1)
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d["id"] in refs:
                    found[d["id"]] = Article.from_json(d)
    files = [r for r in refs if r not in found]
    if files:
        from storyline.clean import Cleaner
        from storyline.ingest import read_inputs
        from storyline.model import Skipped

        for ref in files:
            recs = [r for r in read_inputs([ref]) if not isinstance(r, Skipped)]
            if not recs:
                console.print(f"[red]cannot read {escape(ref)}[/red]: not an article id of --run, nor a readable file")
                raise typer.Exit(1)
            found[ref] = Cleaner().transform(recs[0])
    return found[refs[0]], found[refs[1]]


@app.command()
def version() -> None:
    """Print the version."""
    from storyline import __version__

    typer.echo(__version__)


@app.command()
def stories(
    out: Annotated[Path, typer.Argument(help="A run's output folder.")] = Path("out"),
    limit: Annotated[int, typer.Option(help="How many stories to list.")] = 20,
) -> None:
    """List the stories of a run, largest first."""
    path = out / "stories.jsonl"
    if not path.exists():
        console.print(
            f"[red]{escape(str(path))} not found[/red]: run `storyline run PATH --out {escape(str(out))}` first"
        )
        raise typer.Exit(1)
    table = Table("story", "articles", "outlets", "title")
    with path.open(encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            s = json.loads(line)
            table.add_row(
                s["story_id"], str(s["size"]), str(len(s.get("outlets", []))), escape(s["title"][:80])
            )
    Console().print(table)


def _register_service_commands() -> None:
    """`serve` and `ingest` live with the store; they need the serve extra only when run."""
    from storyline.serve.cli import register
    from storyline.watch.cli import register as register_watch

    register(app)
    register_watch(app)


_register_service_commands()


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
