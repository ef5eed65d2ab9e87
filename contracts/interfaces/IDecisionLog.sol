// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title IDecisionLog
/// @notice Anchors credit decisions for audit. A bank's decision (approve / decline / refer, limit,
/// price, reasons, model version, feature-snapshot hash) is stored off chain; the hash of its
/// canonical form is anchored here, once, with the bank that asked and the firm it is about. The
/// service records it on the bank's behalf after checking the bank's token, so only an account
/// with RECORDER_ROLE (the operator's relayer) may anchor.
interface IDecisionLog {
    // ─────────────────────────────────────────────────────────────── errors

    /// @notice The decision id or the decision hash is zero.
    error DecisionLogInvalidDecision(bytes32 decisionId, bytes32 decisionHash);
    /// @notice This decision id was anchored already, with `decisionHash`.
    error DecisionLogDuplicateDecision(bytes32 decisionId, bytes32 decisionHash);
    /// @notice `bank` is not registered, or is suspended.
    error DecisionLogInactiveFirm(address bank);
    /// @notice `bank` is an active firm without the BANK role.
    error DecisionLogNotABank(address bank);
    /// @notice `firm` is not registered.
    error DecisionLogUnknownFirm(address firm);

    // ─────────────────────────────────────────────────────────────── events

    /// @notice `bank`'s decision `decisionId` about `firm` was anchored with `decisionHash`.
    event DecisionAnchored(
        bytes32 indexed decisionId, address indexed bank, address indexed firm, bytes32 decisionHash, uint64 anchoredAt
    );

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Anchors the hash of `bank`'s decision `decisionId` about `firm`.
    /// Requirements: caller has RECORDER_ROLE; id and hash non-zero; the id not anchored before;
    /// `bank` an active firm with the BANK role; `firm` registered (a suspended firm may still be
    /// the subject of a decision, typically a decline).
    /// Emits a {DecisionAnchored} event.
    function anchor(bytes32 decisionId, address bank, address firm, bytes32 decisionHash) external;

    /// @notice The anchor of `decisionId` (all zero when it was never anchored).
    function anchored(bytes32 decisionId)
        external
        view
        returns (bytes32 decisionHash, address bank, address firm, uint64 anchoredAt);
}
