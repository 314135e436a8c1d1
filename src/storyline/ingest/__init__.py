"""Reading inputs: text, HTML, JSON lines, JSON, RSS/Atom feeds and WARC archives.

:func:`read_inputs` turns files and folders into :class:`~storyline.model.Article`
records, with a :class:`~storyline.model.Skipped` (stable ``E1xx`` code, see
:mod:`storyline.ingest.readers`) for every input that could not be read.
:func:`extract_html` gives the main text and metadata of one HTML page.
"""

from storyline.ingest.extract import Extracted, extract_html, fragment_text
from storyline.ingest.fields import normalise_date, outlet_from_url
from storyline.ingest.readers import (
    CODES,
    place_in_time,
    read_inputs,
    read_jsonl_records,
    read_paths,
    record_to_article,
)

__all__ = [
    "CODES",
    "Extracted",
    "extract_html",
    "fragment_text",
    "normalise_date",
    "outlet_from_url",
    "place_in_time",
    "read_inputs",
    "read_jsonl_records",
    "read_paths",
    "record_to_article",
]
