"""The Hugging Face Hub as a source: ``huggingface_hub``'s ``model_info`` against a loopback
server answering in the Hub API's own shape, the offline skip in one line, and what is
read from a stored answer (licence, safetensors total, creation date, base models and the
lineage edges they make).

The answers hold true values of real repositories: Mixtral 8x7B's safetensors total
(46,702,792,704, all bfloat16, which its shapes give: 32 layers of 8 experts of 3 x 4096 x
14,336, attention and norms, plus two 32,000 x 4,096 embedding matrices), DeepSeek-R1's
dtype counts, revision, creation and licence, the BERT repository's creation date (the
Hub's floor for repositories older than March 2022), and which repository each
derivative names as its base. Fields not needed are left out, as a Hub answer asked with
``expand`` leaves them out.
"""

from __future__ import annotations

import json
import re
import socket

import pytest
from werkzeug import Request, Response

from kbuild import config as sources
from kbuild.extract import hub as extract_hub
from kbuild.extract import runner as extract_runner
from kbuild.extract.addresses import fact_url
from kbuild.fetch import hub as fetch_hub
from kbuild.fetch import runner as fetch_runner
from kbuild.fetch.report import Report
from kbuild.store import open_db

from .conftest import REPO, sources_toml

MIXTRAL = {
    "id": "mistralai/Mixtral-8x7B-v0.1",
    "author": "mistralai",
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": ["transformers", "safetensors", "mixtral", "text-generation", "license:apache-2.0"],
    "cardData": {"license": "apache-2.0"},
    "safetensors": {"parameters": {"BF16": 46702792704}, "total": 46702792704},
}
DEEPSEEK_R1 = {
    "id": "deepseek-ai/DeepSeek-R1",
    "author": "deepseek-ai",
    "sha": "56d4cbbb4d29f4355bab4b9a39ccb717a14ad5ad",
    "createdAt": "2025-01-20T03:46:07.000Z",
    "lastModified": "2025-03-27T04:01:59.000Z",
    "private": False,
    "gated": False,
    "library_name": "transformers",
    "pipeline_tag": "text-generation",
    "tags": ["transformers", "safetensors", "deepseek_v3", "text-generation", "license:mit"],
    "cardData": {"license": "mit", "library_name": "transformers"},
    "safetensors": {
        "parameters": {"BF16": 3918786560, "F8_E4M3": 680571043840, "F32": 41555600},
        "total": 684531386000,
    },
}
BERT = {
    "id": "google-bert/bert-base-uncased",
    "author": "google-bert",
    "createdAt": "2022-03-02T23:29:04.000Z",
    "library_name": "transformers",
    "pipeline_tag": "fill-mask",
    "cardData": {
        "language": "en",
        "tags": ["exbert"],
        "license": "apache-2.0",
        "datasets": ["bookcorpus", "wikipedia"],
    },
}
# derivatives, each naming the repository it was made from
NOUS_HERMES = {
    "id": "NousResearch/Nous-Hermes-2-Mixtral-8x7B-DPO",
    "library_name": "transformers",
    "cardData": {"base_model": "mistralai/Mixtral-8x7B-v0.1", "license": "apache-2.0"},
}
MIXTRAL_GPTQ = {
    "id": "TheBloke/Mixtral-8x7B-v0.1-GPTQ",
    "library_name": "transformers",
    "tags": ["transformers", "safetensors", "mixtral", "text-generation", "4-bit", "gptq"],
    "cardData": {"base_model": "mistralai/Mixtral-8x7B-v0.1", "quantized_by": "TheBloke"},
}
LLAMA_7B = {"id": "huggyllama/llama-7b", "cardData": {"license": "other"}}
GUANACO = {
    "id": "timdettmers/guanaco-7b",
    "library_name": "peft",
    "cardData": {"base_model": "huggyllama/llama-7b"},
}
XWIN = {"id": "Xwin-LM/Xwin-LM-70B-V0.1", "cardData": {"license": "llama2"}}
EURYALE = {"id": "Sao10K/Euryale-1.3-L2-70B"}
GOLIATH = {
    "id": "alpindale/goliath-120b",
    "cardData": {
        "base_model": ["Xwin-LM/Xwin-LM-70B-V0.1", "Sao10K/Euryale-1.3-L2-70B"],
        "license": "llama2",
    },
}
ANSWERS = {
    a["id"]: a
    for a in (
        MIXTRAL, DEEPSEEK_R1, BERT, NOUS_HERMES, MIXTRAL_GPTQ, LLAMA_7B, GUANACO, XWIN,
        EURYALE, GOLIATH,
    )
}  # fmt: skip
# A mistyped id: a lower-case L for the 1 of v0.1
TYPO = "mistralai/Mixtral-8x7B-v0.l"

