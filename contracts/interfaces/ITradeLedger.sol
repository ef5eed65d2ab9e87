// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ITradeLedger
/// @notice Verified trades between registered firms. A trade is *verified* when both seller and
/// buyer signed its EIP-712 `Trade` typed data; its id is that digest. A document hash is recorded
/// once in the whole ledger, whoever submits it, and so is an invoice's identity (`invoiceKey`,
/// e.g. keccak256(abi.encode(issuer USCC, invoice number)) for a Chinese e-invoice), whatever the
/// document's bytes. A proposal the buyer rejected, or left unanswered for {PROPOSAL_TTL}, holds
/// neither: anyone may record the document and the invoice again.
interface ITradeLedger {
    // ─────────────────────────────────────────────────────────────── types

    enum TradeKind {
        Order,
        Delivery,
        Invoice
    }

    enum TradeStatus {
        None,
        Proposed,
        Verified,
        Rejected
    }

    /// @dev Field order and types are the EIP-712 `Trade` type; do not reorder.
    struct Trade {
        address seller;
        address buyer;
        uint8 kind;
        bytes32 docHash;
        uint128 amount;
        uint16 currency;
        uint64 issuedAt;
        uint64 dueAt;
        bytes32 ref;
        bytes32 invoiceKey;
    }

    struct TradeSubmission {
        Trade trade;
        bytes sellerSignature;
        bytes buyerSignature;
    }

    /// @dev The EIP-712 `Payment` type, signed by the payee (the trade's seller).
    struct Payment {
        bytes32 tradeId;
        uint128 amount;
        uint64 paidAt;
        bytes32 payRef;
    }

    // ─────────────────────────────────────────────────────────────── errors

    /// @notice Seller and buyer are the same address.
    error TradeLedgerSelfTrade(address firm);
    /// @notice The amount is zero.
    error TradeLedgerZeroAmount();
    /// @notice The currency code is zero.
    error TradeLedgerInvalidCurrency(uint16 currency);
    /// @notice `kind` is not ORDER, DELIVERY or INVOICE.
    error TradeLedgerInvalidKind(uint8 kind);
    /// @notice An INVOICE is due before it was issued, or a non-invoice carries a due date.
    error TradeLedgerInvalidDueDate(uint64 issuedAt, uint64 dueAt);
    /// @notice A business time is later than the block's time (beyond the allowed clock skew).
    error TradeLedgerFutureTimestamp(uint64 businessTime, uint64 blockTime);
    /// @notice The document was recorded already, as trade `tradeId`.
    error TradeLedgerDuplicateDocument(bytes32 docHash, bytes32 tradeId);
    /// @notice `firm` is not registered, or is suspended.
    error TradeLedgerInactiveFirm(address firm);
    /// @notice `firm` holds none of `requiredRoles`.
    error TradeLedgerUnauthorizedRole(address firm, uint8 requiredRoles);
    /// @notice The signature does not come from `signer` (EOA or ERC-1271 wallet).
    error TradeLedgerInvalidSignature(address signer);
    /// @notice The trade is not in `expected` status (it is in `actual`).
    error TradeLedgerInvalidStatus(bytes32 tradeId, TradeStatus actual, TradeStatus expected);
    /// @notice Payments apply to invoices only.
    error TradeLedgerNotAnInvoice(bytes32 tradeId);
    /// @notice The payment names another trade than the one given.
    error TradeLedgerPaymentTradeMismatch(bytes32 paymentTradeId, bytes32 tradeId);
    /// @notice This exact signed payment was recorded already.
    error TradeLedgerDuplicatePayment(bytes32 paymentId);
    /// @notice The payments would exceed the invoice amount.
    error TradeLedgerOverpayment(bytes32 tradeId, uint256 paid, uint128 amount);
    /// @notice The invoice identity was recorded already, as trade `tradeId` (another document of
    /// the same invoice, say).
    error TradeLedgerDuplicateInvoice(bytes32 invoiceKey, bytes32 tradeId);
    /// @notice An INVOICE without an invoice identity, or an order or delivery with one.
    error TradeLedgerInvalidInvoiceKey(uint8 kind, bytes32 invoiceKey);
    /// @notice The proposal was not answered in time (by `expiredAt`); it can no longer be.
    error TradeLedgerProposalExpired(bytes32 tradeId, uint64 expiredAt);
    /// @notice A receivable was issued from the invoice: it is paid on the receivable ledger now.
    error TradeLedgerPaidOnReceivable(bytes32 tradeId);
    /// @notice Only the deployer binds the receivable ledger, once.
    error TradeLedgerUnauthorizedBinding(address caller);

    // ─────────────────────────────────────────────────────────────── events

