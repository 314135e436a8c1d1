"""``python -m storyline.watch watch SOURCES --store DB`` and ``python -m storyline.watch sources DB``."""

import typer

from storyline.watch.cli import register

app = typer.Typer(add_completion=False, no_args_is_help=True)
register(app)

if __name__ == "__main__":
    app(prog_name="python -m storyline.watch")
