// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IConsentRegistry
/// @notice A firm's signed grants (and revocations) of read access to its records for a bank.
/// A grant is the firm's EIP-712 `Consent(firm, bank, scope, expiresAt, nonce)`; its id is that
/// digest. A revocation is the firm's `RevokeConsent(consentId, nonce)`. Grants and revocations
/// consume the firm's one nonce sequence (OpenZeppelin {Nonces}), so they apply in signing order.
/// Anyone may submit them (the operator's relayer pays the gas); only the firm's signature counts.
///
/// `scope` is a bitmask of what the bank may read:
///   1 = SCOPE_CREDIT_PROFILE  the firm's credit record (features, score, grade)
///   2 = SCOPE_DOCUMENTS       the original documents behind its trades
///   4 = SCOPE_DECISIONS       credit decisions made about it
///
/// One consent per (firm, bank) pair: a new grant replaces the pair's previous consent, which
/// stops being active at once (the {ConsentGranted} event names it). To widen or narrow access the
/// firm signs a new grant carrying the whole scope it wants. This makes {activeScope} one storage
/// read instead of a walk over every consent the pair ever had. A consent is *active* while it is
/// the pair's current consent, not revoked and `block.timestamp < expiresAt`. Whether the firm
/// and bank are still in good standing is the registry's to say, not this contract's.
interface IConsentRegistry {
    // ─────────────────────────────────────────────────────────────── types

    /// @dev Field order and types are the EIP-712 `Consent` type; do not reorder.
    struct Consent {
        address firm;
        address bank;
        uint32 scope;
        uint64 expiresAt;
        uint256 nonce;
    }

    // ─────────────────────────────────────────────────────────────── errors

    /// @notice `firm` is not registered, or is suspended.
    error ConsentRegistryInactiveFirm(address firm);
    /// @notice `bank` is an active firm without the BANK role.
    error ConsentRegistryNotABank(address bank);
    /// @notice The consent expires at or before the block's time.
    error ConsentRegistryExpired(uint64 expiresAt, uint64 blockTime);
    /// @notice `scope` is zero or has bits outside CREDIT_PROFILE|DOCUMENTS|DECISIONS.
    error ConsentRegistryInvalidScope(uint32 scope);
    /// @notice The signature does not come from `signer` (EOA or ERC-1271 wallet).
    error ConsentRegistryInvalidSignature(address signer);
    /// @notice No consent was granted with this id.
    error ConsentRegistryUnknownConsent(bytes32 consentId);
    /// @notice The consent was revoked already.
    error ConsentRegistryAlreadyRevoked(bytes32 consentId);
    /// @notice This exact signed consent was recorded already.
    error ConsentRegistryDuplicateConsent(bytes32 consentId);

    // ─────────────────────────────────────────────────────────────── events

    /// @notice `firm` granted `bank` read access to `scope` until `expiresAt`. `replaces` is the
    /// pair's consent that this grant ended early (it was still active), or zero.
    event ConsentGranted(
        bytes32 indexed consentId,
        address indexed firm,
        address indexed bank,
        uint32 scope,
        uint64 expiresAt,
        uint256 nonce,
        bytes32 replaces
    );
    /// @notice `firm` revoked the consent `consentId` it had granted `bank`.
    event ConsentRevoked(bytes32 indexed consentId, address indexed firm, address indexed bank, uint256 nonce);

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Records a consent signed by its firm; it becomes the pair's current consent.
    /// Requirements: the consent is new; `scope` non-zero with known bits only; `expiresAt` later
    /// than the block's time; `firm` an active firm (any role); `bank` an active firm with the
    /// BANK role; `nonce` the firm's next nonce; `signature` the firm's over the consent's digest.
    /// Emits a {ConsentGranted} event.
    function grantConsent(Consent calldata consent_, bytes calldata signature) external returns (bytes32 consentId);

    /// @notice Revokes a consent with its firm's signed `RevokeConsent(consentId, nonce)`. A firm
    /// may revoke while suspended (it only takes access away), and may revoke a consent that has
    /// expired or was replaced (the revocation is then a record, not a change of access).
    /// Requirements: the consent exists and is not revoked; `nonce` the firm's next nonce;
    /// `signature` the firm's.
    /// Emits a {ConsentRevoked} event.
    function revokeConsent(bytes32 consentId, uint256 nonce, bytes calldata signature) external;

    /// @notice The consent `consentId` as granted (all zero when unknown).
    function consent(bytes32 consentId)
        external
        view
        returns (address firm, address bank, uint32 scope, uint64 expiresAt, bool revoked, uint64 grantedAt);

    /// @notice True while `consentId` is its pair's current consent, not revoked and not expired.
    function isActive(bytes32 consentId) external view returns (bool);

    /// @notice What `bank` may read of `firm` now: the scope and expiry of the pair's current
    /// consent when it is active, else (0, 0).
    function activeScope(address firm, address bank) external view returns (uint32 scope, uint64 expiresAt);

    /// @notice The pair's current (latest granted) consent, active or not; zero when none.
    function currentConsent(address firm, address bank) external view returns (bytes32 consentId);

    /// @notice The next nonce `firm` must sign (grants and revocations share it).
    function nonces(address firm) external view returns (uint256);

    /// @notice The consent id (EIP-712 digest) of `consent_`.
    function hashConsent(Consent calldata consent_) external view returns (bytes32);

    /// @notice The EIP-712 digest of `RevokeConsent(consentId, nonce)`.
    function hashRevokeConsent(bytes32 consentId, uint256 nonce) external view returns (bytes32);
}
