// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ITradeLedger} from "./ITradeLedger.sol";

/// @title IReceivableLedger
/// @notice Receivables born from verified invoices owed by core enterprises: the obligor (the
/// invoice's buyer, a CORE firm) confirms, the holder splits and passes them along the supply chain,
/// a bank finances each at most once, and the holder records settlement or default.
///
/// A root receivable's id is its invoice's trade id; a child's id is
/// `keccak256(abi.encode(parentId, index))`. Every state change is authorised by the EIP-712
/// signature of the party with authority (domain "SCF Ledger", "1", this contract), so anyone (the
/// operator's relayer) may submit it. Every state change emits an event carrying all that an indexer
/// needs to rebuild the state without a view call.
interface IReceivableLedger {
    // ─────────────────────────────────────────────────────────────── types

    enum ReceivableStatus {
        None,
        Pending,
        Confirmed,
        Rejected,
        Split,
        Financed,
        Settled,
        Defaulted
    }

    /// @notice A receivable as {receivable} returns it.
    struct Receivable {
        address holder;
        address obligor;
        uint128 amount;
        uint64 dueAt;
        bytes32 rootId;
        uint8 tier;
        ReceivableStatus status;
        bool financed;
        // The settlement's `paidAt` and the days it was late (rounded up); zero until SETTLED.
        uint64 paidAt;
        uint32 lateDays;
    }

    /// @dev The EIP-712 `Split` type, signed by the holder. A transfer is a split with one recipient.
    struct Split {
        bytes32 receivableId;
        address[] to;
        uint128[] amounts;
        uint256 nonce;
    }

    /// @dev The EIP-712 `Finance` type, signed by the holder and by the bank. `nonce` is the
    /// holder's; the bank's consent is bounded by `deadline` and by the financed-once rule.
    struct Finance {
        bytes32 receivableId;
        address bank;
        uint128 advance;
        uint32 rateBps;
        uint64 deadline;
        uint256 nonce;
    }

    /// @dev The EIP-712 `Settle` type, signed by the holder: the obligor paid it in full. It has no
    /// nonce: a receivable is settled once, so a replay finds it SETTLED.
    struct Settle {
        bytes32 receivableId;
        uint128 amount;
        uint64 paidAt;
        bytes32 payRef;
    }

    /// @dev The EIP-712 `MarkDefault` type, signed by the holder.
    struct MarkDefault {
        bytes32 receivableId;
        uint256 nonce;
    }

    // ─────────────────────────────────────────────────────────────── errors

    /// @notice Receivables come from invoices only; the trade is of another `kind`.
    error ReceivableLedgerNotAnInvoice(bytes32 tradeId, uint8 kind);
    /// @notice The invoice's trade is in `status` on the trade ledger: not recorded (or its document
    /// was recorded as another trade) or rejected, on issue; still awaiting its buyer, on sync.
    error ReceivableLedgerInvalidTradeStatus(bytes32 tradeId, ITradeLedger.TradeStatus status);
    /// @notice The invoice's document was recorded already, as trade `tradeId`: one document makes
    /// one receivable, whoever submits it.
    error ReceivableLedgerDuplicateDocument(bytes32 docHash, bytes32 tradeId);
    /// @notice Payments of `paid` were recorded against the invoice already: it is no receivable.
    error ReceivableLedgerInvoicePaid(bytes32 tradeId, uint128 paid);
    /// @notice A receivable was issued for this invoice already (a document makes one receivable).
    error ReceivableLedgerAlreadyIssued(bytes32 receivableId, ReceivableStatus status);
    /// @notice No receivable has this id.
    error ReceivableLedgerUnknownReceivable(bytes32 receivableId);
    /// @notice The receivable's `status` does not allow this operation.
    error ReceivableLedgerInvalidStatus(bytes32 receivableId, ReceivableStatus status);
    /// @notice `firm` is not registered, or is suspended.
    error ReceivableLedgerInactiveFirm(address firm);
    /// @notice `firm` holds none of `requiredRoles`.
    error ReceivableLedgerUnauthorizedRole(address firm, uint8 requiredRoles);
    /// @notice Only the trade ledger reports a trade's answer.
    error ReceivableLedgerNotTradeLedger(address caller);
    /// @notice The signature does not come from `signer` (EOA or ERC-1271 wallet).
    error ReceivableLedgerInvalidSignature(address signer);
    /// @notice `signer`, a registered firm, signed; only the receivable's `holder` may move it.
    error ReceivableLedgerNotHolder(bytes32 receivableId, address signer, address holder);
    /// @notice `signer`, a registered firm, signed; only the receivable's `obligor` may confirm or
    /// reject it.
    error ReceivableLedgerNotObligor(bytes32 receivableId, address signer, address obligor);
    /// @notice The message carries `nonce`; the signer's next nonce is `expected`.
    error ReceivableLedgerInvalidNonce(address signer, uint256 nonce, uint256 expected);
    /// @notice A split needs at least one recipient and one amount per recipient.
    error ReceivableLedgerInvalidSplitLength(uint256 recipients, uint256 amounts);
    /// @notice An amount (a split part, an advance) is zero.
    error ReceivableLedgerZeroAmount();
    /// @notice The split's parts add up to `total`, not to the receivable's `amount`.
    error ReceivableLedgerSplitAmountMismatch(bytes32 receivableId, uint256 total, uint128 amount);
    /// @notice Passing the receivable on would take its tier past the largest one (255).
    error ReceivableLedgerTierTooDeep(bytes32 receivableId, uint8 tier);
    /// @notice The receivable was financed already: it is financed at most once.
    error ReceivableLedgerAlreadyFinanced(bytes32 receivableId);
    /// @notice The holder cannot finance its receivable with itself.
    error ReceivableLedgerSelfFinance(bytes32 receivableId, address bank);
    /// @notice The bank's advance is more than the receivable's amount.
    error ReceivableLedgerAdvanceExceedsAmount(bytes32 receivableId, uint128 advance, uint128 amount);
    /// @notice The signed message expired at `deadline`; the block's time is `blockTime`.
    error ReceivableLedgerExpiredSignature(uint64 deadline, uint64 blockTime);
    /// @notice A settlement must pay the full `amount`; it pays `paid`.
    error ReceivableLedgerSettlementAmountMismatch(bytes32 receivableId, uint128 paid, uint128 amount);
    /// @notice A business time is later than the block's time (beyond the allowed clock skew).
    error ReceivableLedgerFutureTimestamp(uint64 businessTime, uint64 blockTime);
    /// @notice The receivable may be marked defaulted only after `defaultableAfter` (its due date
    /// plus the grace period); the block's time is `blockTime`.
    error ReceivableLedgerNotOverdue(bytes32 receivableId, uint256 defaultableAfter, uint64 blockTime);
    /// @notice The grace period is longer than the largest allowed.
    error ReceivableLedgerInvalidGracePeriod(uint64 gracePeriod);

