"""English is the source language: its catalog's translations are the messages themselves.

Run by `make messages` after `pybabel update`, so the English catalog is complete as well.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    with CATALOG.open("rb") as po_file:
        catalog = read_po(po_file)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = message.id
        elif not message.string:
            message.string = message.id
    with CATALOG.open("wb") as po_file:
        write_po(po_file, catalog, omit_header=False, sort_output=True, no_location=True)


if __name__ == "__main__":
    main()
