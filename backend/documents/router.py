"""POST /documents (multipart upload) and GET /documents/{doc_hash}."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.documents import service
from backend.schemas import ERROR_RESPONSES, Hex32

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)


class DocumentPublic(BaseModel):
    doc_hash: Hex32
    trade_id: Hex32
    content_type: str
    size: int


@router.post("", status_code=201, response_model=DocumentPublic)
async def upload_document(
    file: UploadFile, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> DocumentPublic:
    """Upload a trade's original document; its SHA-256 must be a recorded document hash."""
    content = await file.read(service.MAX_DOCUMENT_BYTES + 1)
    document = service.upload(
        session,
        principal,
        services.settings.document_key,
        content,
        file.content_type or "application/octet-stream",
    )
    return DocumentPublic(
        doc_hash=document.doc_hash,
        trade_id=document.trade_id,
        content_type=document.content_type,
        size=document.size,
    )


@router.get("/{doc_hash}", response_class=Response)
def read_document(
    doc_hash: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> Response:
    document, content = service.read(
        session,
        principal,
        services.settings.document_key,
        doc_hash,
    )
    return Response(content, media_type=document.content_type)