    // ─────────────────────────────────────────────────────────────── events

    /// @notice A receivable came into being: a root from an invoice (`parentId` zero, `rootId` its
    /// own id, tier 1, PENDING or CONFIRMED) or a child from a split (CONFIRMED). `tier` is the number
    /// of firms it passed through: the parent's tier for a part kept by the holder, one more for a
    /// part passed to another firm.
    event ReceivableCreated(
        bytes32 indexed receivableId,
        bytes32 indexed rootId,
        address indexed holder,
        bytes32 parentId,
        address obligor,
        uint128 amount,
        uint64 dueAt,
        uint8 tier,
        ReceivableStatus status
    );
    /// @notice The obligor confirmed a PENDING receivable: it is CONFIRMED.
    event ReceivableConfirmed(bytes32 indexed receivableId, address indexed obligor);
    /// @notice The obligor refused a PENDING receivable: it is REJECTED. `reason` is zero when the
    /// refusal was made on the trade ledger directly (its {ITradeLedger-TradeRejected} carries it).
    event ReceivableRejected(bytes32 indexed receivableId, address indexed obligor, bytes32 reason);
    /// @notice The holder split the receivable into `children` parts (one part: a transfer), each
    /// announced by a {ReceivableCreated} event right after this one; the receivable is SPLIT.
    event ReceivableSplit(bytes32 indexed receivableId, address indexed holder, uint256 children, uint256 nonce);
    /// @notice The receivable was financed: `bank` advanced `advance` at `rateBps`, and now holds it.
    event ReceivableFinanced(
        bytes32 indexed receivableId,
        address indexed previousHolder,
        address indexed bank,
        uint128 amount,
        uint128 advance,
        uint32 rateBps,
        uint256 nonce
    );
    /// @notice The holder acknowledged full payment by the obligor: the receivable is SETTLED.
    event ReceivableSettled(
        bytes32 indexed receivableId,
        address indexed holder,
        address indexed obligor,
        uint128 amount,
        uint64 dueAt,
        uint64 paidAt,
        uint32 lateDays,
        bytes32 payRef
    );
    /// @notice The holder marked the overdue, unpaid receivable DEFAULTED at `markedAt`.
    event ReceivableDefaulted(
        bytes32 indexed receivableId,
        address indexed holder,
        address indexed obligor,
        uint128 amount,
        uint64 dueAt,
        uint64 markedAt,
        uint256 nonce
    );
    /// @notice The operator set the grace period after the due date before a default may be marked.
    event GracePeriodSet(uint64 previousGracePeriod, uint64 gracePeriod);

    // ─────────────────────────────────────────────────────────────── external

    /// @notice Issues the receivable of `invoice`, a trade on the trade ledger: CONFIRMED when the
    /// trade is verified (the buyer signed it), PENDING when it awaits the buyer. Anyone may call it.
    /// Requirements: `invoice` is an INVOICE, verified or proposed, with no payment recorded against
    /// it; its buyer (the obligor) is an active CORE firm and its seller (the holder) an active firm;
    /// no receivable exists for it yet.
    /// Emits a {ReceivableCreated} event.
    function issue(ITradeLedger.Trade calldata invoice) external returns (bytes32 receivableId);