MODELS = [
    {"name": "Mixtral", "aliases": ["Mixtral 8x7B"], "hub": "mistralai/Mixtral-8x7B-v0.1"},
    {"name": "DeepSeek-R1", "hub": ["deepseek-ai/DeepSeek-R1"]},
    {"name": "BERT", "hub": "google-bert/bert-base-uncased"},
]
DERIVATIVES = [
    {"name": "Nous Hermes 2 Mixtral", "hub": NOUS_HERMES["id"]},
    {"name": "Mixtral GPTQ", "hub": MIXTRAL_GPTQ["id"]},
    {"name": "LLaMA", "hub": LLAMA_7B["id"]},
    {"name": "Guanaco", "hub": GUANACO["id"]},
    {"name": "Xwin-LM", "hub": XWIN["id"]},
    {"name": "Euryale", "hub": EURYALE["id"]},
    {"name": "Goliath", "hub": GOLIATH["id"]},
]


class HubServer:
    """Answers ``GET /api/models/<owner>/<name>`` as the Hub does: the model's info as
    JSON, or 401 with ``X-Error-Code: RepoNotFound`` for a repository it does not have
    (what the Hub answers a caller with no token). ``fail_first`` answers 503 once."""

    def __init__(self, httpserver, answers: dict[str, dict]):
        self.answers = dict(answers)
        self.seen: list[str] = []
        self.fail_first: set[str] = set()
        self.plain_404: set[str] = set()
        self.endpoint = httpserver.url_for("/").rstrip("/")
        httpserver.expect_request(re.compile(r"^/api/models/.+")).respond_with_handler(self.handle)

    def handle(self, request: Request) -> Response:
        repo_id = request.path.removeprefix("/api/models/")
        self.seen.append(repo_id)
        if repo_id in self.fail_first:
            self.fail_first.discard(repo_id)
            return Response("busy", status=503)
        if repo_id in self.plain_404:
            return Response("Not Found", status=404)
        if repo_id not in self.answers:
            return Response(
                json.dumps({"error": "Repository not found"}),
                status=401,
                content_type="application/json",
                headers={"X-Error-Code": "RepoNotFound"},
            )
        return Response(json.dumps(self.answers[repo_id]), content_type="application/json")


@pytest.fixture
def hub(httpserver) -> HubServer:
    return HubServer(httpserver, ANSWERS)


def write(kb, models, **hub_keys) -> None:
    """A sources file with only the Hub enabled."""
    kb.sources.write_text(sources_toml(models, hub=hub_keys), encoding="utf-8")


def fetch(kb, hub: HubServer, models=MODELS, **keys) -> Report:
    write(kb, models, location=hub.endpoint, timeout=5, retries=1, **keys)
    return kb.fetch()


def extract(kb) -> None:
    db = open_db(kb.db_path)
    try:
        report = extract_runner.run(db)
    finally:
        db.close()
    assert report.failures == [] and report.quotes_rejected == 0


