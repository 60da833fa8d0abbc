"""kbuild's pages on Datasette (home, search, model pages, post reports, charts, readable
cells, forgiving queries) through Datasette's own test client, on a knowledge base built
from ../shared/corpus with tests/posts/evolution_of_llms.md checked."""

from __future__ import annotations

import re
import sys
from html import unescape
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from kbuild.model_names import ModelNames
from kbuild.publish.public import machine_paths, public_copy
from kbuild.publish.site import field_key
from kbuild.publish.site.values import date_text, locator_text, readable

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
async def ds(corpus_kb):
    meta = yaml.safe_load((corpus_kb.db_path.parent / "metadata.yml").read_text())
    datasette = Datasette(immutables=[str(corpus_kb.db_path)], metadata=meta)
    await datasette.invoke_startup()
    return datasette


async def page(ds, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return response.text


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def post_key(corpus_kb) -> str:
    (row,) = corpus_kb.db.query(
        "select distinct post_key from claims where post = ?", [corpus_kb.post.name]
    )
    return row["post_key"]


# --- readable values ------------------------------------------------------------------


def test_values_read_as_a_reader_reads_them():
    assert readable("[110000000, 340000000]", "params") == "110M, 340M"
    assert readable('["MLM", "NSP"]') == "MLM, NSP"
    assert readable("2018-10-11", "date") == "11 Oct 2018"
    assert date_text("2022-07") == ("Jul 2022", "month")
    assert date_text("2019") == ("2019", "year")
    assert readable(1750000000000, "params") == "1.75T"
    assert readable("encoder", "architecture") is None  # reads fine as stored
    assert locator_text('{"row": 8, "column": "Lab"}') == "row 8, column Lab"
    assert locator_text({"page": 1, "span": [0, 9], "bbox": [1, 2, 3, 4]}) == "page 1"


def test_field_names_are_accepted_as_card_keys():
    assert field_key("Num. Params") == "params"
    assert field_key("Number of Parameters") == "params"
    assert field_key("Organization") == "lab"
    assert field_key("Date of first publication") == "date"
    assert field_key("lab") == "lab"
    assert field_key(" ") is None


def test_names_are_matched_as_kbuild_check_matches_them(corpus_kb):
    names = ModelNames.from_db(corpus_kb.db, table_rows=True)
    assert names.resolve("OpenAI GPT") == "gpt-1"
    assert names.resolve("GPT2") == "gpt-2"
    assert names.resolve("Mixtral 8x7B") == "mixtral"
    assert names.resolve("LLaMA-65B") == "llama"
    assert names.resolve("1810.04805v2") == "bert"
    assert names.resolve("no such model") is None
    assert "llama" in names.closest("Lama")
    keys = {r["key"]: r for r in corpus_kb.db.query("select * from model_names")}
    assert keys["openaigpt"]["model_id"] == "gpt-1" and keys["openaigpt"]["kind"] == "alias"


# --- home and search ------------------------------------------------------------------


async def test_home_page_starts_where_a_newcomer_starts(ds, corpus_kb):
    html = await page(ds, "/")
    order = [
        html.index('action="/search"'),
        html.index("Fact-check reports"),
        html.index("Where the sources disagree"),
        html.index("Charts"),
        html.index("Questions to ask"),
        html.index(">Tables<"),
        html.index("kbuild&#39;s own bookkeeping")
        if "kbuild&#39;s own bookkeeping" in html
        else html.index("kbuild's own bookkeeping"),
    ]
    assert order == sorted(order)
    links = hrefs(html)
    assert f"/post/{post_key(corpus_kb)}" in links
    assert "evolution_of_llms.md" in html
    assert "/model/bert" in links
    assert "/kb/conflicts_side_by_side" in links
    # the main tables before the bookkeeping ones, which are folded away
    assert (
        html.index('href="/kb/cards"')
        < html.index("<details>")
        < html.index('href="/kb/extractions"')
    )
    assert 'data="/charts/timeline.svg"' in html and 'data="/charts/params.svg"' in html


async def test_search_finds_llama_and_its_relatives(ds):
    html = await page(ds, "/search?q=llama")
    models = [h for h in hrefs(html) if h.startswith("/model/")]
    assert models[0] == "/model/llama"
    assert {"/model/llama-2", "/model/llama-3"} <= set(models)
    assert "/kb/search_evidence?phrase=llama" in hrefs(html)


async def test_search_finds_part_of_a_name_through_the_index_not_a_scan(ds, corpus_kb):
    # "lama" inside "TinyLlama", "CodeLlama": a part of a word, found by the trigram index
    found = (await ds.client.get("/search.json?q=lama")).json()["found"]
    ids = {f["model_id"] for f in found}
    assert {"llama", "llama-2"} <= ids
    assert any(i not in ("llama", "llama-2", "llama-3") and "llama" in i for i in ids)
    # a key of two letters: the names that begin with it
    short = (await ds.client.get("/search.json?q=T5")).json()["found"]
    assert short[0]["model_id"] == "t5"
    plan = " ".join(
        str(row[-1])
        for row in corpus_kb.db.execute(
            "explain query plan select model_id from model_names_fts "
            "where model_names_fts match '\"lama\"'"
        )
    )
    assert "SCAN model_names " not in plan + " "


async def test_search_by_alias_puts_its_model_first_and_a_typo_gets_close_names(ds):
    html = await page(ds, "/search?q=OpenAI+GPT")
    assert [h for h in hrefs(html) if h.startswith("/model/")][0] == "/model/gpt-1"
    html = await page(ds, "/search?q=Lamma+Zwei")
    assert "No model goes by" in html


# --- a model's page ----------------------------------------------------------------------


async def test_a_model_page_cites_every_card_value_at_its_public_address(ds):
    html = await page(ds, "/model/bert")
    links = hrefs(html)
    assert "110M, 340M" in html
    assert "11 Oct 2018" in html
    assert "https://arxiv.org/abs/1810.04805v1" in links  # the v1 date's own record
    assert any(h.startswith("https://arxiv.org/pdf/1810.04805#page=") for h in links)
    assert any(
        re.match(r"https://docs\.google\.com/spreadsheets/d/.*range=\d+:\d+$", h) for h in links
    )
    assert any(h.startswith("/kb/facts/") for h in links)
    assert "Google AI Language" in html  # the lab in the paper's own words
    assert "BERT: Pre-training of Deep Bidirectional Transformers" in html  # its paper


async def test_a_model_page_shows_conflicts_side_by_side_and_tables_that_name_it(ds, corpus_kb):
    html = await page(ds, "/model/bloom")
    conflicts = html[html.index('id="conflicts"') : html.index('id="facts"')]
    # the paper, after the release the card shows: listed as a variant, with the rule
    variants = unescape(conflicts[conflicts.index('id="variants"') :])
    assert "Wed, 9 Nov 2022 00:00:00 GMT" in variants
    assert "two events: a release and the paper" in variants
    tables = html[html.index('<h2 id="tables">') :]
    for source in ("catalog", "epoch_notable", "ecosystem_graphs"):
        assert f'href="/kb/sources/{source}"' in tables
    # every row of a table that names BLOOM is listed
    rows = corpus_kb.db.execute(
        "select count(*) from table_rows where model_id = 'bloom'"
    ).fetchone()[0]
    assert tables.count("kbuild&#39;s record") + tables.count("kbuild's record") == rows


async def test_a_model_page_shows_its_lineage(ds, corpus_kb):
    # Epoch: DeepSeek-R1's base model is DeepSeek-V3
    (fact,) = corpus_kb.db.query(
        "select value from evidence where field = 'base_model' and model_id = 'deepseek-r1'"
    )
    parent_id = ModelNames.from_db(corpus_kb.db, table_rows=True).resolve(fact["value"])
    html = await page(ds, "/model/deepseek-r1")
    lineage = html[html.index('id="lineage"') :]
    assert f'href="/model/{parent_id}"' in lineage
    parent = await page(ds, f"/model/{parent_id}")
    assert 'href="/model/deepseek-r1"' in parent[parent.index('id="lineage"') :]
    # a cell naming two bases ("Qwen2-72B,InternViT-6B") links each it knows
    nvlm = await page(ds, "/model/nvlm-d")
    assert "Qwen2-72B" in nvlm[nvlm.index('id="lineage"') :]


async def test_a_model_is_found_by_any_name_it_goes_by(ds):
    response = await ds.client.get("/model/OpenAI%20GPT")
    while response.status_code == 302:  # Datasette spells the space ~20 first
        response = await ds.client.get(response.headers["location"])
    assert response.status_code == 200 and "<h1>GPT-1</h1>" in response.text
    assert (await ds.client.get("/model/no-such-model")).status_code == 404


# --- a post's report --------------------------------------------------------------------


async def test_a_post_report_counts_verdicts_and_lists_every_claim_by_model(ds, corpus_kb):
    key = post_key(corpus_kb)
    html = await page(ds, f"/post/{key}")
    assert "Fact-check of evolution_of_llms.md" in html
    counts = dict(
        corpus_kb.db.execute(
            "select v.verdict, count(*) from claims c join verdicts v on v.claim_id = c.id "
            "where c.post_key = ? group by v.verdict",
            [key],
        ).fetchall()
    )
    for verdict, n in counts.items():
        assert f"{verdict.replace('_', ' ')} {n}</span>" in html
    assert html.count('<tr class="claim-') == sum(counts.values())
    # grouped by model: each model's heading links to its page
    assert html.index('href="/model/albert"') < html.index('href="/model/bert"')
    # DistilBERT's date against its arXiv v1 record, linked
    assert "https://arxiv.org/abs/1910.01108v1" in hrefs(html)
    assert str(corpus_kb.post.parent) not in html


# --- tables, queries and charts ------------------------------------------------------------


async def test_cells_read_as_values_and_ids_as_links(ds):
    html = await page(ds, "/kb/cards?model_id=bert")
    assert "110M, 340M" in html
    fact_links = re.findall(r'<a href="/kb/facts/(\w+)" title="fact \w+">([^<]+)</a>', html)
    assert len(fact_links) >= 10
    assert any(label.startswith("arxiv: ") for _, label in fact_links)
    assert 'href="/model/bert"' in html
    findings = await page(ds, "/kb/post_findings?post=evolution")
    assert '<span class="verdict verdict-contradicted">contradicted</span>' in findings
    conflicts = await page(ds, "/kb/conflicts?model_id=bloom")
    assert "card_value" in conflicts and "_a" not in re.findall(r"col-(\w+)", conflicts)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/kb/model_card.json?model=OpenAI+GPT", "gpt-1"),
        ("/kb/model_card.json?model=GPT2", "gpt-2"),
        ("/kb/model_card.json?model=Mixtral+8x7B", "mixtral"),
        ("/kb/model_card.json?model=bert", "bert"),
    ],
)
async def test_canned_queries_forgive_how_a_name_is_spelled(ds, path, model):
    rows = (await ds.client.get(path + "&_shape=array")).json()
    assert rows and {r["model_id"] for r in rows} == {model}


