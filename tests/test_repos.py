"""Official repositories as a source: local copies (``<owner>__<name>/`` with a
``_history.tsv``) and GitHub's API on a loopback server. Repository names, commits and
dates are real; the READMEs are our own words; standard licence texts come from the
licence identifier's own data, at test time."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from kbuild.extract import runner as extract_runner
from kbuild.extract.repos import applies, licence_of
from kbuild.normalize.license import BY_ID, licence_name
from kbuild.store import open_db

from .conftest import need_corpus


def standard_text(spdx: str) -> str:
    """A standard licence's full text, as the identifier library ships it."""
    from identify.vendor import licenses

    return next(text for key, text in licenses.LICENSES if key == spdx)


BERT_README = (
    "# BERT\n\nThis repository holds TensorFlow code and pre-trained BERT models.\n\n"
    "## Licence\n\nBoth the code and the pre-trained models are released under the Apache "
    "2.0 license.\n"
)
BERT_HISTORY = (
    "commit\tdate\tpath\n"
    "f7c3e8c001c184d3db5ef1ecadd3443276433421\t2018-10-25T16:04:53-07:00\t(first commit)\n"
    "fe354751d7de010f60d362ae8d9343849ec39456\t2018-10-31T08:19:12-07:00\tLICENSE\n"
    "f7c3e8c001c184d3db5ef1ecadd3443276433421\t2018-10-25T16:04:53-07:00\tREADME.md\n"
)
LLAMA2_LICENCE = (
    "LLAMA 2 COMMUNITY LICENSE AGREEMENT\n"
    "Llama 2 Version Release Date: July 18, 2023\n\n"
    "Our own short stand-in for the terms: use, copy and share the Llama Materials.\n"
)
LLAMA_HISTORY = (
    "commit\tdate\tpath\n"
    "1076b9c51c77ad06e9d7ba8a4c6df775741732bd\t2023-02-24T05:20:46-08:00\t(first commit)\n"
    "1076b9c51c77ad06e9d7ba8a4c6df775741732bd\t2023-02-24T05:20:46-08:00\tLICENSE\n"
    "1076b9c51c77ad06e9d7ba8a4c6df775741732bd\t2023-02-24T05:20:46-08:00\tMODEL_CARD.md\n"
)
DEEPSEEK_HISTORY = (
    "commit\tdate\tpath\n"
    "4b58dc6bfc4b69aae237a860cac8c3b901887a5f\t2024-12-26T17:52:41+08:00\t(first commit)\n"
    "4c2fdb8f55e049553b9f4f1a3241f86d739c8cf8\t2024-12-26T19:01:57+08:00\tLICENSE-CODE\n"
    "4c2fdb8f55e049553b9f4f1a3241f86d739c8cf8\t2024-12-26T19:01:57+08:00\tLICENSE-MODEL\n"
)
GPT2_HISTORY = (
    "commit\tdate\tpath\n"
    "c2dae27c1029770cea40978813f17a5fd545b883\t2019-02-10T23:47:49-08:00\t(first commit)\n"
    "aae26abd600ad32771fadf6284f339f07b9d8ea1\t2019-02-19T17:06:49-08:00\tLICENSE\n"
    "cb415376c397b55deb86a87d544b502a2582f2cd\t2019-08-19T17:34:30-07:00\tmodel_card.md\n"
)
ALPACA_README = (
    "# Stanford Alpaca\n\nAlpaca is an instruction-following model fine-tuned from LLaMA 7B.\n"
)