def facts(kb, field: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for fact in kb.rows(
        "select f.*, d.item from facts f join documents d on d.id = f.document_id "
        "where d.source = 'hub' and f.field = ? order by f.model_id, f.id",
        [field],
    ):
        fact["locator"] = json.loads(fact["locator"])
        found.setdefault(fact["model_id"], []).append(fact)
    return found


# --- fetching ---------------------------------------------------------------------------


def test_model_info_is_stored_under_the_repository_page_in_the_librarys_field_names(kb, hub):
    report = fetch(kb, hub)
    assert not report.failed, report.failures
    assert report.counts["hub"]["fetched"] == 3
    stored = {d["item"]: d for d in kb.documents("hub")}
    assert set(stored) == {MIXTRAL["id"], DEEPSEEK_R1["id"], BERT["id"]}
    r1 = stored["deepseek-ai/DeepSeek-R1"]
    assert r1["model_id"] == "deepseek-r1"
    assert r1["location"] == "https://huggingface.co/deepseek-ai/DeepSeek-R1"
    assert r1["final_url"] == f"{hub.endpoint}/api/models/deepseek-ai/DeepSeek-R1"
    assert r1["content_type"] == "application/json"
    body = json.loads(r1["body"])
    assert body["sha"] == DEEPSEEK_R1["sha"]
    assert body["card_data"] == {"license": "mit", "library_name": "transformers"}
    assert body["safetensors"] == DEEPSEEK_R1["safetensors"]
    assert body["created_at"].startswith("2025-01-20T03:46:07")
    assert "downloads" not in body and "likes" not in body


def test_the_same_revision_is_unchanged_and_not_stored_again(kb, hub):
    fetch(kb, hub)
    report = fetch(kb, hub)
    assert report.counts["hub"]["unchanged"] == 3
    assert len(kb.documents("hub")) == 3
    # the Hub moved counters, not the revision: still unchanged
    hub.answers[DEEPSEEK_R1["id"]] = {**DEEPSEEK_R1, "likes": 13554, "downloads": 8848933}
    report = fetch(kb, hub)
    assert report.counts["hub"]["unchanged"] == 3


def test_a_busy_hub_is_asked_again(kb, hub):
    hub.fail_first.add(MIXTRAL["id"])
    report = fetch(kb, hub)
    assert not report.failed, report.failures
    assert hub.seen.count(MIXTRAL["id"]) == 2


@pytest.mark.parametrize("how", ["401 RepoNotFound", "plain 404"])
def test_a_missing_repository_fails_alone_in_one_line(kb, hub, how):
    if how == "plain 404":
        hub.plain_404.add(TYPO)
    models = [*MODELS, {"name": "Mixtral typo", "hub": TYPO}]
    report = fetch(kb, hub, models)
    assert report.counts["hub"]["fetched"] == 3
    (failure,) = kb.failures("hub")
    assert failure["model_id"] == "mixtral-typo"
    assert "no such model repository on the Hub" in failure["message"]
    assert "\n" not in failure["message"]
    assert [source for source, _ in report.failures] == ["hub"]


def test_offline_mode_skips_the_hub_in_one_line(kb, hub, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    report = fetch(kb, hub)
    assert hub.seen == []
    assert not report.failed
    assert report.counts["hub"]["skipped"] == 1
    (note,) = report.notes
    assert note.startswith("hub: skipped the Hugging Face Hub: HF_HUB_OFFLINE is set")
    events = kb.rows("select * from fetch_events where source = 'hub'")
    assert [e["outcome"] for e in events] == ["skipped"]


def test_offline_key_in_the_sources_file_skips_the_hub_in_one_line(kb, hub):
    report = fetch(kb, hub, offline=True)
    assert hub.seen == []
    (note,) = report.notes
    assert note == "hub: skipped the Hugging Face Hub: offline = true in sources.toml"
    assert not report.failed


def test_the_corpus_sources_file_names_hub_repositories_and_skips_the_hub(tmp_path):
    config = sources.load(REPO / "corpus.sources.toml")
    assert config.sources["hub"].offline
    assert sum(len(m.hub) for m in config.models) >= 10
    db = open_db(tmp_path / "kb.db")
    try:
        report = fetch_runner.run(config, db, only=["hub"], quiet=True)
    finally:
        db.close()
    assert not report.failed
    assert [n for n in report.notes if "Hub" in n] == [
        "hub: skipped the Hugging Face Hub: offline = true in corpus.sources.toml"
    ]


def test_an_unreachable_hub_is_skipped_in_one_line(kb, hub):
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    write(kb, MODELS, location=f"http://127.0.0.1:{port}", timeout=5, retries=1)
    report = kb.fetch()
    assert not report.failed
    assert report.counts["hub"] == {"skipped": 1}
    (note,) = report.notes
    assert (
        note == "hub: skipped the Hugging Face Hub: could not reach "
        f"127.0.0.1:{port} (connection refused)"
    )
    (event,) = kb.rows("select * from fetch_events where source = 'hub'")
    assert event["outcome"] == "skipped" and "kept what was fetched before" in event["message"]


# --- the sources file -------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1",
        "Mixtral-8x7B-v0.1",
        "mistralai/Mixtral--8x7B",
        "mistralai/../secrets",
        "a/b/c",
    ],
)
def test_a_bad_hub_id_is_an_error_naming_file_line_and_fix(kb, bad):
    write(kb, [{"name": "BERT"}, {"name": "Mixtral", "hub": bad}])
    with pytest.raises(sources.SourcesError) as info:
        sources.load(kb.sources)
    message = str(info.value)
    line = kb.sources.read_text().splitlines().index("[[models]]", 0)
    second = kb.sources.read_text().splitlines().index("[[models]]", line + 1) + 1
    assert f"sources.toml:{second}:" in message
    assert repr(bad) in message
    assert "owner/name, as in 'mistralai/Mixtral-8x7B-v0.1'" in message


