// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {Roles} from "./Roles.sol";

/// @title FirmRegistry
/// @notice See {IFirmRegistry}. One legal entity (one unified social credit code) is one firm.
contract FirmRegistry is IFirmRegistry, AccessControl {
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");

    // ─────────────────────────────────────────────────────────────── storage

    mapping(address firm => Firm) private _firms;
    mapping(bytes32 creditCodeHash => address firm) private _firmByCreditCode;

    constructor(address operator) {
        _grantRole(DEFAULT_ADMIN_ROLE, operator);
        _grantRole(OPERATOR_ROLE, operator);
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc IFirmRegistry
    function register(address firm_, uint8 roles, bytes32 creditCodeHash) external onlyRole(OPERATOR_ROLE) {
        if (firm_ == address(0)) revert FirmRegistryZeroAddress();
        _checkRoles(roles);
        if (creditCodeHash == bytes32(0)) revert FirmRegistryInvalidCreditCode();
        if (_firms[firm_].status != FirmStatus.None) revert FirmRegistryAlreadyRegistered(firm_);
        address existing = _firmByCreditCode[creditCodeHash];
        if (existing != address(0)) revert FirmRegistryDuplicateCreditCode(creditCodeHash, existing);

        uint64 registeredAt = uint64(block.timestamp);
        _firms[firm_] = Firm({
            roles: roles,
            status: FirmStatus.Active,
            registeredAt: registeredAt,
            creditCodeHash: creditCodeHash
        });
        _firmByCreditCode[creditCodeHash] = firm_;
        emit FirmRegistered(firm_, roles, creditCodeHash, registeredAt);
    }

    /// @inheritdoc IFirmRegistry
    function setRoles(address firm_, uint8 roles) external onlyRole(OPERATOR_ROLE) {
        _checkRoles(roles);
        Firm storage record = _registered(firm_);
        uint8 previousRoles = record.roles;
        record.roles = roles;
        emit FirmRolesChanged(firm_, previousRoles, roles);
    }

    /// @inheritdoc IFirmRegistry
    function suspend(address firm_) external onlyRole(OPERATOR_ROLE) {
        _setStatus(firm_, FirmStatus.Suspended);
        emit FirmSuspended(firm_);
    }

    /// @inheritdoc IFirmRegistry
    function reactivate(address firm_) external onlyRole(OPERATOR_ROLE) {
        _setStatus(firm_, FirmStatus.Active);
        emit FirmReactivated(firm_);
    }

    /// @inheritdoc IFirmRegistry
    function firm(address firm_) external view returns (Firm memory) {
        return _firms[firm_];
    }

    /// @inheritdoc IFirmRegistry
    function firmOfCreditCode(bytes32 creditCodeHash) external view returns (address) {
        return _firmByCreditCode[creditCodeHash];
    }

    /// @inheritdoc IFirmRegistry
    function standing(address firm_) external view returns (FirmStatus status, uint8 roles) {
        Firm storage record = _firms[firm_];
        return (record.status, record.roles);
    }

    /// @inheritdoc IFirmRegistry
    function isActiveWithRole(address firm_, uint8 anyOfRoles) external view returns (bool) {
        Firm storage record = _firms[firm_];
        return record.status == FirmStatus.Active && (record.roles & anyOfRoles) != 0;
    }

    // ─────────────────────────────────────────────────────────────── internal

    function _setStatus(address firm_, FirmStatus status) private {
        Firm storage record = _registered(firm_);
        if (record.status == status) revert FirmRegistryStatusUnchanged(firm_, status);
        record.status = status;
    }

    function _registered(address firm_) private view returns (Firm storage record) {
        record = _firms[firm_];
        if (record.status == FirmStatus.None) revert FirmRegistryUnknownFirm(firm_);
    }

    function _checkRoles(uint8 roles) private pure {
        if (roles == 0 || roles & ~Roles.ALL != 0) revert FirmRegistryInvalidRoles(roles);
    }
}
