"""`/api/scenarios`: the scenarios offered, one resolved, and uploading one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from lrtsim.errors import LrtsimError, ScenarioError
from lrtsim.web.models import SCENARIO_NAME, Problem, ScenarioSummary
from lrtsim.web.problems import ApiError
from lrtsim.web.security import require_token

router = APIRouter(prefix="/api/scenarios", tags=["scenarios"])

ScenarioName = Annotated[str, Path(pattern=SCENARIO_NAME, description="a-z, 0-9, _ and -")]

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/toml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


@router.get("", summary="Every scenario: embedded and uploaded")
def list_scenarios(request: Request) -> list[ScenarioSummary]:
    """The embedded scenarios and the uploaded ones, with their line's stations and length."""
    from lrtsim.model.load import load_scenario
    from lrtsim.web.scenarios import scenario_names, scenario_ref, summary

    runs_dir = request.app.state.settings.runs_dir
    found = []
    for name, source in scenario_names(runs_dir):
        try:
            found.append(summary(name, source, load_scenario(scenario_ref(runs_dir, name))))
        except LrtsimError:  # a file changed behind the service's back: not offered
            continue
    return found


@router.get(
    "/{name}",
    summary="One scenario, every default written out",
    responses={404: {"model": Problem}},
)
def get_scenario(request: Request, name: ScenarioName) -> dict[str, Any]:
    """The scenario `name` as lrtsim resolves it (the JSON form of a run's scenario.toml)."""
    from lrtsim.io.resolved import resolved_dict
    from lrtsim.model.load import load_scenario
    from lrtsim.web.scenarios import UnknownScenarioError, scenario_ref

    try:
        ref = scenario_ref(request.app.state.settings.runs_dir, name)
        return resolved_dict(load_scenario(ref), ref)
    except UnknownScenarioError as exc:
        raise ApiError(404, str(exc)) from None
    except ScenarioError as exc:
        raise ApiError(422, f"scenario '{name}' cannot be read", exc.problems) from None


@router.post(
    "",
    status_code=201,
    summary="Upload a scenario (TOML)",
    dependencies=[Depends(require_token)],
    openapi_extra=UPLOAD_BODY,
    responses={
        401: {"model": Problem},
        409: {"model": Problem},
        413: {"model": Problem},
        422: {"model": Problem},
    },
)
async def upload_scenario(
    request: Request,
    name: Annotated[
        str | None,
        Query(pattern=SCENARIO_NAME, description="Stored under this name; else its own name."),
    ] = None,
) -> ScenarioSummary:
    """A scenario TOML (the body, or the form field `file`), validated by lrtsim's loader and
    stored: 422 with every problem and its key path when it is not valid."""
    from lrtsim.web.scenarios import ScenarioExistsError, parse_upload, store, summary
    from lrtsim.web.uploads import uploaded_text

    settings = request.app.state.settings
    text = await uploaded_text(request, settings.upload_limit_bytes)
    try:
        stored, scenario = parse_upload(text, name)
        store(settings.runs_dir, stored, text)
    except ScenarioError as exc:
        raise ApiError(422, "the scenario is not valid", exc.problems) from None
    except ScenarioExistsError as exc:
        raise ApiError(409, str(exc)) from None
    except LrtsimError as exc:
        raise ApiError(422, str(exc)) from None
    return summary(stored, "uploaded", scenario)