def test_hub_must_be_a_string_or_a_list_of_strings(kb):
    write(kb, [{"name": "Mixtral", "hub": 7}])
    with pytest.raises(sources.SourcesError, match="'hub' must be a string or a list"):
        sources.load(kb.sources)


def test_a_repository_listed_by_two_models_is_an_error(kb):
    write(kb, [{"name": "Mixtral", "hub": MIXTRAL["id"]}, {"name": "Mixtral 8x7B", "hub": []}])
    sources.load(kb.sources)
    write(kb, [{"name": "Mixtral", "hub": MIXTRAL["id"]}, {"name": "Other", "hub": MIXTRAL["id"]}])
    with pytest.raises(sources.SourcesError, match="also listed by 'Mixtral'"):
        sources.load(kb.sources)


def test_a_local_hub_location_is_refused_with_the_offline_key_as_the_fix(kb):
    write(kb, MODELS, location="../shared/corpus/hub")
    with pytest.raises(sources.SourcesError, match="set offline = true"):
        sources.load(kb.sources)


def test_the_hub_is_a_source_fetch_can_be_asked_for(kb):
    write(kb, MODELS)
    assert "hub" in fetch_runner.selectable(sources.load(kb.sources))


# --- extraction -------------------------------------------------------------------------


def test_licences_are_read_from_the_card_as_the_licences_they_name(kb, hub):
    fetch(kb, hub, [*MODELS, *DERIVATIVES])
    extract(kb)
    licences = facts(kb, "license")
    assert {m: [f["normalized"] for f in fs] for m, fs in licences.items()} == {
        "mixtral": ["Apache-2.0"],
        "deepseek-r1": ["MIT"],
        "bert": ["Apache-2.0"],
        "nous-hermes-2-mixtral": ["Apache-2.0"],
        "xwin-lm": ["LicenseRef-Llama-2-Community-License"],
        "goliath": ["LicenseRef-Llama-2-Community-License"],
    }  # "other" with no name (huggyllama) says no licence
    (mixtral,) = licences["mixtral"]
    assert mixtral["value"] == "apache-2.0"
    assert mixtral["quote"] == '"apache-2.0"'
    assert mixtral["locator"]["json_path"] == "card_data.license"
    # the public API answer, where the quoted JSON value stands as written
    assert mixtral["url"] == "https://huggingface.co/api/models/mistralai/Mixtral-8x7B-v0.1"


