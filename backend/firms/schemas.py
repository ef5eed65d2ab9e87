"""Firms in and out of the API: the registry's standing and the directory's names."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from backend.schemas import EXAMPLE_SELLER, Address, Hex32, UnixTime, examples

RoleName = Literal["supplier", "core", "bank", "oracle"]
FirmStatusName = Literal["active", "suspended"]

# Text for people: no control characters (none belongs in a name; PostgreSQL refuses NUL).
_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_PRINTABLE)
]
Label = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_PRINTABLE)
]

EXAMPLE_FIRM: dict[str, Any] = {
    "address": EXAMPLE_SELLER,
    "roles": ["supplier"],
    "uscc": "91110000600037341L",
    "legal_name_zh": "杭州示例精密零件有限公司",
    "legal_name_en": "Hangzhou Example Precision Parts Co., Ltd.",
    "region": "浙江省杭州市",
    "industry": "C34 通用设备制造业",
}


class FirmCreate(BaseModel):
    model_config = examples(EXAMPLE_FIRM)

    address: Address
    roles: list[RoleName] = Field(min_length=1, max_length=4)
    uscc: str = Field(
        min_length=18,
        max_length=32,
        description="unified social credit code (统一社会信用代码), validated as GB 32100-2015 "
        "(stdnum.cn.uscc); stored in clear in the directory, its keccak256 on chain",
    )
    legal_name_zh: Name = Field(description="legal name in Chinese, as on the business licence")
    legal_name_en: Name | None = Field(None, description="legal name in English, if it has one")
    region: Label | None = Field(None, description="where it is registered, e.g. 浙江省杭州市")
    industry: Label | None = Field(None, description="its industry, e.g. a GB/T 4754 class")


class FirmPublic(BaseModel):
    address: Address
    roles: list[RoleName]
    status: FirmStatusName
    registered_at: UnixTime
    credit_code_hash: Hex32 = Field(description="keccak256 of the uscc, as the registry holds it")
    uscc: str | None = Field(description="null: the firm was registered without the directory")
    legal_name_zh: str | None
    legal_name_en: str | None
    region: str | None
    industry: str | None


class FirmSubmissionAccepted(BaseModel):
    id: str = Field(description="the submission: follow it at GET /submissions/{id}")
    subject: Address = Field(description="the firm")
    status: str