    /// @notice A trade was verified with both signatures in one call.
    event TradeRecorded(
        bytes32 indexed tradeId,
        address indexed seller,
        address indexed buyer,
        uint8 kind,
        bytes32 docHash,
        uint128 amount,
        uint16 currency,
        uint64 issuedAt,
        uint64 dueAt,
        bytes32 ref,
        bytes32 invoiceKey
    );
    /// @notice A trade was proposed by its seller; it awaits the buyer's signature.
    event TradeProposed(
        bytes32 indexed tradeId,
        address indexed seller,
        address indexed buyer,
        uint8 kind,
        bytes32 docHash,
        uint128 amount,
        uint16 currency,
        uint64 issuedAt,
        uint64 dueAt,
        bytes32 ref,
        bytes32 invoiceKey
    );
    /// @notice The buyer signed a proposed trade: it is now verified.
    event TradeConfirmed(bytes32 indexed tradeId, address indexed buyer);
    /// @notice The buyer refused a proposed trade (a dispute); its document and invoice identity are
    /// free again (the rejection itself stays on record).
    event TradeRejected(bytes32 indexed tradeId, address indexed buyer, bytes32 reason);
    /// @notice A batch item was not recorded; `reason` is the ABI-encoded custom error.
    event TradeFailed(bytes32 indexed tradeId, uint256 index, bytes reason);
    /// @notice The payee of an invoice acknowledged a payment.
    event PaymentRecorded(
        bytes32 indexed paymentId,
        bytes32 indexed tradeId,
        address indexed payee,
        address payer,
        uint128 amount,
        uint64 paidAt,
        bytes32 payRef
    );

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Records a trade signed by both parties.
    /// Requirements: both parties active traders (SUPPLIER or CORE), fields valid (an INVOICE has a
    /// non-zero `invoiceKey`, other kinds zero), document and invoice identity new (or held by a
    /// rejected or expired proposal only), both signatures valid for the trade's EIP-712 digest.
    /// Emits a {TradeRecorded} event.
    function recordTrade(Trade calldata trade, bytes calldata sellerSignature, bytes calldata buyerSignature)
        external
        returns (bytes32 tradeId);

    /// @notice Records many trades; an invalid item does not revert the others.
    /// Emits, per item, a {TradeRecorded} or a {TradeFailed} event.
    function recordTrades(TradeSubmission[] calldata submissions) external returns (uint256 recorded);

    /// @notice Records a trade signed by its seller only; the document (and invoice identity) is
    /// reserved until the buyer rejects it or {PROPOSAL_TTL} passes unanswered.
    /// Emits a {TradeProposed} event.
    function proposeTrade(Trade calldata trade, bytes calldata sellerSignature) external returns (bytes32 tradeId);

    /// @notice The buyer's signature over the proposed trade's digest verifies it, within
    /// {PROPOSAL_TTL} of the proposal.
    /// Emits a {TradeConfirmed} event.
    function confirmTrade(bytes32 tradeId, bytes calldata buyerSignature) external;

    /// @notice The buyer refuses a proposed trade with its signed `Reject(tradeId, reason)`.
    /// Emits a {TradeRejected} event.
    function rejectTrade(bytes32 tradeId, bytes32 reason, bytes calldata buyerSignature) external;

    /// @notice Records a payment against a verified invoice, signed by the payee (the seller).
    /// Requirements: no receivable was issued from the invoice (once one is, the invoice is paid
    /// by settling the receivable, which its holder, maybe a bank, signs); the payee is an active
    /// trader (the buyer's standing is not checked: a suspended buyer's debt can still be paid).
    /// Emits a {PaymentRecorded} event.
    function recordPayment(Trade calldata trade, Payment calldata payment, bytes calldata payeeSignature)
        external
        returns (bytes32 paymentId);

    /// @notice The trade id (EIP-712 digest) of `trade`.
    function hashTrade(Trade calldata trade) external view returns (bytes32);

    /// @notice The EIP-712 digest of `payment` (its id).
    function hashPayment(Payment calldata payment) external view returns (bytes32);

    /// @notice The EIP-712 digest of `Reject(tradeId, reason)`.
    function hashReject(bytes32 tradeId, bytes32 reason) external view returns (bytes32);

    /// @notice The status of `trade` (None if its document was recorded for another trade).
    function statusOf(Trade calldata trade) external view returns (TradeStatus);

    /// @notice The trade recorded for `docHash` and its status.
    function tradeOfDocument(bytes32 docHash) external view returns (bytes32 tradeId, TradeStatus status);

    /// @notice The total of payments recorded against `tradeId`.
    function paidAmount(bytes32 tradeId) external view returns (uint128);

    /// @notice The trade recorded for `invoiceKey` and its status.
    function tradeOfInvoice(bytes32 invoiceKey) external view returns (bytes32 tradeId, TradeStatus status);

    /// @notice Whether `signature` is `signer`'s of `digest`, exactly as this ledger checks it: ECDSA,
    /// else ERC-1271 within the gas stipend, in a static context. Off-chain checks call this.
    function verifySignature(address signer, bytes32 digest, bytes calldata signature)
        external
        view
        returns (bool);

    /// @notice The receivable ledger whose receivables close an invoice to trade-level payments.
    function receivableLedger() external view returns (address);

    /// @notice Binds the receivable ledger (once, by the deployer).
    function bindReceivableLedger(address receivableLedger_) external;
}
