// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {ITradeLedger} from "./interfaces/ITradeLedger.sol";
import {Roles} from "./Roles.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title TradeLedger
/// @notice See {ITradeLedger}. Gas matters here (one trade is one storage slot): a directly
/// verified trade stores only `docHash => tradeId`; the trade's fields live in its event. Trades
/// that wait for the buyer (or were rejected) also keep a small proposal record.
contract TradeLedger is ITradeLedger, EIP712 {
    bytes32 public constant TRADE_TYPEHASH = keccak256(
        "Trade(address seller,address buyer,uint8 kind,bytes32 docHash,uint128 amount,uint16 currency,uint64 issuedAt,uint64 dueAt,bytes32 ref)"
    );
    bytes32 public constant PAYMENT_TYPEHASH =
        keccak256("Payment(bytes32 tradeId,uint128 amount,uint64 paidAt,bytes32 payRef)");
    bytes32 public constant REJECT_TYPEHASH = keccak256("Reject(bytes32 tradeId,bytes32 reason)");

    /// @notice How far a business time may run ahead of the block's time (clocks differ a little).
    uint64 public constant MAX_CLOCK_SKEW = 5 minutes;

    struct Proposal {
        address buyer;
        TradeStatus status;
    }

    IFirmRegistry public immutable registry;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 docHash => bytes32 tradeId) private _tradeOfDocument;
    mapping(bytes32 tradeId => Proposal) private _proposals;
    mapping(bytes32 paymentId => bool) private _paymentRecorded;
    mapping(bytes32 tradeId => uint128) private _paid;

    constructor(IFirmRegistry registry_) EIP712("SCF Ledger", "1") {
        registry = registry_;
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
        _tradeOfDocument[trade.docHash] = tradeId;
        _proposals[tradeId] = Proposal({buyer: trade.buyer, status: TradeStatus.Proposed});
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
            trade.ref
        );
    }

    /// @inheritdoc ITradeLedger
    function confirmTrade(bytes32 tradeId, bytes calldata buyerSignature) external {
        address buyer = _checkBuyerAnswer(tradeId, tradeId, buyerSignature);
        // A verified trade needs no proposal record: clearing it refunds gas and marks it verified.
        delete _proposals[tradeId];
        emit TradeConfirmed(tradeId, buyer);
    }

    /// @inheritdoc ITradeLedger
    function rejectTrade(bytes32 tradeId, bytes32 reason, bytes calldata buyerSignature) external {
        bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(REJECT_TYPEHASH, tradeId, reason)));
        address buyer = _checkBuyerAnswer(tradeId, digest, buyerSignature);
        _proposals[tradeId].status = TradeStatus.Rejected;
        emit TradeRejected(tradeId, buyer, reason);
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
        if (payment.amount == 0) revert TradeLedgerZeroAmount();
        _checkNotFuture(payment.paidAt);
        paymentId = _hashPayment(payment);
        if (_paymentRecorded[paymentId]) revert TradeLedgerDuplicatePayment(paymentId);
        uint256 paid = uint256(_paid[tradeId]) + payment.amount;
        if (paid > trade.amount) revert TradeLedgerOverpayment(tradeId, paid, trade.amount);
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

    /// @notice The EIP-712 domain separator ("SCF Ledger", "1", chainId, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev The one place a verified trade enters storage.
    function _recordVerified(bytes32 tradeId, Trade calldata trade) private {
        _tradeOfDocument[trade.docHash] = tradeId;
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
            trade.ref
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
        if (existing != bytes32(0)) {
            return (tradeId, abi.encodeWithSelector(TradeLedgerDuplicateDocument.selector, trade.docHash, existing));
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

    /// @dev Checks a buyer's answer (confirm or reject) to a proposal; returns the buyer.
    function _checkBuyerAnswer(bytes32 tradeId, bytes32 digest, bytes calldata signature)
        private
        view
        returns (address buyer)
    {
        Proposal storage proposal = _proposals[tradeId];
        _checkStatus(tradeId, proposal.status, TradeStatus.Proposed);
        buyer = proposal.buyer;
        bytes memory failure = _traderFailure(buyer);
        if (failure.length != 0) LowLevelCall.bubbleRevert(failure);
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

    function _statusOf(bytes32 docHash, bytes32 tradeId) private view returns (TradeStatus) {
        if (tradeId == bytes32(0) || _tradeOfDocument[docHash] != tradeId) return TradeStatus.None;
        TradeStatus open = _proposals[tradeId].status;
        return open == TradeStatus.None ? TradeStatus.Verified : open;
    }

    function _hashTrade(Trade calldata trade) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(TRADE_TYPEHASH, trade)));
    }

    function _hashPayment(Payment calldata payment) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(PAYMENT_TYPEHASH, payment)));
    }
}
