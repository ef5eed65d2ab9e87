// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {IConsentRegistry} from "./interfaces/IConsentRegistry.sol";
import {Roles} from "./Roles.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title ConsentRegistry
/// @notice See {IConsentRegistry}. A consent takes two storage slots; each (firm, bank) pair keeps
/// the id of its current consent, so "what may this bank read now" is answered without iteration.
contract ConsentRegistry is IConsentRegistry, EIP712, Nonces {
    bytes32 public constant CONSENT_TYPEHASH =
        keccak256("Consent(address firm,address bank,uint32 scope,uint64 expiresAt,uint256 nonce)");
    bytes32 public constant REVOKE_CONSENT_TYPEHASH = keccak256("RevokeConsent(bytes32 consentId,uint256 nonce)");

    /// @notice The scope bits; see {IConsentRegistry}.
    uint32 public constant SCOPE_CREDIT_PROFILE = 1;
    uint32 public constant SCOPE_DOCUMENTS = 2;
    uint32 public constant SCOPE_DECISIONS = 4;
    uint32 public constant SCOPE_ALL = SCOPE_CREDIT_PROFILE | SCOPE_DOCUMENTS | SCOPE_DECISIONS;

    /// @dev Two slots: (firm, scope, expiresAt) and (bank, grantedAt, revoked).
    struct ConsentRecord {
        address firm;
        uint32 scope;
        uint64 expiresAt;
        address bank;
        uint64 grantedAt;
        bool revoked;
    }

    IFirmRegistry public immutable registry;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 consentId => ConsentRecord) private _consents;
    mapping(address firm => mapping(address bank => bytes32 consentId)) private _currentConsent;

    constructor(IFirmRegistry registry_) EIP712("SCF Ledger", "1") {
        registry = registry_;
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc IConsentRegistry
    function grantConsent(Consent calldata consent_, bytes calldata signature) external returns (bytes32 consentId) {
        consentId = _hashConsent(consent_);
        if (_consents[consentId].firm != address(0)) revert ConsentRegistryDuplicateConsent(consentId);
        if (consent_.scope == 0 || consent_.scope & ~SCOPE_ALL != 0) {
            revert ConsentRegistryInvalidScope(consent_.scope);
        }
        if (consent_.expiresAt <= block.timestamp) {
            revert ConsentRegistryExpired(consent_.expiresAt, uint64(block.timestamp));
        }
        _checkActiveFirm(consent_.firm);
        _checkBank(consent_.bank);
        _useCheckedNonce(consent_.firm, consent_.nonce);
        _checkSignature(consent_.firm, consentId, signature);
        _grant(consentId, consent_);
    }

    /// @inheritdoc IConsentRegistry
    function revokeConsent(bytes32 consentId, uint256 nonce, bytes calldata signature) external {
        ConsentRecord storage record = _consents[consentId];
        address firm = record.firm;
        if (firm == address(0)) revert ConsentRegistryUnknownConsent(consentId);
        if (record.revoked) revert ConsentRegistryAlreadyRevoked(consentId);
        _useCheckedNonce(firm, nonce);
        _checkSignature(firm, _hashRevokeConsent(consentId, nonce), signature);
        _revoke(consentId, record, firm, nonce);
    }

    /// @inheritdoc IConsentRegistry
    function consent(bytes32 consentId)
        external
        view
        returns (address firm, address bank, uint32 scope, uint64 expiresAt, bool revoked, uint64 grantedAt)
    {
        ConsentRecord storage record = _consents[consentId];
        return (record.firm, record.bank, record.scope, record.expiresAt, record.revoked, record.grantedAt);
    }

    /// @inheritdoc IConsentRegistry
    function isActive(bytes32 consentId) external view returns (bool) {
        ConsentRecord storage record = _consents[consentId];
        return record.firm != address(0) && _currentConsent[record.firm][record.bank] == consentId
            && _isLive(record);
    }

    /// @inheritdoc IConsentRegistry
    function activeScope(address firm, address bank) external view returns (uint32 scope, uint64 expiresAt) {
        bytes32 consentId = _currentConsent[firm][bank];
        if (consentId == bytes32(0)) return (0, 0);
        ConsentRecord storage record = _consents[consentId];
        if (!_isLive(record)) return (0, 0);
        return (record.scope, record.expiresAt);
    }

    /// @inheritdoc IConsentRegistry
    function currentConsent(address firm, address bank) external view returns (bytes32) {
        return _currentConsent[firm][bank];
    }

    /// @inheritdoc IConsentRegistry
    function nonces(address firm) public view override(IConsentRegistry, Nonces) returns (uint256) {
        return super.nonces(firm);
    }

    /// @inheritdoc IConsentRegistry
    function hashConsent(Consent calldata consent_) external view returns (bytes32) {
        return _hashConsent(consent_);
    }

    /// @inheritdoc IConsentRegistry
    function hashRevokeConsent(bytes32 consentId, uint256 nonce) external view returns (bytes32) {
        return _hashRevokeConsent(consentId, nonce);
    }

    /// @notice The EIP-712 domain separator ("SCF Ledger", "1", chainId, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev The one place a consent enters storage: it becomes its pair's current consent.
    function _grant(bytes32 consentId, Consent calldata consent_) private {
        address firm = consent_.firm;
        address bank = consent_.bank;
        bytes32 previous = _currentConsent[firm][bank];
        bytes32 replaces = previous != bytes32(0) && _isLive(_consents[previous]) ? previous : bytes32(0);

        _consents[consentId] = ConsentRecord({
            firm: firm,
            scope: consent_.scope,
            expiresAt: consent_.expiresAt,
            bank: bank,
            grantedAt: uint64(block.timestamp),
            revoked: false
        });
        _currentConsent[firm][bank] = consentId;
        emit ConsentGranted(consentId, firm, bank, consent_.scope, consent_.expiresAt, consent_.nonce, replaces);
    }

    /// @dev The one place a consent is revoked. The pair's current-consent pointer is left alone:
    /// a revoked current consent is inactive by its flag, and a replaced one is not current.
    function _revoke(bytes32 consentId, ConsentRecord storage record, address firm, uint256 nonce) private {
        record.revoked = true;
        emit ConsentRevoked(consentId, firm, record.bank, nonce);
    }

    function _checkActiveFirm(address firm) private view {
        (IFirmRegistry.FirmStatus status,) = registry.standing(firm);
        if (status != IFirmRegistry.FirmStatus.Active) revert ConsentRegistryInactiveFirm(firm);
    }

    function _checkBank(address bank) private view {
        (IFirmRegistry.FirmStatus status, uint8 roles) = registry.standing(bank);
        if (status != IFirmRegistry.FirmStatus.Active) revert ConsentRegistryInactiveFirm(bank);
        if (roles & Roles.BANK == 0) revert ConsentRegistryNotABank(bank);
    }

    function _checkSignature(address signer, bytes32 digest, bytes calldata signature) private view {
        if (!_isValidSignature(signer, digest, signature)) revert ConsentRegistryInvalidSignature(signer);
    }

    /// @dev Not revoked and not expired (whether it is still its pair's current one is separate).
    function _isLive(ConsentRecord storage record) private view returns (bool) {
        return !record.revoked && block.timestamp < record.expiresAt;
    }

    /// @dev A firm's signature: an EOA's ECDSA signature, else an ERC-1271 wallet's approval.
    /// ECDSA first, as in {TradeLedger}: for an EOA that saves a cold account access per signature,
    /// and a contract's address is never the recovered key of a signature.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature)
        private
        view
        returns (bool)
    {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureVerifier.isValidERC1271Calldata(signer, digest, signature);
    }

    function _hashConsent(Consent calldata consent_) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(CONSENT_TYPEHASH, consent_)));
    }

    function _hashRevokeConsent(bytes32 consentId, uint256 nonce) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REVOKE_CONSENT_TYPEHASH, consentId, nonce)));
    }
}
