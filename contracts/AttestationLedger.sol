// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {IAttestationLedger} from "./interfaces/IAttestationLedger.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {ITradeLedger} from "./interfaces/ITradeLedger.sol";
import {Roles} from "./Roles.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title AttestationLedger
/// @notice See {IAttestationLedger}. A device takes two storage slots: (firm, kind, status,
/// attestedUntil), rewritten by each production attestation, and (oracle, ratedCapacity). An
/// attestation's figures live in its event; a delivery takes one slot per (trade, carrier).
contract AttestationLedger is IAttestationLedger, EIP712 {
    bytes32 public constant DEVICE_TYPEHASH =
        keccak256("Device(bytes32 deviceId,address firm,uint8 kind,uint64 ratedCapacity)");
    bytes32 public constant DISPUTE_TYPEHASH = keccak256("DisputeDevice(bytes32 deviceId,bytes32 reason)");
    bytes32 public constant CARRIER_TYPEHASH = keccak256("Carrier(bytes32 tradeId,address oracle)");
    bytes32 public constant PRODUCTION_TYPEHASH = keccak256(
        "Production(bytes32 deviceId,uint64 periodStart,uint64 periodEnd,uint64 units,uint64 runningSeconds,uint64 energyWh,bytes32 dataHash)"
    );
    bytes32 public constant DELIVERY_TYPEHASH = keccak256(
        "Delivery(bytes32 tradeId,uint64 deliveredAt,bytes32 placeHash,uint64 quantity,bytes32 dataHash)"
    );

    /// @notice How far a business time may run ahead of the block's time (as on the trade ledger).
    uint64 public constant MAX_CLOCK_SKEW = 5 minutes;

    uint8 private constant APPOINTED = 1;
    uint8 private constant DELIVERED = 2;

    struct DeviceRecord {
        address firm;
        uint8 kind;
        DeviceStatus status;
        uint64 attestedUntil;
        address oracle;
        uint64 ratedCapacity;
    }

    IFirmRegistry public immutable registry;
    ITradeLedger public immutable trades;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 deviceId => DeviceRecord) private _devices;
    mapping(bytes32 tradeId => mapping(address oracle => uint8 state)) private _carriers;

    constructor(IFirmRegistry registry_, ITradeLedger trades_) EIP712("SCF Ledger", "1") {
        registry = registry_;
        trades = trades_;
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc IAttestationLedger
    function registerDevice(Device calldata device_, address oracle, bytes calldata signature) external {
        bytes32 id = device_.deviceId;
        if (id == bytes32(0) || device_.kind > uint8(DeviceKind.WarehouseScanner) || device_.ratedCapacity == 0) {
            revert AttestationLedgerInvalidDevice(id, device_.kind, device_.ratedCapacity);
        }
        if (_devices[id].status != DeviceStatus.None) revert AttestationLedgerDuplicateDevice(id);
        _checkOracle(oracle);
        if (!registry.isActiveWithRole(device_.firm, Roles.TRADER)) revert AttestationLedgerNotATrader(device_.firm);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(DEVICE_TYPEHASH, device_)));
        if (!SignatureVerifier.isValidCalldata(oracle, digest, signature)) {
            revert AttestationLedgerInvalidSignature(oracle);
        }
        _devices[id] = DeviceRecord({
            firm: device_.firm,
            kind: device_.kind,
            status: DeviceStatus.Active,
            attestedUntil: 0,
            oracle: oracle,
            ratedCapacity: device_.ratedCapacity
        });
        emit DeviceRegistered(id, device_.firm, oracle, device_.kind, device_.ratedCapacity, uint64(block.timestamp));
    }

    /// @inheritdoc IAttestationLedger
    function disputeDevice(bytes32 deviceId, bytes32 reason, bytes calldata firmSignature) external {
        DeviceRecord storage record = _devices[deviceId];
        if (record.status == DeviceStatus.None) revert AttestationLedgerUnknownDevice(deviceId);
        if (record.status == DeviceStatus.Disputed) revert AttestationLedgerDisputedDevice(deviceId);
        address firm = record.firm;
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(DISPUTE_TYPEHASH, deviceId, reason)));
        if (!SignatureVerifier.isValidCalldata(firm, digest, firmSignature)) {
            revert AttestationLedgerInvalidSignature(firm);
        }
        record.status = DeviceStatus.Disputed;
        emit DeviceDisputed(deviceId, firm, reason, uint64(block.timestamp));
    }

    /// @inheritdoc IAttestationLedger
    function appointCarrier(
        ITradeLedger.Trade calldata trade,
        address oracle,
        address party,
        bytes calldata partySignature
    ) external {
        bytes32 tradeId = trades.hashTrade(trade);
        if (trades.statusOf(trade) != ITradeLedger.TradeStatus.Verified) {
            revert AttestationLedgerTradeNotVerified(tradeId);
        }
        if (party != trade.seller && party != trade.buyer) revert AttestationLedgerNotTradeParty(tradeId, party);
        if (!registry.isActiveWithRole(party, Roles.TRADER)) revert AttestationLedgerNotATrader(party);
        _checkOracle(oracle);
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(CARRIER_TYPEHASH, tradeId, oracle)));
        if (!SignatureVerifier.isValidCalldata(party, digest, partySignature)) {
            revert AttestationLedgerInvalidSignature(party);
        }
        // Appointing an oracle twice (the seller and the buyer both name it) changes nothing.
        if (_carriers[tradeId][oracle] == 0) _carriers[tradeId][oracle] = APPOINTED;
        emit CarrierAppointed(tradeId, oracle, party);
    }

    /// @inheritdoc IAttestationLedger
    function attestProduction(ProductionItem calldata item) external returns (bytes32 attestationId) {
        bytes memory failure;
        (attestationId, failure) = _checkProduction(item);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
        _recordProduction(attestationId, item);
    }

    /// @inheritdoc IAttestationLedger
    function attestDelivery(DeliveryItem calldata item) external returns (bytes32 attestationId) {
        bytes memory failure;
        (attestationId, failure) = _checkDelivery(item);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
        _recordDelivery(attestationId, item);
    }

    /// @inheritdoc IAttestationLedger
    function attestBatch(ProductionItem[] calldata production, DeliveryItem[] calldata deliveries)
        external
        returns (uint256 attested)
    {
        for (uint256 i = 0; i < production.length; ++i) {
            (bytes32 id, bytes memory failure) = _checkProduction(production[i]);
            if (failure.length == 0) {
                _recordProduction(id, production[i]);
                ++attested;
            } else {
                emit AttestationFailed(id, i, failure);
            }
        }
        for (uint256 j = 0; j < deliveries.length; ++j) {
            (bytes32 id, bytes memory failure) = _checkDelivery(deliveries[j]);
            if (failure.length == 0) {
                _recordDelivery(id, deliveries[j]);
                ++attested;
            } else {
                emit AttestationFailed(id, production.length + j, failure);
            }
        }
    }

    /// @inheritdoc IAttestationLedger
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
        )
    {
        DeviceRecord storage record = _devices[deviceId];
        return (record.firm, record.oracle, record.kind, record.ratedCapacity, record.status, record.attestedUntil);
    }

    /// @inheritdoc IAttestationLedger
    function carrier(bytes32 tradeId, address oracle) external view returns (bool appointed, bool delivered) {
        uint8 state = _carriers[tradeId][oracle];
        return (state != 0, state == DELIVERED);
    }

    /// @inheritdoc IAttestationLedger
    function hashProduction(Production calldata attestation) external view returns (bytes32) {
        return _hashProduction(attestation);
    }

    /// @inheritdoc IAttestationLedger
    function hashDelivery(Delivery calldata attestation) external view returns (bytes32) {
        return _hashDelivery(attestation);
    }

    /// @notice The EIP-712 domain separator ("SCF Ledger", "1", chainId, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev Checks a production attestation without reverting (a batch records the good items and
    /// reports the bad ones). Returns the ABI-encoded custom error, empty when valid.
    function _checkProduction(ProductionItem calldata item) private view returns (bytes32 id, bytes memory failure) {
        Production calldata p = item.attestation;
        id = _hashProduction(p);
        DeviceRecord storage record = _devices[p.deviceId];
        DeviceStatus status = record.status;
        if (status == DeviceStatus.None) {
            return (id, abi.encodeWithSelector(AttestationLedgerUnknownDevice.selector, p.deviceId));
        }
        if (status == DeviceStatus.Disputed) {
            return (id, abi.encodeWithSelector(AttestationLedgerDisputedDevice.selector, p.deviceId));
        }
        if (p.periodEnd <= p.periodStart) {
            return (id, abi.encodeWithSelector(AttestationLedgerInvalidPeriod.selector, p.periodStart, p.periodEnd));
        }
        failure = _futureFailure(p.periodEnd);
        if (failure.length != 0) return (id, failure);
        uint64 attestedUntil = record.attestedUntil;
        if (p.periodStart < attestedUntil) {
            return (
                id,
                abi.encodeWithSelector(
                    AttestationLedgerPeriodOverlap.selector, p.deviceId, p.periodStart, attestedUntil
                )
            );
        }
        failure = _oracleFailure(item.oracle);
        if (failure.length != 0) return (id, failure);
        if (record.oracle != item.oracle) {
            return (id, abi.encodeWithSelector(AttestationLedgerNotDeviceOracle.selector, p.deviceId, item.oracle));
        }
        failure = _signatureFailure(item.oracle, id, item.signature);
    }

    function _checkDelivery(DeliveryItem calldata item) private view returns (bytes32 id, bytes memory failure) {
        Delivery calldata d = item.attestation;
        id = _hashDelivery(d);
        if (d.quantity == 0) return (id, abi.encodeWithSelector(AttestationLedgerZeroQuantity.selector, d.tradeId));
        failure = _futureFailure(d.deliveredAt);
        if (failure.length != 0) return (id, failure);
        failure = _oracleFailure(item.oracle);
        if (failure.length != 0) return (id, failure);
        uint8 state = _carriers[d.tradeId][item.oracle];
        if (state == 0) {
            return (id, abi.encodeWithSelector(AttestationLedgerOracleNotParty.selector, d.tradeId, item.oracle));
        }
        if (state == DELIVERED) {
            return (id, abi.encodeWithSelector(AttestationLedgerDuplicateDelivery.selector, d.tradeId, item.oracle));
        }
        failure = _signatureFailure(item.oracle, id, item.signature);
    }

    /// @dev The one place a production attestation enters storage: the device's period moves on.
    function _recordProduction(bytes32 id, ProductionItem calldata item) private {
        Production calldata p = item.attestation;
        DeviceRecord storage record = _devices[p.deviceId];
        record.attestedUntil = p.periodEnd;
        emit ProductionAttested(
            id, p.deviceId, record.firm, item.oracle, p.periodStart, p.periodEnd, p.units, p.runningSeconds,
            p.energyWh, p.dataHash
        );
    }

    function _recordDelivery(bytes32 id, DeliveryItem calldata item) private {
        Delivery calldata d = item.attestation;
        _carriers[d.tradeId][item.oracle] = DELIVERED;
        emit DeliveryAttested(id, d.tradeId, item.oracle, d.deliveredAt, d.placeHash, d.quantity, d.dataHash);
    }

    function _checkOracle(address oracle) private view {
        bytes memory failure = _oracleFailure(oracle);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
    }

    function _oracleFailure(address oracle) private view returns (bytes memory) {
        if (registry.isActiveWithRole(oracle, Roles.ORACLE)) return "";
        return abi.encodeWithSelector(AttestationLedgerNotAnOracle.selector, oracle);
    }

    function _futureFailure(uint64 businessTime) private view returns (bytes memory) {
        if (businessTime <= block.timestamp + MAX_CLOCK_SKEW) return "";
        return abi.encodeWithSelector(AttestationLedgerFutureTimestamp.selector, businessTime, uint64(block.timestamp));
    }

    function _signatureFailure(address signer, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bytes memory)
    {
        if (SignatureVerifier.isValidCalldata(signer, digest, signature)) return "";
        return abi.encodeWithSelector(AttestationLedgerInvalidSignature.selector, signer);
    }

    function _hashProduction(Production calldata attestation) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PRODUCTION_TYPEHASH, attestation)));
    }

    function _hashDelivery(Delivery calldata attestation) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(DELIVERY_TYPEHASH, attestation)));
    }
}
