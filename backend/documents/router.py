"""POST /documents (multipart upload) and GET /documents/{doc_hash}."""

from __future__ import annotations

from fastapi import APIRouter, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import SIGNED_IN, Forbidden, NotAParty
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.documents import service
from backend.documents.errors import (
    DocumentNotFound,
    DocumentStored,
    DocumentTooLarge,
    EmptyDocument,
    UnknownDocument,
)
from backend.errors import responses
from backend.schemas import Hex32

DOCUMENT_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"
router = APIRouter(prefix="/documents", tags=["documents"], responses=responses(*SIGNED_IN))


class DocumentPublic(BaseModel):
    doc_hash: Hex32
    trade_id: Hex32
    content_type: str = Field(
        description="the type it is served with (an allowed type, or application/octet-stream)"
    )
    filename: str = Field(description="the uploaded file's name, sanitised")
    size: int


@router.post(
    "",
    status_code=201,
    response_model=DocumentPublic,
    responses=responses(
        *SIGNED_IN, EmptyDocument, DocumentTooLarge, UnknownDocument, NotAParty, DocumentStored
    ),
)
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
        file.content_type,
        file.filename,
    )
    return DocumentPublic(
        doc_hash=document.doc_hash,
        trade_id=document.trade_id,
        content_type=document.content_type,
        filename=document.filename or service.FALLBACK_FILENAME,
        size=document.size,
    )


@router.get(
    "/{doc_hash}",
    response_class=Response,
    responses={
        **responses(*SIGNED_IN, DocumentNotFound, Forbidden, ReaderNotActive, ReaderNotABank),
        200: {
            "description": "the document's bytes, as an attachment",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in sorted(service.SERVED_TYPES | {service.OPAQUE_TYPE})
            },
        },
    },
)
def read_document(
    doc_hash: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> Response:
    document, content = service.read(
        session,
        principal,
        services.settings.document_key,
        doc_hash,
    )
    # Always a download, never rendered: an uploader chooses the bytes and the declared type.
    headers = {
        "Content-Disposition": service.content_disposition(document.filename),
        "Content-Security-Policy": DOCUMENT_CSP,
        "Cache-Control": "private, no-store",
    }
    return Response(content, media_type=service.served_type(document.content_type), headers=headers)
