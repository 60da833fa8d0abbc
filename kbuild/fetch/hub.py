"""Fetch what the Hugging Face Hub says of a model's repositories: ``model_info`` through
``huggingface_hub`` (card data, safetensors parameter counts, creation date), stored as
JSON in the library's own field names under the repository's public page.

The Hub is an extra witness, not a source the knowledge base needs: with no network
(``HF_HUB_OFFLINE`` set, ``[hub] offline = true``, or the host unreachable) a run says
in one line that it skipped the Hub and nothing fails.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from kbuild import __version__
from kbuild.fetch.context import FetchContext, fetcher_name
from kbuild.fetch.errors import (
    RETRY_STATUSES,
    RetryableStatus,
    Unreachable,
    connection_failure,
    parse_retry_after,
)

if TYPE_CHECKING:
    from huggingface_hub import HfApi, ModelInfo

SOURCE = "hub"
CONFIG_KEY = "hub"
PUBLIC_PAGE = "https://huggingface.co/{repo_id}"


class ItemFailure(Exception):
    """One repository could not be fetched; the message says why and what to do."""


def public_page(repo_id: str) -> str:
    """The repository's page on the Hub: the address its document is stored under,
    whatever endpoint answered."""
    return PUBLIC_PAGE.format(repo_id=repo_id)


def targets(ctx: FetchContext) -> list[tuple[str, str]]:
    """(model id, repository) for every Hub repository the sources file names."""
    return [(model.id, repo_id) for model in ctx.config.models for repo_id in model.hub]


def offline_reason(ctx: FetchContext) -> str | None:
    """Why the Hub is not to be called at all, or None. ``HF_HUB_OFFLINE`` is read here
    too: the library reads it once, when it is imported."""
    if ctx.config.sources[CONFIG_KEY].offline:
        return f"offline = true in {ctx.config.path.name}"
    for variable in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        if os.environ.get(variable, "").strip().upper() in {"1", "ON", "YES", "TRUE"}:
            return f"{variable} is set"
    from huggingface_hub import constants

    return "HF_HUB_OFFLINE is set" if constants.is_offline_mode() else None


def fetch(ctx: FetchContext) -> None:
    """Fetch ``model_info`` of every repository the sources file names under ``hub``."""
    wanted = targets(ctx)
    if not wanted:
        return
    source = ctx.config.sources[CONFIG_KEY]
    reason = offline_reason(ctx)
    if reason:
        skip(ctx, source.location, reason)
        return
    from huggingface_hub import HfApi

    # token=False: kbuild reads public metadata and never sends a token it finds locally
    api = HfApi(
        endpoint=source.location.rstrip("/"),
        token=False,
        library_name="kbuild",
        library_version=__version__,
    )
    ctx.report.start(SOURCE, len(wanted))
    for model_id, repo_id in wanted:
        page = public_page(repo_id)
        try:
            with ctx.guarded(SOURCE, CONFIG_KEY, model_id, page):
                fetch_repo(ctx, api, model_id, repo_id)
        except ItemFailure as err:
            ctx.report.record(SOURCE, "failed", model_id=model_id, location=page, message=str(err))
        except Unreachable as err:
            skip(
                ctx,
                source.location,
                f"could not reach {err.host} ({err.reason})",
            )
            return


def skip(ctx: FetchContext, endpoint: str, why: str) -> None:
    """Say in one line that the Hub was skipped, and log it once."""
    message = f"skipped the Hugging Face Hub: {why}"
    ctx.report.record(
        SOURCE, "skipped", location=endpoint, message=f"{message}; kept what was fetched before"
    )
    ctx.report.note(f"{SOURCE}: {message}")  # short: one line on a terminal


def fetch_repo(ctx: FetchContext, api: HfApi, model_id: str, repo_id: str) -> None:
    """Ask for one repository's info; store it unless the Hub still has the revision
    (the ``sha``) stored last."""
    from kbuild.fetch.http import retrying

    source = ctx.config.sources[CONFIG_KEY]
    for attempt in retrying(source.retries, ctx.backoff):
        with attempt:
            info = model_info(api, repo_id, source.timeout)
    page = public_page(repo_id)
    previous = ctx.store.latest_document(SOURCE, page, repo_id)
    if previous and info.sha and not ctx.refresh and stored_sha(ctx, previous["id"]) == info.sha:
        ctx.store.touch(previous["id"])
        ctx.report.record(
            SOURCE, "unchanged", model_id=model_id, location=page, document_id=previous["id"]
        )
        return
    with ctx.store.atomic():  # the document and its log line
        saved = ctx.store.save_document(
            source=SOURCE,
            location=page,
            item=repo_id,
            model_id=model_id,
            content=answer_body(info),
            fetcher=fetcher_name("hub"),
            final_url=f"{api.endpoint}/api/models/{repo_id}",
            http_status=200,
            last_modified=info.last_modified.isoformat() if info.last_modified else None,
            content_type="application/json",
        )
        ctx.report.record(
            SOURCE,
            "fetched" if saved.new else "unchanged",
            model_id=model_id,
            location=page,
            document_id=saved.id,
        )


def model_info(api: HfApi, repo_id: str, timeout: float) -> ModelInfo:
    """``HfApi.model_info``, its errors turned into kbuild's: a host that cannot be
    reached (:class:`Unreachable`), a 429/5xx to retry (:class:`RetryableStatus`), or
    this repository's failure (:class:`ItemFailure`)."""
    import httpx2
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
    )

    url = f"{api.endpoint}/api/models/{repo_id}"
    try:
        return api.model_info(repo_id, files_metadata=False, timeout=timeout)
    except OfflineModeIsEnabled as err:
        raise Unreachable(url, "offline mode is on") from err
    except (httpx2.ConnectError, httpx2.ConnectTimeout) as err:
        found = connection_failure(url, err)
        if isinstance(found, Unreachable):
            raise found from err
        raise ItemFailure(f"{repo_id}: {found}; kept what was stored") from err
    except GatedRepoError as err:
        raise ItemFailure(f"{repo_id}: the Hub answers only to a signed-in user") from err
    except HfHubHTTPError as err:
        status = err.response.status_code if err.response is not None else None
        if isinstance(err, RepositoryNotFoundError) or status == 404:
            # (the Hub answers 401 for a repository it does not have, to a caller with no token)
            raise ItemFailure(
                f"{repo_id}: no such model repository on the Hub (HTTP {status}); check its "
                "'hub' entry in the sources file"
            ) from err
        if status in RETRY_STATUSES:
            wait = parse_retry_after(err.response.headers.get("Retry-After"))
            raise RetryableStatus(status, wait, url) from err
        raise ItemFailure(f"{repo_id}: HTTP {status} from the Hub; kept what was stored") from err
    except httpx2.TimeoutException as err:
        raise ItemFailure(
            f"{repo_id}: no answer within {timeout:g} s; raise [hub] timeout or try again later"
        ) from err
    except httpx2.HTTPError as err:
        raise ItemFailure(f"{repo_id}: {err.__class__.__name__}: {err}") from err
    except (ValueError, KeyError, TypeError) as err:
        # an answer that is not JSON, or not a model's info
        raise ItemFailure(
            f"{repo_id}: the Hub's answer is not a model's info ({err.__class__.__name__}); "
            "kept what was stored"
        ) from err