def repo_folder(root: Path, repo: str, files: dict[str, str]) -> Path:
    folder = root / repo.replace("/", "__")
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def repos(tmp_path) -> Path:
    root = tmp_path / "repos"
    repo_folder(root, "google-research/bert", {
        "README.md": BERT_README, "LICENSE": standard_text("Apache-2.0"),
        "_history.tsv": BERT_HISTORY,
    })  # fmt: skip
    repo_folder(root, "meta-llama/llama", {
        "LICENSE": LLAMA2_LICENCE,
        "MODEL_CARD.md": (
            "# Llama 2\n\nOur summary of the sizes:\n\n"
            "|Model|Params|Tokens|\n|---|---|---|\n"
            "|Llama 2|7B|2.0T|\n|Llama 2 70B|70B|2.0T|\n|Llama 2-Chat|13B|2.0T|\n|Llama 3|8B|15T|\n"
        ),
        "_history.tsv": LLAMA_HISTORY,
    })  # fmt: skip
    repo_folder(root, "tatsu-lab/stanford_alpaca", {
        "README.md": ALPACA_README,
        "LICENSE": standard_text("Apache-2.0"),
        "DATA_LICENSE": "Attribution-NonCommercial 4.0 International\n\nOur stand-in text.\n",
        "WEIGHT_DIFF_LICENSE": "Attribution-NonCommercial 4.0 International\n\nOur stand-in.\n",
        "train.py": "print('code is never read')\n",
    })  # fmt: skip
    repo_folder(root, "deepseek-ai/DeepSeek-V3", {
        "LICENSE-CODE": standard_text("MIT"),
        "LICENSE-MODEL": "DEEPSEEK LICENSE AGREEMENT\n\nOur own stand-in for the terms.\n",
        "_history.tsv": DEEPSEEK_HISTORY,
    })  # fmt: skip
    repo_folder(root, "openai/gpt-2", {
        "model_card.md": "# GPT-2 model card\n\nGPT-2 was released in four sizes.\n",
        "_history.tsv": GPT2_HISTORY,
    })  # fmt: skip
    (root / "SOURCES.tsv").write_text(
        "repo\tcommit\n"
        "google-research/bert\teedf5716ce1268e56f0a50264a88cafad334ac61\n"
        "meta-llama/llama\t689c7f261b9c5514636ecc3c5fefefcbb3e6eed7\n",
        encoding="utf-8",
    )
    return root


MODELS = [
    {"name": "BERT", "arxiv": "1810.04805", "repo": "google-research/bert"},
    {"name": "LLaMA", "arxiv": "2302.13971", "repo": "meta-llama/llama"},
    {"name": "Llama 2", "arxiv": "2307.09288", "repo": "meta-llama/llama"},
    {"name": "Alpaca", "repo": "tatsu-lab/stanford_alpaca"},
    {"name": "DeepSeek-V3", "arxiv": "2412.19437", "repo": "deepseek-ai/DeepSeek-V3"},
    {"name": "GPT-2", "repo": "openai/gpt-2"},
]


def build(kb, models, **sources):
    kb.write(models, **sources)
    report = kb.fetch()
    db = open_db(kb.db_path)
    try:
        extract_runner.run(db)
    finally:
        db.close()
    return report


def facts(kb, model_id: str, field: str) -> list[dict]:
    return kb.rows(
        "select f.*, d.item from facts f join documents d on d.id = f.document_id "
        "where f.model_id = ? and f.field = ? and d.source = 'repo' order by f.id",
        [model_id, field],
    )


def test_local_repository_documents_are_stored_per_model_with_public_addresses(kb, repos):
    report = build(kb, MODELS, repos={"location": str(repos)})
    assert not report.failed, report.failures
    stored = {(d["model_id"], d["item"]): d for d in kb.documents("repo")}
    assert ("bert", "bert:README.md") in stored
    assert ("alpaca", "alpaca:train.py") not in stored  # code is not a release document
    readme = stored[("bert", "bert:README.md")]
    assert readme["location"] == (
        "https://github.com/google-research/bert/blob/"
        "eedf5716ce1268e56f0a50264a88cafad334ac61/README.md"
    )
    # one repository, two models: each keeps its own copy
    assert ("llama", "llama:LICENSE") in stored and ("llama-2", "llama-2:LICENSE") in stored
    # no commit listed for Alpaca's copy: its files are addressed at HEAD
    assert stored[("alpaca", "alpaca:README.md")]["location"].endswith("/blob/HEAD/README.md")


