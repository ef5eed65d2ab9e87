"""HTTP for the status of a submission (the id a 202 answered): thin; the work is in status.py."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.checks import CallerDep
from backend.auth.errors import SIGNED_IN, Forbidden
from backend.errors import responses
from backend.relayer import status
from backend.relayer.schemas import SubmissionStatus
from backend.relayer.status import SubmissionNotFound

router = APIRouter(tags=["submissions"], responses=responses(*SIGNED_IN))


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionStatus,
    responses=responses(*SIGNED_IN, SubmissionNotFound, Forbidden),
)
def read_submission(submission_id: str, caller: CallerDep) -> SubmissionStatus:
    """Where a submission is: queued, submitted, recorded (block, confirmations), final, failed;
    never more than the indexed canonical chain says."""
    return status.read_submission(*caller, submission_id)
