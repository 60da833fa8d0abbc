"""How many HTTP requests a 250-id arXiv fetch makes, against a loopback server."""

from __future__ import annotations

import json
import tempfile
import threading
import time
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from kbuild import config
from kbuild.fetch import runner
from kbuild.store import open_db

DUMP = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "arxiv_dump"
RECORDS = {}
for line in (DUMP / "arxiv-metadata-oai-snapshot.head.jsonl").open():
    record = json.loads(line)
    RECORDS[record["id"]] = record
    if len(RECORDS) == 250:
        break
REQUESTS: list[int] = []


def entry(record: dict) -> str:
    v1 = parsedate_to_datetime(record["versions"][0]["created"]).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"<entry><id>http://arxiv.org/abs/{record['id']}v1</id><published>{v1}</published>"
        f"<updated>{v1}</updated><title>{escape(record['title'])}</title>"
        "<summary>A synthetic abstract for the kbuild batching benchmark.</summary>"
        f"<author><name>{escape(record['authors'].split(',')[0])}</name></author>"
        f'<arxiv:primary_category term="{record["categories"].split()[0]}"/></entry>'
    )


class Api(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's naming
        ids = parse_qs(urlsplit(self.path).query)["id_list"][0].split(",")
        REQUESTS.append(len(ids))
        body = (
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom">'
            f"<opensearch:totalResults>{len(ids)}</opensearch:totalResults>"
            + "".join(entry(RECORDS[i]) for i in ids if i in RECORDS)
            + "</feed>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        models = "".join(f'[[models]]\nname = "paper {i}"\narxiv = "{i}"\n\n' for i in RECORDS)
        sources.write_text(
            f'[arxiv]\nlocation = "http://127.0.0.1:{server.server_port}/api/query"\n'
            "delay_seconds = 0\n"
            "[hf_docs]\nenabled = false\n[catalog]\nenabled = false\n[pdf]\nenabled = false\n"
            + models
        )
        db = open_db(Path(tmp) / "kb.db")
        start = time.perf_counter()
        report = runner.run(config.load(sources), db, quiet=True)
        elapsed = time.perf_counter() - start
    server.shutdown()
    print(f"ids requested:        {len(RECORDS)}")
    print(f"HTTP requests:        {len(REQUESTS)}  (ids per request: {REQUESTS})")
    print(f"documents stored:     {report.counts['arxiv']['fetched']}")
    print(f"wall time (delay 0):  {elapsed:.2f} s")
    print(
        "with the default 3 s delay the same fetch waits "
        f"{3 * (len(REQUESTS) - 1)} s between requests"
    )


if __name__ == "__main__":
    main()