def test_the_safetensors_total_is_a_count_of_its_own_kind(kb, hub):
    fetch(kb, hub)
    extract(kb)
    params = facts(kb, "params")
    assert set(params) == {"mixtral", "deepseek-r1"}
    (mixtral,) = params["mixtral"]
    assert mixtral["normalized"] == "[46702792704]"
    assert mixtral["qualifier"] == "safetensors total"
    assert mixtral["quote"] == "46702792704"
    assert mixtral["locator"]["json_path"] == "safetensors.total"
    # FP8 weights are parameters too
    assert params["deepseek-r1"][0]["normalized"] == "[684531386000]"


def test_the_creation_date_is_a_weak_witness_and_the_hubs_floor_is_no_date(kb, hub):
    fetch(kb, hub)
    extract(kb)
    dates = facts(kb, "date")
    assert set(dates) == {"deepseek-r1"}  # BERT's repository carries the floor
    (r1,) = dates["deepseek-r1"]
    assert r1["normalized"] == "2025-01-20"
    assert r1["qualifier"] == "hub_created"
    assert r1["confidence"] < 0.5
    assert r1["quote"].startswith('"2025-01-20T03:46:07')


def test_base_models_become_edges_of_the_kind_the_derivation_is(kb, hub):
    fetch(kb, hub, [*MODELS, *DERIVATIVES])
    extract(kb)
    bases = facts(kb, "base_model")
    pairs = {
        (m, f["value"], f["qualifier"], f["locator"]["json_path"])
        for m, fs in bases.items()
        for f in fs
    }
    assert pairs == {
        (
            "nous-hermes-2-mixtral",
            "mistralai/Mixtral-8x7B-v0.1",
            "finetune",
            "card_data.base_model",
        ),
        ("mixtral-gptq", "mistralai/Mixtral-8x7B-v0.1", "quantized", "card_data.base_model"),
        ("guanaco", "huggyllama/llama-7b", "adapter", "card_data.base_model"),
        ("goliath", "Xwin-LM/Xwin-LM-70B-V0.1", "merge", "card_data.base_model[0]"),
        ("goliath", "Sao10K/Euryale-1.3-L2-70B", "merge", "card_data.base_model[1]"),
    }
    edges = {
        (e["model_id"], e["parent_id"], e["kind"], e["source"])
        for e in kb.rows("select * from lineage where source = 'hub'")
    }
    assert edges == {
        ("nous-hermes-2-mixtral", "mixtral", "fine_tuned_from", "hub"),
        ("mixtral-gptq", "mixtral", "quantized_from", "hub"),
        ("guanaco", "llama", "adapter_of", "hub"),
        ("goliath", "xwin-lm", "merged_from", "hub"),
        ("goliath", "euryale", "merged_from", "hub"),
    }


def test_a_base_model_not_tracked_by_repository_is_found_by_its_name(kb, hub):
    # Mixtral is tracked without its repository: the repository's name finds it
    models = [{"name": "Mixtral", "aliases": ["Mixtral 8x7B"]}, DERIVATIVES[0]]
    fetch(kb, hub, models)
    extract(kb)
    edges = {(e["model_id"], e["parent_id"], e["kind"]) for e in kb.rows("select * from lineage")}
    assert edges == {("nous-hermes-2-mixtral", "mixtral", "fine_tuned_from")}


def test_every_hub_fact_quotes_the_literal_json_at_its_span(kb, hub):
    fetch(kb, hub, [*MODELS, *DERIVATIVES])
    extract(kb)
    rows = kb.rows("select f.*, d.body from facts f join documents d on d.id = f.document_id")
    assert rows
    for fact in rows:
        start, end = json.loads(fact["locator"])["span"]
        assert fact["body"][start:end] == fact["quote"]
        path = json.loads(fact["locator"])["json_path"]
        assert json.loads(fact["quote"]) == _at(json.loads(fact["body"]), path)


def _at(data, path: str):
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        data = data[int(index)] if index else data[key]
    return data


# --- the reading rules, one at a time ----------------------------------------------------


