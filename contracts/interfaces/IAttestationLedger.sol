// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITradeLedger} from "./ITradeLedger.sol";

/// @title IAttestationLedger
/// @notice What machines and carriers vouch for. An oracle (a firm with the ORACLE role: an
/// industrial-internet platform, a logistics provider) registers the devices it reads to the firms
/// that operate them, and signs EIP-712 attestations about them, which anyone (the operator's
/// relayer) submits, in batches:
/// - *production*: a device's output over a period (units, running seconds, energy in Wh);
/// - *delivery*: a trade's goods were delivered (time, place hash, quantity).
/// Each commits to the raw telemetry kept off chain by `dataHash`, so a dispute can be checked.
/// An oracle is *party to a trade* when the trade's seller or buyer appointed it as the trade's
/// carrier (a signed `Carrier` message, {appointCarrier}); only such an oracle attests a delivery.
/// A device's periods are attested in order and never overlap: a period that starts before the
/// end of the last attested one is refused (it was attested already, or it comes too late).
interface IAttestationLedger {
    // ─────────────────────────────────────────────────────────────── types

    enum DeviceKind {
        ProductionLine,
        MachineTool,
        Furnace,
        EnergyMeter,
        Vehicle,
        WarehouseScanner
    }

    enum DeviceStatus {
        None,
        Active,
        Disputed
    }

    /// @dev The EIP-712 `Device` type, signed by the registering oracle. `deviceId` is the
    /// keccak256 of the device's identifier (serial number); `ratedCapacity` is in units per hour
    /// (Wh per hour for an energy meter).
    struct Device {
        bytes32 deviceId;
        address firm;
        uint8 kind;
        uint64 ratedCapacity;
    }

    /// @dev The EIP-712 `Production` type: what `deviceId` did in [periodStart, periodEnd).
    struct Production {
        bytes32 deviceId;
        uint64 periodStart;
        uint64 periodEnd;
        uint64 units;
        uint64 runningSeconds;
        uint64 energyWh;
        bytes32 dataHash;
    }

    /// @dev The EIP-712 `Delivery` type: the goods of `tradeId` were delivered.
    struct Delivery {
        bytes32 tradeId;
        uint64 deliveredAt;
        bytes32 placeHash;
        uint64 quantity;
        bytes32 dataHash;
    }

    struct ProductionItem {
        Production attestation;
        address oracle;
        bytes signature;
    }

    struct DeliveryItem {
        Delivery attestation;
        address oracle;
        bytes signature;
    }

    // ─────────────────────────────────────────────────────────────── errors

    /// @notice `account` is not an active firm with the ORACLE role.
    error AttestationLedgerNotAnOracle(address account);
    /// @notice The signature does not come from `signer` (EOA or ERC-1271 wallet).
    error AttestationLedgerInvalidSignature(address signer);
    /// @notice No device `deviceId` is registered.
    error AttestationLedgerUnknownDevice(bytes32 deviceId);
    /// @notice Device `deviceId` is registered already.
    error AttestationLedgerDuplicateDevice(bytes32 deviceId);
    /// @notice A zero device id, a kind out of range, or a zero rated capacity.
    error AttestationLedgerInvalidDevice(bytes32 deviceId, uint8 kind, uint64 ratedCapacity);
    /// @notice `firm` is not an active registered firm that trades (SUPPLIER or CORE).
    error AttestationLedgerNotATrader(address firm);
    /// @notice `oracle` did not register device `deviceId`, so it cannot attest for it.
    error AttestationLedgerNotDeviceOracle(bytes32 deviceId, address oracle);
    /// @notice The operating firm disputed device `deviceId`: nothing more is attested for it.
    error AttestationLedgerDisputedDevice(bytes32 deviceId);
    /// @notice The period ends before (or when) it starts.
    error AttestationLedgerInvalidPeriod(uint64 periodStart, uint64 periodEnd);
    /// @notice A business time is later than the block's time (beyond the allowed clock skew).
    error AttestationLedgerFutureTimestamp(uint64 businessTime, uint64 blockTime);
    /// @notice The period starts before `attestedUntil`, the end of the device's last attested one.
    error AttestationLedgerPeriodOverlap(bytes32 deviceId, uint64 periodStart, uint64 attestedUntil);
    /// @notice The trade is not verified on the trade ledger.
    error AttestationLedgerTradeNotVerified(bytes32 tradeId);
    /// @notice `party` is neither the seller nor the buyer of `tradeId`.
    error AttestationLedgerNotTradeParty(bytes32 tradeId, address party);
    /// @notice No party of `tradeId` appointed `oracle` as its carrier.
    error AttestationLedgerOracleNotParty(bytes32 tradeId, address oracle);
    /// @notice `oracle` attested the delivery of `tradeId` already.
    error AttestationLedgerDuplicateDelivery(bytes32 tradeId, address oracle);
    /// @notice A delivery of nothing.
    error AttestationLedgerZeroQuantity(bytes32 tradeId);

