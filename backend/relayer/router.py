"""HTTP for the status of a submission (the id a 202 answered): thin; the work is in status.py."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.relayer import status
from backend.relayer.schemas import SubmissionStatus
from backend.schemas import ERROR_RESPONSES

router = APIRouter(tags=["submissions"], responses=ERROR_RESPONSES)


@router.get("/submissions/{submission_id}", response_model=SubmissionStatus)
def read_submission(
    submission_id: str, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> SubmissionStatus:
    """Where a submission is: queued, submitted, recorded (block, confirmations), final, failed;
    never more than the indexed canonical chain says."""
    return status.read_submission(session, services, principal, submission_id)
