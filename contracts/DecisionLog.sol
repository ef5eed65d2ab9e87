// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {IDecisionLog} from "./interfaces/IDecisionLog.sol";
import {Roles} from "./Roles.sol";

/// @title DecisionLog
/// @notice See {IDecisionLog}. An anchor takes three storage slots: the hash, (bank, anchoredAt)
/// and the firm.
contract DecisionLog is IDecisionLog, AccessControl {
    bytes32 public constant RECORDER_ROLE = keccak256("RECORDER_ROLE");

    struct Anchor {
        bytes32 decisionHash;
        address bank;
        uint64 anchoredAt;
        address firm;
    }

    IFirmRegistry public immutable registry;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 decisionId => Anchor) private _anchors;

    constructor(IFirmRegistry registry_, address recorder) {
        registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, recorder);
        _grantRole(RECORDER_ROLE, recorder);
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc IDecisionLog
    function anchor(bytes32 decisionId, address bank, address firm, bytes32 decisionHash)
        external
        onlyRole(RECORDER_ROLE)
    {
        if (decisionId == bytes32(0) || decisionHash == bytes32(0)) {
            revert DecisionLogInvalidDecision(decisionId, decisionHash);
        }
        bytes32 existing = _anchors[decisionId].decisionHash;
        if (existing != bytes32(0)) revert DecisionLogDuplicateDecision(decisionId, existing);
        _checkBank(bank);
        _checkRegistered(firm);
        _anchor(decisionId, bank, firm, decisionHash);
    }

    /// @inheritdoc IDecisionLog
    function anchored(bytes32 decisionId)
        external
        view
        returns (bytes32 decisionHash, address bank, address firm, uint64 anchoredAt)
    {
        Anchor storage record = _anchors[decisionId];
        return (record.decisionHash, record.bank, record.firm, record.anchoredAt);
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev The one place a decision is anchored.
    function _anchor(bytes32 decisionId, address bank, address firm, bytes32 decisionHash) private {
        uint64 anchoredAt = uint64(block.timestamp);
        _anchors[decisionId] = Anchor({decisionHash: decisionHash, bank: bank, anchoredAt: anchoredAt, firm: firm});
        emit DecisionAnchored(decisionId, bank, firm, decisionHash, anchoredAt);
    }

    function _checkBank(address bank) private view {
        (IFirmRegistry.FirmStatus status, uint8 roles) = registry.standing(bank);
        if (status != IFirmRegistry.FirmStatus.Active) revert DecisionLogInactiveFirm(bank);
        if (roles & Roles.BANK == 0) revert DecisionLogNotABank(bank);
    }

    function _checkRegistered(address firm) private view {
        (IFirmRegistry.FirmStatus status,) = registry.standing(firm);
        if (status == IFirmRegistry.FirmStatus.None) revert DecisionLogUnknownFirm(firm);
    }
}