    // ─────────────────────────────────────────────────────────────── events

    event DeviceRegistered(
        bytes32 indexed deviceId,
        address indexed firm,
        address indexed oracle,
        uint8 kind,
        uint64 ratedCapacity,
        uint64 registeredAt
    );
    event DeviceDisputed(bytes32 indexed deviceId, address indexed firm, bytes32 reason, uint64 disputedAt);
    event CarrierAppointed(bytes32 indexed tradeId, address indexed oracle, address indexed party);
    event ProductionAttested(
        bytes32 indexed attestationId,
        bytes32 indexed deviceId,
        address indexed firm,
        address oracle,
        uint64 periodStart,
        uint64 periodEnd,
        uint64 units,
        uint64 runningSeconds,
        uint64 energyWh,
        bytes32 dataHash
    );
    event DeliveryAttested(
        bytes32 indexed attestationId,
        bytes32 indexed tradeId,
        address indexed oracle,
        uint64 deliveredAt,
        bytes32 placeHash,
        uint64 quantity,
        bytes32 dataHash
    );
    /// @notice Item `index` of a batch (production items first, then deliveries) was refused with
    /// the ABI-encoded custom error `reason`; the other items were not affected.
    event AttestationFailed(bytes32 indexed attestationId, uint256 index, bytes reason);

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Registers `device` to its operating firm, signed by `oracle` (active, ORACLE role).
    function registerDevice(Device calldata device, address oracle, bytes calldata signature) external;

    /// @notice The device's operating firm disputes it (signed `DisputeDevice(deviceId, reason)`).
    function disputeDevice(bytes32 deviceId, bytes32 reason, bytes calldata firmSignature) external;

    /// @notice `party` (the seller or buyer of the verified `trade`, an active trading firm)
    /// appoints `oracle` as carrier.
    function appointCarrier(
        ITradeLedger.Trade calldata trade,
        address oracle,
        address party,
        bytes calldata partySignature
    ) external;

    /// @notice One production attestation; reverts with the reason when refused.
    function attestProduction(ProductionItem calldata item) external returns (bytes32 attestationId);

    /// @notice One delivery attestation; reverts with the reason when refused.
    function attestDelivery(DeliveryItem calldata item) external returns (bytes32 attestationId);

    /// @notice Many attestations in one transaction; a refused item emits {AttestationFailed} and
    /// does not sink the others. Returns how many were attested.
    function attestBatch(ProductionItem[] calldata production, DeliveryItem[] calldata deliveries)
        external
        returns (uint256 attested);

    /// @notice A registered device: firm, oracle, kind, capacity, status, end of its last period.
    function device(bytes32 deviceId)
        external
        view
        returns (
            address firm,
            address oracle,
            uint8 kind,
            uint64 ratedCapacity,
            DeviceStatus status,
            uint64 attestedUntil
        );

    /// @notice Whether `oracle` is the appointed carrier of `tradeId`, and whether it attested it.
    function carrier(bytes32 tradeId, address oracle) external view returns (bool appointed, bool delivered);

    function hashProduction(Production calldata attestation) external view returns (bytes32);
    function hashDelivery(Delivery calldata attestation) external view returns (bytes32);
}