async def test_a_field_may_be_given_as_a_card_key(ds):
    rows, page = [], 1
    while True:  # the list comes a page at a time
        found = (
            await ds.client.get(
                f"/kb/field_across_models.json?field=Num.+Params&_shape=array&page={page}"
            )
        ).json()
        if not found:
            break
        rows, page = rows + found, page + 1
    assert rows and all(r["value"] for r in rows)
    assert len(rows) == len({r["fact_id"] for r in rows})  # no row on two pages
    assert {r["model"] for r in rows} >= {"BERT", "GPT-3"}


async def test_a_blank_or_unmatched_query_shows_examples_not_zero_results(ds):
    blank = await page(ds, "/kb/model_card")
    assert "Fill in the form" in blank
    assert "/kb/model_card?model=OpenAI+GPT" in hrefs(blank)
    typo = await page(ds, "/kb/model_card?model=Lama")
    assert "Nothing matched model" in unescape(typo)
    assert "/kb/model_card?model=llama" in hrefs(typo)
    assert ".zero-results { display: none; }" in typo
    for example in hrefs(blank):
        if example.startswith("/kb/model_card?model="):
            rows = (await ds.client.get(example.replace("?", ".json?") + "&_shape=array")).json()
            assert rows, example


async def test_charts_are_svg_with_a_link_and_a_name_per_model(ds):
    for name in ("timeline", "params"):
        response = await ds.client.get(f"/charts/{name}.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        svg = response.text
        assert svg.startswith("<svg")
        assert '<a xlink:href="/model/bert" target="_top"><title>BERT (2018-10-11' in svg
    params = (await ds.client.get("/charts/params.svg")).text
    assert "log scale" in params


# --- no paths of this machine --------------------------------------------------------------


def machine_roots(corpus_kb) -> list[str]:
    return [
        str(REPO),
        str((REPO.parent / "shared").resolve()),
        str(REPO.parent / "shared"),
        str(corpus_kb.db_path.parent),
        sys.prefix,
    ]


def test_the_database_holds_no_local_path_outside_local_copies(corpus_kb):
    assert machine_paths(corpus_kb.db, machine_roots(corpus_kb)) == []
    assert corpus_kb.db["local_copies"].count > 0


async def test_no_page_shows_a_path_of_the_machine_that_built_it(ds, corpus_kb):
    db = corpus_kb.db
    paths = ["/", "/search?q=gpt", f"/post/{post_key(corpus_kb)}", "/kb"]
    paths += [
        f"/model/{r['id']}" for r in db.query("select id from models where origin = 'sources.toml'")
    ]
    paths += [f"/kb/{name}" for name in [*db.table_names(), *db.view_names()] if "_fts" not in name]
    paths += [f"/kb/documents/{r['id']}" for r in db.query("select id from documents limit 400")]
    paths += [f"/kb/{q}" for q in ("model_card?model=bert", "post_findings?post=", "timeline")]
    paths += ["/kb/fetch_events?_size=max", "/kb/sources.json", "/kb/models.json?_size=max"]
    paths += [f"/-/{p}" for p in ("databases", "databases.json", "plugins", "plugins.json",
                                   "metadata.json", "versions.json", "settings.json",
                                   "threads", "threads.json")]  # fmt: skip
    roots = machine_roots(corpus_kb)
    for path in paths:
        response = await ds.client.get(path)
        if path == "/kb/local_copies":
            continue  # hidden from lists; `serve --public` leaves it out altogether
        assert response.status_code == 200, path
        text = unescape(response.text)
        for root in roots:
            assert root not in text, (path, root)


def test_the_public_copy_leaves_the_local_paths_out(corpus_kb, tmp_path):
    copy = public_copy(corpus_kb.db_path, tmp_path / "public" / "kb.db")
    public = sqlite_utils.Database(copy)
    assert "local_copies" not in public.table_names()
    assert public["facts"].count == corpus_kb.db["facts"].count
    assert public["documents"].count == corpus_kb.db["documents"].count
    with open(copy, "rb") as f:
        data = f.read()
    for root in machine_roots(corpus_kb):
        assert root.encode() not in data, root
    assert not (tmp_path / "public" / "kb.db.partial").exists()


async def test_the_explorer_filters_by_the_address_and_gives_the_same_rows_as_json_and_csv(ds):
    html = await page(ds, "/explore?lab=Google&year_from=2019&year_to=2020&sort=name")
    assert 'src="/-/kbuild/plotly.min.js"' in html  # served by the site itself
    found = (await ds.client.get("/explore.json?lab=Google&year_from=2019&year_to=2020")).json()
    assert found["count"] == len(found["rows"]) > 0
    assert all("Google" in r["lab"] and r["year"] in (2019, 2020) for r in found["rows"])
    names = [r["name"] for r in found["rows"]]
    for name in names:
        assert unescape(html).count(f">{name}</a>") >= 1
    text = (await ds.client.get("/explore.csv?lab=Google&year_from=2019&year_to=2020")).text
    assert text.splitlines()[0].startswith("model_id,name,date")
    assert len(text.strip().splitlines()) == len(names) + 1
    script = await ds.client.get("/-/kbuild/plotly.min.js")
    assert script.status_code == 200 and "plotly" in script.text[:2000].lower()
    # out-of-scope models only when asked; sizes read as people write them
    everything = (await ds.client.get("/explore.json?scope=all")).json()["count"]
    in_scope = (await ds.client.get("/explore.json")).json()["count"]
    assert everything > in_scope
    big = (await ds.client.get("/explore.json?size_min=100B&sort=largest&desc=1")).json()
    sizes = [r["largest"] for r in big["rows"]]
    assert sizes and min(sizes) >= 100e9 and sizes == sorted(sizes, reverse=True)


async def test_every_custom_page_answers_as_json_with_its_fields(ds, corpus_kb):
    model = (await ds.client.get("/model/bert.json")).json()
    assert model["model"]["name"] == "BERT" and {c["field"] for c in model["card"]} >= {"date"}
    assert "conflicts" in model and "variants" in model
    dotted = await ds.client.get("/model/llama-3.1.json")
    assert dotted.status_code == 200 and dotted.json()["model"]["id"] == "llama-3.1"
    search = (await ds.client.get("/search.json?q=llama")).json()
    assert search["found"][0]["model_id"] == "llama"
    report = (await ds.client.get(f"/post/{post_key(corpus_kb)}.json")).json()
    assert report["post"] == corpus_kb.post.name and report["total"] > 0


async def test_a_dead_end_offers_the_closest_names(ds):
    response = await ds.client.get("/model/llamma")
    assert response.status_code == 404
    assert 'href="/model/llama"' in response.text
    assert (await ds.client.get("/model/llamma.json")).json()["closest"][0] == "llama"
    nothing = await ds.client.get("/model/xyzzy")
    assert nothing.status_code == 404 and 'href="/explore"' in nothing.text
    search = await page(ds, "/search?q=llamma")
    assert 'href="/model/llama"' in search


def test_the_post_view_marks_each_claim_where_it_stands():
    from kbuild.publish.site.post_view import highlighted

    text = "# Notes\n\nBERT has 340M parameters.\nDate: 2019-05\n"
    claims = [
        {"id": "a", "field": "params", "verdict": "supported", "line": 3, "text": "340M",
         "span": "[9, 13]", "explanation": "the paper says so", "evidence": "340M",
         "evidence_url": "https://arxiv.org/abs/1810.04805"},
        {"id": "b", "field": "date", "verdict": "contradicted", "line": 4, "text": "2019-05",
         "span": None, "explanation": "arXiv v1 is 2018-10-11"},
    ]  # fmt: skip
    html = str(highlighted(text, claims))
    assert '<a class="claim-mark verdict-supported" href="#claim-a"' in html
    assert ">340M</a> parameters." in html
    assert '<a class="claim-mark verdict-contradicted" href="#claim-b"' in html
    assert ">2019-05</a>" in html
    assert "arXiv v1 is 2018-10-11" in html and "&lt;https://arxiv.org/abs/1810.04805&gt;" in html
    assert highlighted("<script>x</script>", []) == "&lt;script&gt;x&lt;/script&gt;"


async def test_a_model_page_draws_its_own_family_tree(ds):
    html = await page(ds, "/model/llama")
    assert 'data="/charts/lineage/llama.svg"' in html
    tree = await page(ds, "/charts/lineage/llama.svg")
    whole = await page(ds, "/charts/lineage.svg")
    assert 'href="/model/alpaca"' in tree and 'href="/model/llama-2"' in tree
    assert 'href="/model/bert"' not in tree  # another family: only on the whole tree
    assert tree.count("/model/") < whole.count("/model/")


async def test_the_explorer_pages_long_lists_in_the_order_of_the_whole_list(ds, monkeypatch):
    from kbuild.publish.site import explore

    monkeypatch.setattr(explore, "PAGE", 50)
    for query in ("sort=date", "sort=lab&desc=1", "sort=largest", "scope=all&sort=family"):
        every = (await ds.client.get(f"/explore.csv?{query}")).text.strip().splitlines()[1:]
        ids = [line.split(",")[0] for line in every]
        paged, url = [], f"/explore.json?{query}"
        while url:
            found = (await ds.client.get(url)).json()
            assert found["count"] == len(ids)
            paged += [r["model_id"] for r in found["rows"]]
            url = found["next"]
        assert paged == ids, query
    html = await page(ds, "/explore?offset=50")
    assert "the table shows 51–100" in html
    assert 'rel="prev"' in html and 'rel="next"' in html


async def test_the_explorer_of_a_database_not_extracted_since_the_upgrade_says_what_to_run(
    corpus_kb, tmp_path
):
    import shutil
    import sqlite3

    path = tmp_path / "kb.db"
    shutil.copy(corpus_kb.db_path, path)
    with sqlite3.connect(path) as conn:
        conn.execute("drop table explore_rows")
    meta = yaml.safe_load((corpus_kb.db_path.parent / "metadata.yml").read_text())
    datasette = Datasette(immutables=[str(path)], metadata=meta)
    await datasette.invoke_startup()
    response = await datasette.client.get("/explore")
    assert response.status_code == 503
    assert "run `kbuild extract` once" in response.text
    assert (await datasette.client.get("/model/bert")).status_code == 200


async def test_the_explorer_keeps_to_the_scope_the_model_scope_view_says(ds, corpus_kb):
    # (the explorer writes the view's rule as a filter over explore_rows: the two must agree)
    in_scope = {
        r[0] for r in corpus_kb.db.execute("select model_id from model_scope where in_scope")
    }
    text = (await ds.client.get("/explore.csv")).text.strip().splitlines()[1:]
    assert {line.split(",")[0] for line in text} == in_scope
    assert (await ds.client.get("/explore.json?scope=all")).json()["count"] == (
        corpus_kb.db["models"].count
    )
