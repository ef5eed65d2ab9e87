// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IFirmRegistry
/// @notice The operator's register of firms: who may trade, confirm, finance or attest, and whether
/// they are currently allowed to. Every other ledger contract checks roles here.
interface IFirmRegistry {
    // ─────────────────────────────────────────────────────────────── errors

    /// @notice The address is the zero address.
    error FirmRegistryZeroAddress();
    /// @notice `roles` is zero or has bits outside SUPPLIER|CORE|BANK|ORACLE.
    error FirmRegistryInvalidRoles(uint8 roles);
    /// @notice The credit-code hash is zero.
    error FirmRegistryInvalidCreditCode();
    /// @notice `firm` is registered already.
    error FirmRegistryAlreadyRegistered(address firm);
    /// @notice The legal entity behind `creditCodeHash` is registered already, as `existing`.
    error FirmRegistryDuplicateCreditCode(bytes32 creditCodeHash, address existing);
    /// @notice `firm` is not registered.
    error FirmRegistryUnknownFirm(address firm);
    /// @notice `firm` is suspended already (on suspend) or active already (on reactivate).
    error FirmRegistryStatusUnchanged(address firm, FirmStatus status);

    // ─────────────────────────────────────────────────────────────── types

    enum FirmStatus {
        None,
        Active,
        Suspended
    }

    struct Firm {
        uint8 roles;
        FirmStatus status;
        uint64 registeredAt;
        bytes32 creditCodeHash;
    }

    // ─────────────────────────────────────────────────────────────── events

    /// @notice A firm was registered, active, with `roles`.
    event FirmRegistered(address indexed firm, uint8 roles, bytes32 indexed creditCodeHash, uint64 registeredAt);
    /// @notice A firm's roles were changed from `previousRoles` to `roles`.
    event FirmRolesChanged(address indexed firm, uint8 previousRoles, uint8 roles);
    /// @notice A firm was suspended: it can no longer sign anything the ledger accepts.
    event FirmSuspended(address indexed firm);
    /// @notice A suspended firm was reactivated.
    event FirmReactivated(address indexed firm);

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Registers `firm` with `roles` (SUPPLIER=1, CORE=2, BANK=4, ORACLE=8) for the legal
    /// entity whose unified social credit code hashes to `creditCodeHash`.
    /// Requirements: caller has OPERATOR_ROLE; `firm` and the credit code are both new.
    /// Emits a {FirmRegistered} event.
    function register(address firm, uint8 roles, bytes32 creditCodeHash) external;

    /// @notice Replaces the roles of a registered firm. Requirements: caller has OPERATOR_ROLE.
    /// Emits a {FirmRolesChanged} event.
    function setRoles(address firm, uint8 roles) external;

    /// @notice Suspends an active firm. Requirements: caller has OPERATOR_ROLE.
    /// Emits a {FirmSuspended} event.
    function suspend(address firm) external;

    /// @notice Reactivates a suspended firm. Requirements: caller has OPERATOR_ROLE.
    /// Emits a {FirmReactivated} event.
    function reactivate(address firm) external;

    /// @notice The registration of `firm` (status None when unknown).
    function firm(address firm) external view returns (Firm memory);

    /// @notice The firm registered for `creditCodeHash`, or the zero address.
    function firmOfCreditCode(bytes32 creditCodeHash) external view returns (address);

    /// @notice The status and roles of `firm` in one storage read (what other contracts check).
    function standing(address firm) external view returns (FirmStatus status, uint8 roles);

    /// @notice True when `firm` is active and holds at least one of the roles in `anyOfRoles`.
    function isActiveWithRole(address firm, uint8 anyOfRoles) external view returns (bool);
}