    /// @notice Brings a PENDING receivable in line with its trade, answered on the trade ledger
    /// directly: CONFIRMED when the trade is verified (the obligor must be an active CORE firm),
    /// REJECTED when it was rejected or its proposal expired unanswered. Anyone may call it.
    /// Emits a {ReceivableConfirmed} or a {ReceivableRejected} event.
    function sync(ITradeLedger.Trade calldata invoice) external;

    /// @notice The trade ledger reports that the buyer answered proposal `tradeId` (however the
    /// answer reached it): a PENDING receivable issued from it becomes CONFIRMED (when its obligor
    /// is an active CORE firm; else it stays PENDING until {sync}) or REJECTED, in the same
    /// transaction. Nothing happens when no receivable waits for the answer.
    /// Requirements: the caller is the trade ledger.
    /// Emits a {ReceivableConfirmed} or a {ReceivableRejected} event, or none.
    function tradeAnswered(bytes32 tradeId, bool confirmed, bytes32 reason) external;

    /// @notice The obligor confirms a PENDING receivable with its signature of the invoice's trade
    /// id; the trade is confirmed on the trade ledger in the same call.
    /// Requirements: PENDING; the obligor an active CORE firm; the signature the obligor's.
    /// Emits a {ReceivableConfirmed} event (and the trade ledger's {ITradeLedger-TradeConfirmed}).
    function confirm(bytes32 receivableId, bytes calldata obligorSignature) external;

    /// @notice The obligor refuses a PENDING receivable with its signed trade-ledger
    /// `Reject(tradeId, reason)`; the trade is rejected on the trade ledger in the same call.
    /// Requirements: PENDING; the signature the obligor's.
    /// Emits a {ReceivableRejected} event (and the trade ledger's {ITradeLedger-TradeRejected}).
    function reject(bytes32 receivableId, bytes32 reason, bytes calldata obligorSignature) external;

    /// @notice Splits a CONFIRMED receivable into parts for `split.to` (a transfer when one).
    /// Requirements: CONFIRMED; the holder active; the signature the holder's; `split.nonce` the
    /// holder's next nonce; recipients active SUPPLIER or CORE firms; parts non-zero and adding up
    /// exactly to the amount.
    /// Emits a {ReceivableSplit} event, then a {ReceivableCreated} event per part.
    function split(Split calldata split, bytes calldata holderSignature) external returns (bytes32[] memory childIds);

    /// @notice Finances a CONFIRMED receivable: the bank becomes its holder.
    /// Requirements: CONFIRMED and never financed; `advance` non-zero and at most the amount; not
    /// expired; the holder active; the bank an active BANK other than the holder; both signatures
    /// valid; `terms.nonce` the holder's next nonce.
    /// Emits a {ReceivableFinanced} event.
    function finance(Finance calldata terms, bytes calldata holderSignature, bytes calldata bankSignature) external;

    /// @notice Records the obligor's full payment of a CONFIRMED or FINANCED receivable.
    /// Requirements: `settlement.amount` equals the amount; `paidAt` not in the future (beyond the
    /// clock skew); the holder active; the signature the holder's.
    /// Emits a {ReceivableSettled} event.
    function settle(Settle calldata settlement, bytes calldata holderSignature) external;

    /// @notice Marks a CONFIRMED or FINANCED receivable DEFAULTED once its due date plus the grace
    /// period has passed.
    /// Requirements: overdue past the grace period; the holder active; the signature the holder's;
    /// `mark.nonce` the holder's next nonce.
    /// Emits a {ReceivableDefaulted} event.
    function markDefault(MarkDefault calldata mark, bytes calldata holderSignature) external;

    /// @notice Sets the grace period after a due date before a default may be marked; it applies to
    /// every receivable from now on. Requirements: caller has OPERATOR_ROLE; at most the maximum.
    /// Emits a {GracePeriodSet} event.
    function setGracePeriod(uint64 gracePeriod) external;

    /// @notice The grace period after a due date before a default may be marked, in seconds.
    function gracePeriod() external view returns (uint64);

    /// @notice The receivable `receivableId` (status None when unknown).
    function receivable(bytes32 receivableId) external view returns (Receivable memory);

    /// @notice The receivables `receivableIds`, in order (status None for unknown ids).
    function receivables(bytes32[] calldata receivableIds) external view returns (Receivable[] memory);

    /// @notice The id of part `index` of a split of `parentId`.
    function childId(bytes32 parentId, uint256 index) external pure returns (bytes32);

    /// @notice The next nonce of `signer` for Split, Finance and MarkDefault messages.
    function nonces(address signer) external view returns (uint256);

    /// @notice The EIP-712 digest of `split`.
    function hashSplit(Split calldata split) external view returns (bytes32);

    /// @notice The EIP-712 digest of `terms`.
    function hashFinance(Finance calldata terms) external view returns (bytes32);

    /// @notice The EIP-712 digest of `settlement`.
    function hashSettle(Settle calldata settlement) external view returns (bytes32);

    /// @notice The EIP-712 digest of `mark`.
    function hashMarkDefault(MarkDefault calldata mark) external view returns (bytes32);
}
