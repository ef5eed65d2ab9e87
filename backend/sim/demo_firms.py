"""The demo's firms: registered with deterministic keys, so that every run shows the same
addresses."""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import keccak

from backend.chain.contracts import Ledger
from backend.enums import Role
from backend.firms.credit_code import credit_code_hash, make_credit_code
from backend.firms.models import FirmDirectoryEntry
from backend.sdk.signer import Signer

#: Who the demo's firms are, as the firm directory shows them: legal name in Chinese and in
#: English, region, industry (fictional firms).
DEMO_DIRECTORY: dict[str, tuple[str, str, str, str]] = {
    "Core: Huaxin Automotive": (
        "华信汽车集团有限公司",
        "Huaxin Automotive Group Co., Ltd.",
        "浙江省杭州市",
        "汽车制造",
    ),
    "Tier-1 Battery Systems": (
        "杭州瑞能电池系统有限公司",
        "Hangzhou Ruineng Battery Systems Co., Ltd.",
        "浙江省杭州市",
        "电池制造",
    ),
    "Tier-1 Cable Harness": (
        "宁波联通线束有限公司",
        "Ningbo Liantong Cable Harness Co., Ltd.",
        "浙江省宁波市",
        "汽车零部件",
    ),
    "Tier-2 Cell Materials": (
        "湖州新材电芯材料有限公司",
        "Huzhou Xincai Cell Materials Co., Ltd.",
        "浙江省湖州市",
        "电池材料",
    ),
    "Tier-2 Precision Castings": (
        "台州精铸科技有限公司",
        "Taizhou Jingzhu Precision Castings Co., Ltd.",
        "浙江省台州市",
        "金属铸造",
    ),
    "Tier-3 Fasteners": (
        "温州固联紧固件有限公司",
        "Wenzhou Gulian Fasteners Co., Ltd.",
        "浙江省温州市",
        "紧固件",
    ),
    "Bank: Merchants Commercial Bank": (
        "招商商业银行股份有限公司",
        "Merchants Commercial Bank Co., Ltd.",
        "广东省深圳市",
        "银行",
    ),
}


@dataclass(frozen=True)
class DemoFirm:
    name: str
    signer: Signer
    roles: Role
    credit_code: str = ""


def register_demo_firm(ledger: Ledger, name: str, roles: Role, key: str, serial: int) -> DemoFirm:
    """A firm with a deterministic key (from ``key``) and credit code (from ``serial``)."""
    # Deterministic demo keys; a real firm's key never leaves its own client.
    signer = Signer.from_key(keccak(text=key))
    code = make_credit_code(f"9133{serial:013d}")
    ledger.registry.register(signer.address, roles, credit_code_hash(code))
    return DemoFirm(name, signer, roles, code)


def directory_entry(firm: DemoFirm, now: int) -> FirmDirectoryEntry:
    """The firm's directory entry (names, region, industry, its credit code in clear)."""
    name_zh, name_en, region, industry = DEMO_DIRECTORY.get(
        firm.name, (firm.name, firm.name, None, None)
    )
    return FirmDirectoryEntry(
        address=firm.signer.address,
        uscc=firm.credit_code,
        legal_name_zh=name_zh,
        legal_name_en=name_en,
        region=region,
        industry=industry,
        created_at=now,
    )
