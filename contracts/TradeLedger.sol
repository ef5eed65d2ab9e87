// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {IReceivableLedger} from "./interfaces/IReceivableLedger.sol";
import {ITradeLedger} from "./interfaces/ITradeLedger.sol";
import {Roles} from "./Roles.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title TradeLedger
/// @notice See {ITradeLedger}. Gas matters here (one trade is one storage slot): a directly
/// verified trade stores only `docHash => tradeId` (and an invoice `invoiceKey => tradeId`); the
/// trade's fields live in its event. Trades that wait for the buyer (or were rejected) also keep a
/// small proposal record, whose status and time decide whether it still holds its document.
contract TradeLedger is ITradeLedger, EIP712 {
    bytes32 public constant TRADE_TYPEHASH = keccak256(
        "Trade(address seller,address buyer,uint8 kind,bytes32 docHash,uint128 amount,uint16 currency,uint64 issuedAt,uint64 dueAt,bytes32 ref,bytes32 invoiceKey)"
    );
    bytes32 public constant PAYMENT_TYPEHASH =
        keccak256("Payment(bytes32 tradeId,uint128 amount,uint64 paidAt,bytes32 payRef)");
    bytes32 public constant REJECT_TYPEHASH = keccak256("Reject(bytes32 tradeId,bytes32 reason)");

    /// @notice How far a business time may run ahead of the block's time (clocks differ a little).
    uint64 public constant MAX_CLOCK_SKEW = 5 minutes;
    /// @notice How long a proposal waits for its buyer: after that it can no longer be confirmed
    /// (or rejected), and its document and invoice identity are free to be recorded again.
    uint64 public constant PROPOSAL_TTL = 30 days;

    struct Proposal {
        address buyer;
        TradeStatus status;
        uint64 proposedAt;
    }

    IFirmRegistry public immutable registry;
    address private immutable _deployer;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 docHash => bytes32 tradeId) private _tradeOfDocument;
    mapping(bytes32 tradeId => Proposal) private _proposals;
    mapping(bytes32 paymentId => bool) private _paymentRecorded;
    mapping(bytes32 tradeId => uint128) private _paid;
    mapping(bytes32 invoiceKey => bytes32 tradeId) private _tradeOfInvoice;
    IReceivableLedger private _receivables;

    constructor(IFirmRegistry registry_) EIP712("SCF Ledger", "1") {
        registry = registry_;
        _deployer = msg.sender;
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc ITradeLedger
    function recordTrade(Trade calldata trade, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        returns (bytes32 tradeId)
    {
        bytes memory failure;
        (tradeId, failure) = _checkTrade(trade, sellerSignature, buyerSignature, true);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
        _recordVerified(tradeId, trade);
    }

    /// @inheritdoc ITradeLedger
    function recordTrades(TradeSubmission[] calldata submissions) external returns (uint256 recorded) {
        for (uint256 i = 0; i < submissions.length; ++i) {
            TradeSubmission calldata item = submissions[i];
            (bytes32 tradeId, bytes memory failure) =
                _checkTrade(item.trade, item.sellerSignature, item.buyerSignature, true);
            if (failure.length == 0) {
                _recordVerified(tradeId, item.trade);
                ++recorded;
            } else {
                emit TradeFailed(tradeId, i, failure);
            }
        }
    }

    /// @inheritdoc ITradeLedger
    function proposeTrade(Trade calldata trade, bytes calldata sellerSignature) external returns (bytes32 tradeId) {
        bytes memory failure;
        (tradeId, failure) = _checkTrade(trade, sellerSignature, sellerSignature, false);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
        _reserve(tradeId, trade);
        _proposals[tradeId] =
            Proposal({buyer: trade.buyer, status: TradeStatus.Proposed, proposedAt: uint64(block.timestamp)});
        emit TradeProposed(
            tradeId,
            trade.seller,
            trade.buyer,
            trade.kind,
            trade.docHash,
            trade.amount,
            trade.currency,
            trade.issuedAt,
            trade.dueAt,
            trade.ref,
            trade.invoiceKey
        );
    }

    /// @inheritdoc ITradeLedger
    function confirmTrade(bytes32 tradeId, bytes calldata buyerSignature) external {
        address buyer = _checkBuyerAnswer(tradeId, tradeId, buyerSignature);
        // A verified trade needs no proposal record: clearing it refunds gas and marks it verified.
        delete _proposals[tradeId];
        emit TradeConfirmed(tradeId, buyer);
        _reportAnswer(tradeId, true, bytes32(0));
    }

    /// @inheritdoc ITradeLedger
    function rejectTrade(bytes32 tradeId, bytes32 reason, bytes calldata buyerSignature) external {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(REJECT_TYPEHASH, tradeId, reason)));
        address buyer = _checkBuyerAnswer(tradeId, digest, buyerSignature);
        _proposals[tradeId].status = TradeStatus.Rejected;
        emit TradeRejected(tradeId, buyer, reason);
        _reportAnswer(tradeId, false, reason);
    }

    /// @inheritdoc ITradeLedger
    function recordPayment(Trade calldata trade, Payment calldata payment, bytes calldata payeeSignature)
        external
        returns (bytes32 paymentId)
    {
        bytes32 tradeId = _hashTrade(trade);
        if (payment.tradeId != tradeId) revert TradeLedgerPaymentTradeMismatch(payment.tradeId, tradeId);
        _checkStatus(tradeId, _statusOf(trade.docHash, tradeId), TradeStatus.Verified);
        if (trade.kind != uint8(TradeKind.Invoice)) revert TradeLedgerNotAnInvoice(tradeId);
        _checkNoReceivable(tradeId);
        if (payment.amount == 0) revert TradeLedgerZeroAmount();
        _checkNotFuture(payment.paidAt);
        paymentId = _hashPayment(payment);
        if (_paymentRecorded[paymentId]) revert TradeLedgerDuplicatePayment(paymentId);
        uint256 paid = uint256(_paid[tradeId]) + payment.amount;
        if (paid > trade.amount) revert TradeLedgerOverpayment(tradeId, paid, trade.amount);
        // The payee's standing, as for every signed call; the buyer's is not checked: a suspended
        // buyer's debt can still be paid.
        _checkTrader(trade.seller);
        if (!SignatureVerifier.isValidCalldata(trade.seller, paymentId, payeeSignature)) {
            revert TradeLedgerInvalidSignature(trade.seller);
        }

        _paymentRecorded[paymentId] = true;
        _paid[tradeId] = uint128(paid);
        emit PaymentRecorded(
            paymentId, tradeId, trade.seller, trade.buyer, payment.amount, payment.paidAt, payment.payRef
        );
    }

    /// @inheritdoc ITradeLedger
    function hashTrade(Trade calldata trade) external view returns (bytes32) {
        return _hashTrade(trade);
    }

    /// @inheritdoc ITradeLedger
    function hashPayment(Payment calldata payment) external view returns (bytes32) {
        return _hashPayment(payment);
    }

    /// @inheritdoc ITradeLedger
    function hashReject(bytes32 tradeId, bytes32 reason) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REJECT_TYPEHASH, tradeId, reason)));
    }

    /// @inheritdoc ITradeLedger
    function statusOf(Trade calldata trade) external view returns (TradeStatus) {
        return _statusOf(trade.docHash, _hashTrade(trade));
    }

    /// @inheritdoc ITradeLedger
    function tradeOfDocument(bytes32 docHash) external view returns (bytes32 tradeId, TradeStatus status) {
        tradeId = _tradeOfDocument[docHash];
        status = _statusOf(docHash, tradeId);
    }

    /// @inheritdoc ITradeLedger
    function paidAmount(bytes32 tradeId) external view returns (uint128) {
        return _paid[tradeId];
    }

    /// @inheritdoc ITradeLedger
    function tradeOfInvoice(bytes32 invoiceKey) external view returns (bytes32 tradeId, TradeStatus status) {
        tradeId = _tradeOfInvoice[invoiceKey];
        status = tradeId == bytes32(0) ? TradeStatus.None : _proposalStatus(tradeId, true);
    }

    /// @inheritdoc ITradeLedger
    function verifySignature(address signer, bytes32 digest, bytes calldata signature)
        external
        view
        returns (bool)
    {
        return SignatureVerifier.isValidCalldata(signer, digest, signature);
    }

    /// @inheritdoc ITradeLedger
    function receivableLedger() external view returns (address) {
        return address(_receivables);
    }

    /// @inheritdoc ITradeLedger
    function bindReceivableLedger(address receivableLedger_) external {
        if (msg.sender != _deployer || address(_receivables) != address(0)) {
            revert TradeLedgerUnauthorizedBinding(msg.sender);
        }
        _receivables = IReceivableLedger(receivableLedger_);
    }

    /// @notice The EIP-712 domain separator ("SCF Ledger", "1", chainId, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev The one place a verified trade enters storage.
    function _recordVerified(bytes32 tradeId, Trade calldata trade) private {
        _reserve(tradeId, trade);
        emit TradeRecorded(
            tradeId,
            trade.seller,
            trade.buyer,
            trade.kind,
            trade.docHash,
            trade.amount,
            trade.currency,
            trade.issuedAt,
            trade.dueAt,
            trade.ref,
            trade.invoiceKey
        );
    }

    /// @dev Checks everything about a new trade without reverting, so that a batch can record the
    /// good items and report the bad ones. Returns the ABI-encoded custom error, empty when valid.
    function _checkTrade(
        Trade calldata trade,
        bytes calldata sellerSignature,
        bytes calldata buyerSignature,
        bool checkBuyerSignature
    ) private view returns (bytes32 tradeId, bytes memory failure) {
        tradeId = _hashTrade(trade);
        failure = _fieldFailure(trade);
        if (failure.length != 0) return (tradeId, failure);
        bytes32 existing = _tradeOfDocument[trade.docHash];
        if (existing != bytes32(0) && !_released(existing, tradeId)) {
            return (tradeId, abi.encodeWithSelector(TradeLedgerDuplicateDocument.selector, trade.docHash, existing));
        }
        if (trade.invoiceKey != bytes32(0)) {
            existing = _tradeOfInvoice[trade.invoiceKey];
            if (existing != bytes32(0) && !_released(existing, tradeId)) {
                return (
                    tradeId, abi.encodeWithSelector(TradeLedgerDuplicateInvoice.selector, trade.invoiceKey, existing)
                );
            }
        }
        failure = _traderFailure(trade.seller);
        if (failure.length != 0) return (tradeId, failure);
        failure = _traderFailure(trade.buyer);
        if (failure.length != 0) return (tradeId, failure);
        if (!SignatureVerifier.isValidCalldata(trade.seller, tradeId, sellerSignature)) {
            return (tradeId, abi.encodeWithSelector(TradeLedgerInvalidSignature.selector, trade.seller));
        }
        if (checkBuyerSignature && !SignatureVerifier.isValidCalldata(trade.buyer, tradeId, buyerSignature)) {
            return (tradeId, abi.encodeWithSelector(TradeLedgerInvalidSignature.selector, trade.buyer));
        }
    }

    function _fieldFailure(Trade calldata trade) private view returns (bytes memory) {
        if (trade.seller == trade.buyer) return abi.encodeWithSelector(TradeLedgerSelfTrade.selector, trade.seller);
        if (trade.amount == 0) return abi.encodeWithSelector(TradeLedgerZeroAmount.selector);
        if (trade.currency == 0) return abi.encodeWithSelector(TradeLedgerInvalidCurrency.selector, trade.currency);
        if (trade.kind > uint8(TradeKind.Invoice)) {
            return abi.encodeWithSelector(TradeLedgerInvalidKind.selector, trade.kind);
        }
        bool isInvoice = trade.kind == uint8(TradeKind.Invoice);
        if (isInvoice ? trade.dueAt < trade.issuedAt : trade.dueAt != 0) {
            return abi.encodeWithSelector(TradeLedgerInvalidDueDate.selector, trade.issuedAt, trade.dueAt);
        }
        if (isInvoice == (trade.invoiceKey == bytes32(0))) {
            return abi.encodeWithSelector(TradeLedgerInvalidInvoiceKey.selector, trade.kind, trade.invoiceKey);
        }
        if (trade.issuedAt > block.timestamp + MAX_CLOCK_SKEW) {
            return abi.encodeWithSelector(
                TradeLedgerFutureTimestamp.selector, trade.issuedAt, uint64(block.timestamp)
            );
        }
        return "";
    }

    function _traderFailure(address firm) private view returns (bytes memory) {
        (IFirmRegistry.FirmStatus status, uint8 roles) = registry.standing(firm);
        if (status != IFirmRegistry.FirmStatus.Active) {
            return abi.encodeWithSelector(TradeLedgerInactiveFirm.selector, firm);
        }
        if (roles & Roles.TRADER == 0) {
            return abi.encodeWithSelector(TradeLedgerUnauthorizedRole.selector, firm, Roles.TRADER);
        }
        return "";
    }

    /// @dev Reverts with {_traderFailure}'s error unless `firm` is an active trader.
    function _checkTrader(address firm) private view {
        bytes memory failure = _traderFailure(firm);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
    }

    /// @dev Checks a buyer's answer (confirm or reject) to a proposal; returns the buyer.
    function _checkBuyerAnswer(bytes32 tradeId, bytes32 digest, bytes calldata signature)
        private
        view
        returns (address buyer)
    {
        Proposal storage proposal = _proposals[tradeId];
        _checkStatus(tradeId, proposal.status, TradeStatus.Proposed);
        uint64 expiresAt = proposal.proposedAt + PROPOSAL_TTL;
        if (block.timestamp > expiresAt) revert TradeLedgerProposalExpired(tradeId, expiresAt);
        buyer = proposal.buyer;
        _checkTrader(buyer);
        if (!SignatureVerifier.isValidCalldata(buyer, digest, signature)) {
            revert TradeLedgerInvalidSignature(buyer);
        }
    }

    function _checkStatus(bytes32 tradeId, TradeStatus actual, TradeStatus expected) private pure {
        if (actual != expected) revert TradeLedgerInvalidStatus(tradeId, actual, expected);
    }

    function _checkNotFuture(uint64 businessTime) private view {
        if (businessTime > block.timestamp + MAX_CLOCK_SKEW) {
            revert TradeLedgerFutureTimestamp(businessTime, uint64(block.timestamp));
        }
    }

    /// @dev A rejected trade stays rejected even once its document is recorded again; a trade whose
    /// document another trade holds now (after its proposal expired) is None, as is an expired
    /// proposal: it never was verified.
    function _statusOf(bytes32 docHash, bytes32 tradeId) private view returns (TradeStatus) {
        if (tradeId == bytes32(0)) return TradeStatus.None;
        return _proposalStatus(tradeId, _tradeOfDocument[docHash] == tradeId);
    }

    /// @dev The status of a trade known to the ledger, given whether it still holds its document.
    function _proposalStatus(bytes32 tradeId, bool holdsDocument) private view returns (TradeStatus) {
        Proposal storage proposal = _proposals[tradeId];
        TradeStatus open = proposal.status;
        if (open == TradeStatus.Rejected) return TradeStatus.Rejected;
        if (!holdsDocument) return TradeStatus.None;
        if (open == TradeStatus.None) return TradeStatus.Verified;
        return block.timestamp > proposal.proposedAt + PROPOSAL_TTL ? TradeStatus.None : TradeStatus.Proposed;
    }

    /// @dev Whether trade `holder` no longer holds its document and invoice identity: its proposal
    /// was rejected or expired. The same trade is never recorded twice (its proposal record would
    /// stay behind).
    function _released(bytes32 holder, bytes32 tradeId) private view returns (bool) {
        if (holder == tradeId) return false;
        Proposal storage proposal = _proposals[holder];
        TradeStatus open = proposal.status;
        if (open == TradeStatus.Rejected) return true;
        return open == TradeStatus.Proposed && block.timestamp > proposal.proposedAt + PROPOSAL_TTL;
    }

    /// @dev A new trade takes its document (and its invoice identity, for an invoice).
    function _reserve(bytes32 tradeId, Trade calldata trade) private {
        _tradeOfDocument[trade.docHash] = tradeId;
        if (trade.invoiceKey != bytes32(0)) _tradeOfInvoice[trade.invoiceKey] = tradeId;
    }

    /// @dev A receivable issued from a proposal follows its answer in the same transaction.
    function _reportAnswer(bytes32 tradeId, bool confirmed, bytes32 reason) private {
        IReceivableLedger receivables = _receivables;
        if (address(receivables) != address(0)) receivables.tradeAnswered(tradeId, confirmed, reason);
    }

    function _checkNoReceivable(bytes32 tradeId) private view {
        IReceivableLedger receivables = _receivables;
        if (address(receivables) == address(0)) return;
        IReceivableLedger.ReceivableStatus status = receivables.receivable(tradeId).status;
        if (status != IReceivableLedger.ReceivableStatus.None && status != IReceivableLedger.ReceivableStatus.Rejected)
        {
            revert TradeLedgerPaidOnReceivable(tradeId);
        }
    }

    function _hashTrade(Trade calldata trade) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(TRADE_TYPEHASH, trade)));
    }

    function _hashPayment(Payment calldata payment) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PAYMENT_TYPEHASH, payment)));
    }
}