@pytest.mark.parametrize(
    ("hub_id", "licence"),
    [
        ("apache-2.0", "Apache-2.0"),
        ("mit", "MIT"),
        ("llama2", "LicenseRef-Llama-2-Community-License"),
        ("llama3", "LicenseRef-Llama-3-Community-License"),
        ("gemma", "LicenseRef-Gemma-Terms-of-Use"),
        ("bigscience-bloom-rail-1.0", "LicenseRef-BigScience-RAIL-1.0"),
        ("bigcode-openrail-m", "LicenseRef-BigCode-OpenRAIL-M"),
        ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
        ("deepseek", "LicenseRef-DeepSeek-Model-License"),  # an "other" licence's name
        ("openrail", None),  # a family of licences, not one
        ("bsd-3-clause-clear", None),  # not BSD-3-Clause
        ("unknown", None),
        ("cc-by-nc-nd-4.0", None),  # a licence kbuild does not know stays unnamed
    ],
)
def test_hub_licence_ids_name_licences(hub_id, licence):
    assert extract_hub.license_of(hub_id, "Some model").value == licence


def test_other_licences_are_read_from_their_name():
    card = {"license": "other", "license_name": "deepseek", "license_link": "LICENSE"}
    assert extract_hub._licences(card) == [("card_data.license_name", "deepseek")]
    assert extract_hub._licences({"license": "other"}) == []


def test_packed_integer_weights_are_not_a_parameter_count():
    assert extract_hub.params_total({"parameters": {"BF16": 10**9}, "total": 10**9}) == 10**9
    # GPTQ stores 4-bit weights packed in int32 words: the count is of words
    assert (
        extract_hub.params_total({"parameters": {"I32": 10**9, "F16": 10**8}, "total": 11 * 10**8})
        is None
    )
    assert extract_hub.params_total({"parameters": {}, "total": 0}) is None


@pytest.mark.parametrize(
    ("card", "answer", "relation"),
    [
        ({"base_model": "a/b", "base_model_relation": "adapter"}, {}, "adapter"),
        ({"base_model": "a/b", "base_model_relation": "Quantized"}, {}, "quantized"),
        ({"base_model": "a/b"}, {"library_name": "peft"}, "adapter"),
        ({"base_model": "a/b"}, {"tags": ["gguf"]}, "quantized"),
        ({"base_model": ["a/b", "c/d"]}, {}, "merge"),
        ({"base_model": "a/b", "base_model_relation": "finetune"}, {"tags": ["gguf"]}, "finetune"),
        ({"base_model": "a/b"}, {}, "finetune"),
    ],
)
def test_the_relation_is_the_cards_else_what_the_repository_shows(card, answer, relation):
    assert extract_hub.relation_of(card, answer) == relation


def test_json_spans_give_the_literal_text_of_every_value():
    body = '{\n "a": "x\\"y",\n "b": [1, {"c": null}],\n "d": 2.5e3\n}'
    spans = extract_hub.json_spans(body)
    assert body[slice(*spans["a"])] == '"x\\"y"'
    assert body[slice(*spans["b[0]"])] == "1"
    assert body[slice(*spans["b[1].c"])] == "null"
    assert body[slice(*spans["b"])] == '[1, {"c": null}]'
    assert body[slice(*spans["d"])] == "2.5e3"


def test_a_hub_facts_address_is_the_repository_page():
    document = {
        "source": "hub",
        "location": "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1",
        "final_url": "http://127.0.0.1:1/api/models/mistralai/Mixtral-8x7B-v0.1",
    }
    assert fact_url(document, {"json_path": "card_data.license", "span": [1, 2]}, "license") == (
        "https://huggingface.co/mistralai/Mixtral-8x7B-v0.1"
    )


def test_a_stored_answer_that_is_not_json_gives_no_facts():
    document = {"id": 1, "body": "<html>not an answer</html>"}
    assert extract_hub.extract(document, {"id": "m", "name": "M"}) == []
    assert fetch_hub.public_page("a/b") == "https://huggingface.co/a/b"
