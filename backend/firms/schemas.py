"""Firms in and out of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from backend.schemas import Address

RoleName = Literal["supplier", "core", "bank", "oracle"]


class FirmCreate(BaseModel):
    address: Address
    roles: list[RoleName] = Field(min_length=1, max_length=4)
    credit_code: str = Field(min_length=18, max_length=18, description="unified social credit code")


class FirmPublic(BaseModel):
    address: Address
    roles: list[RoleName]
    status: Literal["active", "suspended"]
    registered_at: int
    credit_code_hash: str