def test_plain_licence_file_is_the_codes_and_the_readme_gives_the_weights(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    code = facts(kb, "bert", "code_license")
    assert [(f["normalized"], f["method"]) for f in code] == [("Apache-2.0", "identified")]
    weights = facts(kb, "bert", "license")
    assert [f["normalized"] for f in weights] == ["Apache-2.0"]
    assert "pre-trained models are released under the Apache 2.0 license" in weights[0]["quote"]
    assert weights[0]["url"].startswith("https://github.com/google-research/bert/blob/")
    assert weights[0]["url"].endswith("#L7")


def test_weights_licence_file_kept_apart_from_code_and_data_licences(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    assert [f["normalized"] for f in facts(kb, "alpaca", "license")] == ["CC-BY-NC-4.0"]
    assert [f["item"] for f in facts(kb, "alpaca", "license")] == ["alpaca:WEIGHT_DIFF_LICENSE"]
    assert [f["normalized"] for f in facts(kb, "alpaca", "code_license")] == ["Apache-2.0"]


def test_bespoke_licence_has_a_stable_id_and_its_display_name(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    [licence] = facts(kb, "llama-2", "license")
    assert licence["normalized"] == "LicenseRef-Llama-2-Community-License"
    assert licence["value"] == "Llama 2 Community License Agreement"
    assert licence["quote"] == "LLAMA 2 COMMUNITY LICENSE AGREEMENT"
    assert licence_name(licence["normalized"]) == licence["value"]


def test_licence_written_for_another_model_is_not_this_ones(kb, repos):
    # the repository LLaMA was released from now holds Llama 2's licence
    build(kb, MODELS, repos={"location": str(repos)})
    assert facts(kb, "llama", "license") == []
    assert applies(BY_ID["LicenseRef-Llama-2-Community-License"], ["Llama 2-Chat"])
    assert not applies(BY_ID["LicenseRef-Llama-3-Community-License"], ["Llama 3.1"])


def test_first_commit_of_the_weights_licence_is_a_release_witness(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    [date] = facts(kb, "deepseek-v3", "date")
    assert (date["normalized"], date["qualifier"], date["method"]) == (
        "2024-12-26", "release", "derived",
    )  # fmt: skip
    assert date["url"] == (
        "https://github.com/deepseek-ai/DeepSeek-V3/commit/4c2fdb8f55e049553b9f4f1a3241f86d739c8cf8"
    )
    assert [f["normalized"] for f in facts(kb, "deepseek-v3", "license")] == [
        "LicenseRef-DeepSeek-Model-License"
    ]
    assert [f["normalized"] for f in facts(kb, "deepseek-v3", "code_license")] == ["MIT"]


def test_code_licence_and_late_model_card_date_no_release(kb, repos):
    # a code licence dates the code (a toolkit's is years older than its models); a
    # model card added six months after the repository began was written later
    build(kb, MODELS, repos={"location": str(repos)})
    assert facts(kb, "bert", "date") == []
    assert facts(kb, "gpt-2", "date") == []


def test_file_older_than_the_release_it_states_dates_nothing(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    dates = [(f["normalized"], f["method"]) for f in facts(kb, "llama-2", "date")]
    # the licence's own release date; not the commit of 2023-02-24 that added the file
    # for LLaMA, whose terms it later replaced
    assert dates == [("2023-07-18", "stated")]


def test_model_card_table_gives_sizes_and_tokens_of_the_models_own_rows(kb, repos):
    build(kb, MODELS, repos={"location": str(repos)})
    params = [(f["normalized"], f["quote"]) for f in facts(kb, "llama-2", "params")]
    assert sorted(params, key=lambda p: len(p[0])) == [
        ("[7000000000]", "7B"),
        ("[70000000000]", "70B"),
    ]
    tokens = {f["normalized"] for f in facts(kb, "llama-2", "tokens")}
    assert tokens == {"[2000000000000]"}
    [seven] = [f for f in facts(kb, "llama-2", "params") if f["quote"] == "7B"]
    assert seven["url"].endswith("/MODEL_CARD.md#L7")


def test_a_missing_copy_is_skipped_in_one_line(kb, repos):
    models = [{"name": "Mamba", "repo": "state-spaces/mamba"}]
    report = build(kb, models, repos={"location": str(repos)})
    assert not report.failed
    events = kb.rows("select * from fetch_events where source = 'repo'")
    assert [e["outcome"] for e in events] == ["skipped"]
    assert "no copy of state-spaces/mamba" in events[0]["message"]


def test_bad_repository_name_in_sources_file_names_the_fix(kb):
    from kbuild import config

    kb.write([{"name": "BERT", "repo": "https://github.com/google-research/bert"}])
    with pytest.raises(config.SourcesError, match="owner/name"):
        config.load(kb.sources)


def test_licence_identified_by_text_and_title_disagreement_goes_to_the_title():
    licence, how = licence_of(standard_text("MIT"))
    assert (licence.id, how) == ("MIT", "identified")
    # the identifier knows CC BY 4.0 but not CC BY-NC 4.0: the title decides
    nc = "Attribution-NonCommercial 4.0 International\n\n" + standard_text("CC-BY-4.0")
    assert licence_of(nc)[0].id == "CC-BY-NC-4.0"
    assert licence_of("Some terms we made up.\n") == (None, "")


# --- GitHub's API on a loopback server ---------------------------------------------------


def github(httpserver, repo: str, files: dict[str, str], spdx: str, first: dict[str, tuple]):
    api = f"/repos/{repo}"
    httpserver.expect_request(api).respond_with_json(
        {"full_name": repo, "created_at": "2018-10-25T23:04:53Z", "default_branch": "master"}
    )
    httpserver.expect_request(f"{api}/license").respond_with_json({
        "name": "LICENSE", "path": "LICENSE",
        "content": base64.b64encode(files["LICENSE"].encode()).decode(),
        "license": {"key": spdx.lower(), "name": spdx, "spdx_id": spdx},
    })  # fmt: skip
    listing = []
    for path, text in files.items():
        raw = f"/raw/{repo}/main/{path}"
        httpserver.expect_request(raw).respond_with_data(text)
        listing.append({
            "name": path, "path": path, "type": "file",
            "download_url": httpserver.url_for(raw),
            "html_url": f"https://github.com/{repo}/blob/main/{path}",
        })  # fmt: skip
    listing.append({"name": "src", "path": "src", "type": "dir", "download_url": None})
    httpserver.expect_request(f"{api}/contents").respond_with_json(listing)
    for path, (sha, date) in first.items():
        httpserver.expect_request(
            f"{api}/commits", query_string={"path": path, "per_page": "100", "page": "1"}
        ).respond_with_json([
            {"sha": "0" * 40, "commit": {"committer": {"date": "2024-01-01T00:00:00Z"}}},
            {"sha": sha, "commit": {"committer": {"date": date}}},
        ])  # fmt: skip
    return httpserver.url_for("/").rstrip("/")


def test_github_api_gives_licence_files_and_first_commits(kb, httpserver):
    api = github(
        httpserver, "google-research/bert",
        {"README.md": BERT_README, "LICENSE": standard_text("Apache-2.0")},
        "Apache-2.0",
        {"LICENSE": ("fe354751d7de010f60d362ae8d9343849ec39456", "2018-10-31T15:19:12Z")},
    )  # fmt: skip
    report = build(kb, MODELS[:1], repos={"location": api})
    assert not report.failed, report.failures
    items = sorted(d["item"] for d in kb.documents("repo"))
    assert items == [
        "bert:LICENSE",
        "bert:README.md",
        "bert:commits:LICENSE",
        "bert:license.json",
        "bert:repo.json",
    ]
    code = sorted((f["normalized"], f["item"]) for f in facts(kb, "bert", "code_license"))
    assert code == [("Apache-2.0", "bert:LICENSE"), ("Apache-2.0", "bert:license.json")]
    assert [f["normalized"] for f in facts(kb, "bert", "license")] == ["Apache-2.0"]
    # GitHub's answer for the LICENSE's first commit is stored; a code licence dates nothing
    assert facts(kb, "bert", "date") == []


def test_github_404_is_one_line_and_other_repositories_go_on(kb, httpserver):
    api = github(
        httpserver, "google-research/bert",
        {"README.md": BERT_README, "LICENSE": standard_text("Apache-2.0")}, "Apache-2.0", {},
    )  # fmt: skip
    httpserver.expect_request("/repos/google-research/albert").respond_with_data(
        "Not Found", status=404
    )
    httpserver.expect_request("/repos/google-research/bert/commits").respond_with_json([])
    models = [{"name": "ALBERT", "repo": "google-research/albert"}, MODELS[0]]
    report = build(kb, models, repos={"location": api})
    failed = kb.failures("repo")
    assert [(f["model_id"], f["message"]) for f in failed] == [
        ("albert", "HTTP 404 from GitHub for google-research/albert")
    ]
    assert report.counts["repo"]["fetched"] >= 2
    assert facts(kb, "bert", "code_license")


# --- the real copies in ../shared/corpus/repos ----------------------------------------------


def test_real_repositories_give_primary_licences(corpus_kb):
    need_corpus("repos", "SOURCES.tsv")
    db = corpus_kb.db

    def licences(model_id: str, field: str = "license") -> set[str]:
        return {
            row["normalized"]
            for row in db.query(
                "select f.normalized from facts f join documents d on d.id = f.document_id "
                "where d.source = 'repo' and f.model_id = ? and f.field = ?",
                [model_id, field],
            )
        }

    assert licences("llama-2") == {"LicenseRef-Llama-2-Community-License"}
    assert licences("llama-3.1") == {"LicenseRef-Llama-3.1-Community-License"}
    assert licences("deepseek-v3") == {"LicenseRef-DeepSeek-Model-License"}
    assert licences("deepseek-v3", "code_license") == {"MIT"}
    assert licences("alpaca") == {"CC-BY-NC-4.0"}
    # Qwen's sizes come under two licences: the commercial one and, for the smallest, the
    # research one
    assert licences("qwen") == {
        "LicenseRef-Tongyi-Qianwen-License",
        "LicenseRef-Tongyi-Qianwen-Research-License",
    }
    assert licences("bert") == {"Apache-2.0"}
    # OpenAI's Modified MIT licence is the repository's LICENSE: the code's
    assert licences("gpt-2", "code_license") == {"LicenseRef-Modified-MIT"}
    # Gemma's repository licenses its code; the weights' terms are not in it
    assert licences("gemma") == set()
    assert licences("gemma", "code_license") == {"Apache-2.0"}
    dates = {
        row["normalized"]
        for row in db.query(
            "select f.normalized from facts f join documents d on d.id = f.document_id "
            "where d.source = 'repo' and f.model_id = 'llama-2' and f.field = 'date'"
        )
    }
    assert dates == {"2023-07-18"}
    assert json.loads(db.execute("select repos from models where id = 'bert'").fetchone()[0]) == [
        "google-research/bert"
    ]


def test_github_rate_limit_and_a_token_from_the_environment(kb, httpserver, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    seen = []

    def limited(request):
        from werkzeug.wrappers import Response

        seen.append(request.headers.get("Authorization"))
        return Response('{"message": "API rate limit exceeded for 127.0.0.1."}', status=403)

    httpserver.expect_request("/repos/google-research/bert").respond_with_handler(limited)
    build(kb, MODELS[:1], repos={"location": httpserver.url_for("/").rstrip("/")})
    [failure] = kb.failures("repo")
    assert "rate limit" in failure["message"] and "GITHUB_TOKEN" in failure["message"]
    assert seen == ["Bearer t0ken"]
    # the token is sent, never stored
    assert not kb.rows("select 1 from fetch_events where message like '%t0ken%'")


def test_an_answer_that_is_not_json_is_one_line(kb, httpserver):
    httpserver.expect_request("/repos/google-research/bert").respond_with_data("<html>")
    build(kb, MODELS[:1], repos={"location": httpserver.url_for("/").rstrip("/")})
    [failure] = kb.failures("repo")
    assert "not JSON" in failure["message"]


def test_a_non_commercial_claim_is_not_contradicted_by_a_non_commercial_licence(
    corpus_kb, tmp_path
):
    # the catalog calls Alpaca's licence "Limited, Non-commercial bespoke"; its repository's
    # weights licence is CC BY-NC 4.0: the claim is loosely worded, not wrong
    from kbuild.check.runner import check

    need_corpus("repos", "SOURCES.tsv")
    post = tmp_path / "alpaca.md"
    post.write_text(
        '## Alpaca\n\n"""\nFamily: LLaMA\nLicense: Limited, Non-commercial bespoke license\n'
        'Lab: Stanford\n"""\n'
    )
    [result] = [r for r in check(corpus_kb.db, post) if r.claim["field"] == "license"]
    assert result.verdict.verdict != "contradicted", result.verdict.explanation