def answer_body(info: ModelInfo) -> bytes:
    """What is stored of an answer: the fields kbuild reads, named as ``ModelInfo``
    names them (``card_data`` as ``ModelCardData.to_dict`` gives it), one per line so a
    fact's span is easy to read. Counts that move daily (downloads, likes) are left
    out: a new copy is stored when the repository changes, not when it is popular."""
    safetensors = info.safetensors
    answer = {
        "id": info.id,
        "sha": info.sha,
        "created_at": info.created_at.isoformat() if info.created_at else None,
        "last_modified": info.last_modified.isoformat() if info.last_modified else None,
        "card_data": info.card_data.to_dict() if info.card_data is not None else None,
        "safetensors": (
            {"parameters": safetensors.parameters, "total": safetensors.total}
            if safetensors is not None
            else None
        ),
        "tags": info.tags,
        "pipeline_tag": info.pipeline_tag,
        "library_name": info.library_name,
        "gated": info.gated,
    }
    return json.dumps(answer, indent=1, ensure_ascii=False, default=str).encode("utf-8")


def stored_sha(ctx: FetchContext, document_id: int) -> str | None:
    """The revision a stored answer was of (None when it cannot be read)."""
    (body,) = ctx.store.db.execute(
        "select body from documents where id = ?", [document_id]
    ).fetchone()
    try:
        return json.loads(body or "null").get("sha")
    except (ValueError, AttributeError):
        return None
