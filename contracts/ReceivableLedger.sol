// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {LowLevelCall} from "@openzeppelin/contracts/utils/LowLevelCall.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IFirmRegistry} from "./interfaces/IFirmRegistry.sol";
import {IReceivableLedger} from "./interfaces/IReceivableLedger.sol";
import {ITradeLedger} from "./interfaces/ITradeLedger.sol";
import {Roles} from "./Roles.sol";
import {SignatureVerifier} from "./SignatureVerifier.sol";

/// @title ReceivableLedger
/// @notice See {IReceivableLedger}. Built on the trade ledger: a receivable's root id is its
/// invoice's trade id, so the trade ledger's one-document-one-trade rule makes one document one
/// receivable, and the obligor's confirmation or refusal is recorded there too.
///
/// Storage, per receivable, is three slots (holder, due date, tier, status, financed | amount and
/// settlement | root id, written for children only), and the obligor once per root: children share
/// their root's obligor and due date. The parent id is not stored; only its event carries it.
///
/// The state machine is what keeps a receivable financed at most once across its family: only a
/// CONFIRMED receivable is split or financed, and neither a SPLIT parent nor a FINANCED receivable
/// ever returns to CONFIRMED, so no financed receivable has a financed ancestor or descendant.
contract ReceivableLedger is IReceivableLedger, EIP712, Nonces, AccessControl {
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    bytes32 public constant SPLIT_TYPEHASH =
        keccak256("Split(bytes32 receivableId,address[] to,uint128[] amounts,uint256 nonce)");
    bytes32 public constant FINANCE_TYPEHASH = keccak256(
        "Finance(bytes32 receivableId,address bank,uint128 advance,uint32 rateBps,uint64 deadline,uint256 nonce)"
    );
    bytes32 public constant SETTLE_TYPEHASH =
        keccak256("Settle(bytes32 receivableId,uint128 amount,uint64 paidAt,bytes32 payRef)");
    bytes32 public constant MARK_DEFAULT_TYPEHASH = keccak256("MarkDefault(bytes32 receivableId,uint256 nonce)");

    /// @notice How far a business time may run ahead of the block's time (the trade ledger's skew).
    uint64 public constant MAX_CLOCK_SKEW = 5 minutes;
    /// @notice The grace period until the operator sets another.
    uint64 public constant INITIAL_GRACE_PERIOD = 30 days;
    uint64 public constant MAX_GRACE_PERIOD = 365 days;
    uint8 public constant ROOT_TIER = 1;

    /// @dev Packed in three slots; `rootId` is zero for a root (its root is itself).
    struct Record {
        address holder;
        uint64 dueAt;
        uint8 tier;
        ReceivableStatus status;
        bool financed;
        uint128 amount;
        uint64 paidAt;
        uint32 lateDays;
        bytes32 rootId;
    }

    /// @dev What a receivable inherits from its family: children keep their root's obligor and due date.
    struct Lineage {
        bytes32 parentId;
        bytes32 rootId;
        address obligor;
        uint64 dueAt;
    }

    IFirmRegistry public immutable registry;
    ITradeLedger public immutable trades;

    // ─────────────────────────────────────────────────────────────── storage

    mapping(bytes32 receivableId => Record) private _records;
    mapping(bytes32 rootId => address obligor) private _obligors;
    uint64 private _gracePeriod;

    constructor(IFirmRegistry registry_, ITradeLedger trades_, address operator) EIP712("SCF Ledger", "1") {
        registry = registry_;
        trades = trades_;
        _grantRole(DEFAULT_ADMIN_ROLE, operator);
        _grantRole(OPERATOR_ROLE, operator);
        _setGracePeriod(INITIAL_GRACE_PERIOD);
    }

    // ─────────────────────────────────────────────────────────────── external

    /// @inheritdoc IReceivableLedger
    function issue(ITradeLedger.Trade calldata invoice) external returns (bytes32 receivableId) {
        receivableId = trades.hashTrade(invoice);
        if (invoice.kind != uint8(ITradeLedger.TradeKind.Invoice)) {
            revert ReceivableLedgerNotAnInvoice(receivableId, invoice.kind);
        }
        ReceivableStatus existing = _records[receivableId].status;
        if (existing != ReceivableStatus.None) revert ReceivableLedgerAlreadyIssued(receivableId, existing);
        ReceivableStatus status = _issuedStatus(receivableId, invoice);
        uint128 paid = trades.paidAmount(receivableId);
        if (paid != 0) revert ReceivableLedgerInvoicePaid(receivableId, paid);
        _checkFirm(invoice.buyer, Roles.CORE);
        _checkFirm(invoice.seller, Roles.TRADER);

        _obligors[receivableId] = invoice.buyer;
        Lineage memory lineage =
            Lineage({parentId: bytes32(0), rootId: receivableId, obligor: invoice.buyer, dueAt: invoice.dueAt});
        _create(receivableId, lineage, invoice.seller, invoice.amount, ROOT_TIER, status);
    }

    /// @inheritdoc IReceivableLedger
    function sync(ITradeLedger.Trade calldata invoice) external {
        bytes32 receivableId = trades.hashTrade(invoice);
        Record storage record = _existing(receivableId);
        _checkStatus(receivableId, record.status, ReceivableStatus.Pending);
        ITradeLedger.TradeStatus tradeStatus = trades.statusOf(invoice);
        address obligor = _obligors[receivableId];
        if (tradeStatus == ITradeLedger.TradeStatus.Verified) {
            _checkFirm(obligor, Roles.CORE);
            _confirm(receivableId, record, obligor);
        } else if (tradeStatus == ITradeLedger.TradeStatus.Rejected || tradeStatus == ITradeLedger.TradeStatus.None) {
            // None: the proposal expired unanswered (it can no longer be confirmed).
            _reject(receivableId, record, obligor, bytes32(0));
        } else {
            revert ReceivableLedgerInvalidTradeStatus(receivableId, tradeStatus);
        }
    }

    /// @inheritdoc IReceivableLedger
    function confirm(bytes32 receivableId, bytes calldata obligorSignature) external {
        Record storage record = _existing(receivableId);
        _checkStatus(receivableId, record.status, ReceivableStatus.Pending);
        address obligor = _obligors[receivableId];
        _checkFirm(obligor, Roles.CORE);
        // The trade ledger checks the obligor's signature of the trade id (EOA or ERC-1271).
        try trades.confirmTrade(receivableId, obligorSignature) {}
        catch (bytes memory failure) {
            _revertAnswer(receivableId, obligor, receivableId, obligorSignature, failure);
        }
        // The trade ledger reported the answer back ({tradeAnswered}), which confirmed the record.
        if (record.status == ReceivableStatus.Pending) _confirm(receivableId, record, obligor);
    }

    /// @inheritdoc IReceivableLedger
    function reject(bytes32 receivableId, bytes32 reason, bytes calldata obligorSignature) external {
        Record storage record = _existing(receivableId);
        _checkStatus(receivableId, record.status, ReceivableStatus.Pending);
        address obligor = _obligors[receivableId];
        try trades.rejectTrade(receivableId, reason, obligorSignature) {}
        catch (bytes memory failure) {
            bytes32 digest = trades.hashReject(receivableId, reason);
            _revertAnswer(receivableId, obligor, digest, obligorSignature, failure);
        }
        if (record.status == ReceivableStatus.Pending) _reject(receivableId, record, obligor, reason);
    }

    /// @inheritdoc IReceivableLedger
    function tradeAnswered(bytes32 tradeId, bool confirmed, bytes32 reason) external {
        if (msg.sender != address(trades)) revert ReceivableLedgerNotTradeLedger(msg.sender);
        Record storage record = _records[tradeId];
        if (record.status != ReceivableStatus.Pending) return;
        address obligor = _obligors[tradeId];
        if (!confirmed) {
            _reject(tradeId, record, obligor, reason);
            return;
        }
        (IFirmRegistry.FirmStatus status, uint8 roles) = registry.standing(obligor);
        if (status == IFirmRegistry.FirmStatus.Active && roles & Roles.CORE != 0) _confirm(tradeId, record, obligor);
    }

    /// @inheritdoc IReceivableLedger
    function split(Split calldata split_, bytes calldata holderSignature) external returns (bytes32[] memory childIds) {
        bytes32 receivableId = split_.receivableId;
        Record storage parent = _existing(receivableId);
        _checkStatus(receivableId, parent.status, ReceivableStatus.Confirmed);
        uint256 parts = split_.to.length;
        if (parts == 0 || parts != split_.amounts.length) {
            revert ReceivableLedgerInvalidSplitLength(parts, split_.amounts.length);
        }
        address holder = parent.holder;
        _checkActive(holder);
        _checkHolderSignature(receivableId, holder, _hashSplit(split_), holderSignature);
        _useCheckedNonce(holder, split_.nonce);
        childIds = _split(receivableId, parent, holder, split_);
    }

    /// @inheritdoc IReceivableLedger
    function finance(Finance calldata terms, bytes calldata holderSignature, bytes calldata bankSignature) external {
        Record storage record = _existing(terms.receivableId);
        address holder = _checkFinanceTerms(record, terms);
        bytes32 digest = _hashFinance(terms);
        _checkHolderSignature(terms.receivableId, holder, digest, holderSignature);
        if (!SignatureVerifier.isValidCalldata(terms.bank, digest, bankSignature)) {
            revert ReceivableLedgerInvalidSignature(terms.bank);
        }
        _useCheckedNonce(holder, terms.nonce);
        _finance(record, terms);
    }

    /// @inheritdoc IReceivableLedger
    function settle(Settle calldata settlement, bytes calldata holderSignature) external {
        bytes32 receivableId = settlement.receivableId;
        Record storage record = _existing(receivableId);
        _checkOutstanding(receivableId, record.status);
        uint128 amount = record.amount;
        if (settlement.amount != amount) {
            revert ReceivableLedgerSettlementAmountMismatch(receivableId, settlement.amount, amount);
        }
        if (settlement.paidAt > block.timestamp + MAX_CLOCK_SKEW) {
            revert ReceivableLedgerFutureTimestamp(settlement.paidAt, uint64(block.timestamp));
        }
        address holder = record.holder;
        _checkActive(holder);
        _checkHolderSignature(receivableId, holder, _hashSettle(settlement), holderSignature);
        _settle(receivableId, record, holder, settlement);
    }

    /// @inheritdoc IReceivableLedger
    function markDefault(MarkDefault calldata mark, bytes calldata holderSignature) external {
        bytes32 receivableId = mark.receivableId;
        Record storage record = _existing(receivableId);
        _checkOutstanding(receivableId, record.status);
        uint256 defaultableAfter = uint256(record.dueAt) + _gracePeriod;
        if (block.timestamp <= defaultableAfter) {
            revert ReceivableLedgerNotOverdue(receivableId, defaultableAfter, uint64(block.timestamp));
        }
        address holder = record.holder;
        _checkActive(holder);
        _checkHolderSignature(receivableId, holder, _hashMarkDefault(mark), holderSignature);
        _useCheckedNonce(holder, mark.nonce);
        _markDefault(receivableId, record, holder, mark.nonce);
    }

    /// @inheritdoc IReceivableLedger
    function setGracePeriod(uint64 gracePeriod_) external onlyRole(OPERATOR_ROLE) {
        _setGracePeriod(gracePeriod_);
    }

    /// @inheritdoc IReceivableLedger
    function gracePeriod() external view returns (uint64) {
        return _gracePeriod;
    }

    /// @inheritdoc IReceivableLedger
    function receivable(bytes32 receivableId) external view returns (Receivable memory) {
        return _view(receivableId);
    }

    /// @inheritdoc IReceivableLedger
    function receivables(bytes32[] calldata receivableIds) external view returns (Receivable[] memory found) {
        found = new Receivable[](receivableIds.length);
        for (uint256 i = 0; i < receivableIds.length; ++i) {
            found[i] = _view(receivableIds[i]);
        }
    }

    /// @inheritdoc IReceivableLedger
    function childId(bytes32 parentId, uint256 index) external pure returns (bytes32) {
        return _childId(parentId, index);
    }

    /// @inheritdoc IReceivableLedger
    function nonces(address signer) public view override(IReceivableLedger, Nonces) returns (uint256) {
        return super.nonces(signer);
    }

    /// @inheritdoc IReceivableLedger
    function hashSplit(Split calldata split_) external view returns (bytes32) {
        return _hashSplit(split_);
    }

    /// @inheritdoc IReceivableLedger
    function hashFinance(Finance calldata terms) external view returns (bytes32) {
        return _hashFinance(terms);
    }

    /// @inheritdoc IReceivableLedger
    function hashSettle(Settle calldata settlement) external view returns (bytes32) {
        return _hashSettle(settlement);
    }

    /// @inheritdoc IReceivableLedger
    function hashMarkDefault(MarkDefault calldata mark) external view returns (bytes32) {
        return _hashMarkDefault(mark);
    }

    /// @notice The EIP-712 domain separator ("SCF Ledger", "1", chainId, this contract).
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    // ─────────────────────────────────────────────────────────────── internal

    /// @dev The one place a receivable enters storage, root or child.
    function _create(
        bytes32 receivableId,
        Lineage memory lineage,
        address holder,
        uint128 amount,
        uint8 tier,
        ReceivableStatus status
    ) private {
        Record storage record = _records[receivableId];
        record.holder = holder;
        record.dueAt = lineage.dueAt;
        record.tier = tier;
        record.status = status;
        record.amount = amount;
        if (lineage.rootId != receivableId) record.rootId = lineage.rootId;
        emit ReceivableCreated(
            receivableId,
            lineage.rootId,
            holder,
            lineage.parentId,
            lineage.obligor,
            amount,
            lineage.dueAt,
            tier,
            status
        );
    }

    /// @dev PENDING -> CONFIRMED.
    function _confirm(bytes32 receivableId, Record storage record, address obligor) private {
        record.status = ReceivableStatus.Confirmed;
        emit ReceivableConfirmed(receivableId, obligor);
    }

    /// @dev PENDING -> REJECTED.
    function _reject(bytes32 receivableId, Record storage record, address obligor, bytes32 reason) private {
        record.status = ReceivableStatus.Rejected;
        emit ReceivableRejected(receivableId, obligor, reason);
    }

    /// @dev CONFIRMED -> SPLIT, and a CONFIRMED child per part. Checks each part as it goes (a
    /// failure reverts everything); the parts' total is checked once they are all counted.
    function _split(bytes32 parentId, Record storage parent, address holder, Split calldata split_)
        private
        returns (bytes32[] memory childIds)
    {
        parent.status = ReceivableStatus.Split;
        emit ReceivableSplit(parentId, holder, split_.to.length, split_.nonce);

        bytes32 rootId = _rootOf(parentId, parent);
        Lineage memory lineage =
            Lineage({parentId: parentId, rootId: rootId, obligor: _obligors[rootId], dueAt: parent.dueAt});
        uint8 tier = parent.tier;
        uint256 total = 0;
        childIds = new bytes32[](split_.to.length);
        for (uint256 i = 0; i < childIds.length; ++i) {
            uint128 amount = split_.amounts[i];
            total += amount;
            childIds[i] = _createChild(lineage, i, holder, tier, split_.to[i], amount);
        }
        if (total != parent.amount) revert ReceivableLedgerSplitAmountMismatch(parentId, total, parent.amount);
    }

    /// @dev Part `index` of a split: a CONFIRMED child for `to`, one tier down unless the holder
    /// keeps it.
    function _createChild(
        Lineage memory lineage,
        uint256 index,
        address holder,
        uint8 parentTier,
        address to,
        uint128 amount
    ) private returns (bytes32 id) {
        if (amount == 0) revert ReceivableLedgerZeroAmount();
        _checkFirm(to, Roles.TRADER);
        uint8 tier = parentTier;
        if (to != holder) {
            if (tier == type(uint8).max) revert ReceivableLedgerTierTooDeep(lineage.parentId, tier);
            ++tier;
        }
        id = _childId(lineage.parentId, index);
        _create(id, lineage, to, amount, tier, ReceivableStatus.Confirmed);
    }

    /// @dev CONFIRMED -> FINANCED: the bank becomes the holder.
    function _finance(Record storage record, Finance calldata terms) private {
        address previousHolder = record.holder;
        record.holder = terms.bank;
        record.status = ReceivableStatus.Financed;
        record.financed = true;
        emit ReceivableFinanced(
            terms.receivableId, previousHolder, terms.bank, record.amount, terms.advance, terms.rateBps, terms.nonce
        );
    }

    /// @dev CONFIRMED | FINANCED -> SETTLED, late by the days (rounded up) `paidAt` is after `dueAt`.
    function _settle(bytes32 receivableId, Record storage record, address holder, Settle calldata settlement)
        private
    {
        uint64 dueAt = record.dueAt;
        uint64 paidAt = settlement.paidAt;
        // paidAt is at most the block's time plus the skew, so the days fit 32 bits for ages.
        uint32 lateDays = paidAt > dueAt ? uint32(Math.ceilDiv(paidAt - dueAt, 1 days)) : 0;
        record.status = ReceivableStatus.Settled;
        record.paidAt = paidAt;
        record.lateDays = lateDays;
        emit ReceivableSettled(
            receivableId,
            holder,
            _obligors[_rootOf(receivableId, record)],
            settlement.amount,
            dueAt,
            paidAt,
            lateDays,
            settlement.payRef
        );
    }

    /// @dev CONFIRMED | FINANCED -> DEFAULTED.
    function _markDefault(bytes32 receivableId, Record storage record, address holder, uint256 nonce) private {
        record.status = ReceivableStatus.Defaulted;
        emit ReceivableDefaulted(
            receivableId,
            holder,
            _obligors[_rootOf(receivableId, record)],
            record.amount,
            record.dueAt,
            uint64(block.timestamp),
            nonce
        );
    }

    function _setGracePeriod(uint64 gracePeriod_) private {
        if (gracePeriod_ > MAX_GRACE_PERIOD) revert ReceivableLedgerInvalidGracePeriod(gracePeriod_);
        uint64 previous = _gracePeriod;
        _gracePeriod = gracePeriod_;
        emit GracePeriodSet(previous, gracePeriod_);
    }

    /// @dev The receivable's status from its trade's: verified is CONFIRMED, proposed is PENDING.
    function _issuedStatus(bytes32 tradeId, ITradeLedger.Trade calldata invoice)
        private
        view
        returns (ReceivableStatus)
    {
        ITradeLedger.TradeStatus tradeStatus = trades.statusOf(invoice);
        if (tradeStatus == ITradeLedger.TradeStatus.Verified) return ReceivableStatus.Confirmed;
        if (tradeStatus == ITradeLedger.TradeStatus.Proposed) return ReceivableStatus.Pending;
        if (tradeStatus == ITradeLedger.TradeStatus.None) {
            (bytes32 recorded,) = trades.tradeOfDocument(invoice.docHash);
            if (recorded != bytes32(0)) revert ReceivableLedgerDuplicateDocument(invoice.docHash, recorded);
        }
        revert ReceivableLedgerInvalidTradeStatus(tradeId, tradeStatus);
    }

    /// @dev Everything about a financing but the nonce and the signatures; returns the holder.
    function _checkFinanceTerms(Record storage record, Finance calldata terms) private view returns (address holder) {
        bytes32 receivableId = terms.receivableId;
        if (record.financed) revert ReceivableLedgerAlreadyFinanced(receivableId);
        _checkStatus(receivableId, record.status, ReceivableStatus.Confirmed);
        if (terms.advance == 0) revert ReceivableLedgerZeroAmount();
        uint128 amount = record.amount;
        if (terms.advance > amount) revert ReceivableLedgerAdvanceExceedsAmount(receivableId, terms.advance, amount);
        if (block.timestamp > terms.deadline) {
            revert ReceivableLedgerExpiredSignature(terms.deadline, uint64(block.timestamp));
        }
        holder = record.holder;
        if (terms.bank == holder) revert ReceivableLedgerSelfFinance(receivableId, holder);
        _checkActive(holder);
        _checkFirm(terms.bank, Roles.BANK);
    }

    /// @dev {Nonces-_useCheckedNonce}, refusing with this ledger's error.
    function _useCheckedNonce(address signer, uint256 nonce) internal override {
        uint256 expected = _useNonce(signer);
        if (nonce != expected) revert ReceivableLedgerInvalidNonce(signer, nonce, expected);
    }

    function _existing(bytes32 receivableId) private view returns (Record storage record) {
        record = _records[receivableId];
        if (record.status == ReceivableStatus.None) revert ReceivableLedgerUnknownReceivable(receivableId);
    }

    function _checkStatus(bytes32 receivableId, ReceivableStatus actual, ReceivableStatus expected) private pure {
        if (actual != expected) revert ReceivableLedgerInvalidStatus(receivableId, actual);
    }

    /// @dev Confirmed by its obligor and not yet settled, defaulted, split or rejected.
    function _checkOutstanding(bytes32 receivableId, ReceivableStatus actual) private pure {
        if (actual != ReceivableStatus.Confirmed && actual != ReceivableStatus.Financed) {
            revert ReceivableLedgerInvalidStatus(receivableId, actual);
        }
    }

    /// @dev The one registry lookup of a firm's standing: its roles, once it is known to be active.
    function _activeRoles(address firm) private view returns (uint8 roles) {
        IFirmRegistry.FirmStatus status;
        (status, roles) = registry.standing(firm);
        if (status != IFirmRegistry.FirmStatus.Active) revert ReceivableLedgerInactiveFirm(firm);
    }

    function _checkActive(address firm) private view {
        _activeRoles(firm);
    }

    function _checkFirm(address firm, uint8 anyOfRoles) private view {
        if (_activeRoles(firm) & anyOfRoles == 0) revert ReceivableLedgerUnauthorizedRole(firm, anyOfRoles);
    }

    /// @dev The holder's signature; a refused one made by another registered firm is reported as
    /// {ReceivableLedgerNotHolder}, any other as {ReceivableLedgerInvalidSignature}.
    function _checkHolderSignature(bytes32 receivableId, address holder, bytes32 digest, bytes calldata signature)
        private
        view
    {
        if (SignatureVerifier.isValidCalldata(holder, digest, signature)) return;
        address signer = _registeredSigner(digest, signature);
        if (signer != address(0)) revert ReceivableLedgerNotHolder(receivableId, signer, holder);
        revert ReceivableLedgerInvalidSignature(holder);
    }

    /// @dev Re-raises the trade ledger's refusal of an obligor's answer; a refused signature made
    /// by another registered firm is reported as {ReceivableLedgerNotObligor}.
    function _revertAnswer(
        bytes32 receivableId,
        address obligor,
        bytes32 digest,
        bytes calldata signature,
        bytes memory failure
    ) private view {
        if (bytes4(failure) == ITradeLedger.TradeLedgerInvalidSignature.selector) {
            address signer = _registeredSigner(digest, signature);
            if (signer != address(0)) revert ReceivableLedgerNotObligor(receivableId, signer, obligor);
        }
        LowLevelCall.bubbleRevert(failure);
    }

    /// @dev The registered firm whose key made `signature` over `digest`, or zero. Only called once
    /// a signature was refused, to tell "signed by the wrong firm" from "not a valid signature".
    function _registeredSigner(bytes32 digest, bytes calldata signature) private view returns (address) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError) return address(0);
        (IFirmRegistry.FirmStatus status,) = registry.standing(recovered);
        return status == IFirmRegistry.FirmStatus.None ? address(0) : recovered;
    }

    function _view(bytes32 receivableId) private view returns (Receivable memory) {
        Record storage record = _records[receivableId];
        bytes32 rootId = record.status == ReceivableStatus.None ? bytes32(0) : _rootOf(receivableId, record);
        return Receivable({
            holder: record.holder,
            obligor: _obligors[rootId],
            amount: record.amount,
            dueAt: record.dueAt,
            rootId: rootId,
            tier: record.tier,
            status: record.status,
            financed: record.financed,
            paidAt: record.paidAt,
            lateDays: record.lateDays
        });
    }

    function _rootOf(bytes32 receivableId, Record storage record) private view returns (bytes32) {
        bytes32 rootId = record.rootId;
        return rootId == bytes32(0) ? receivableId : rootId;
    }

    function _childId(bytes32 parentId, uint256 index) private pure returns (bytes32) {
        return keccak256(abi.encode(parentId, index));
    }

    function _hashSplit(Split calldata split_) private view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    SPLIT_TYPEHASH,
                    split_.receivableId,
                    keccak256(abi.encodePacked(split_.to)),
                    keccak256(abi.encodePacked(split_.amounts)),
                    split_.nonce
                )
            )
        );
    }

    function _hashFinance(Finance calldata terms) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(FINANCE_TYPEHASH, terms)));
    }

    function _hashSettle(Settle calldata settlement) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(SETTLE_TYPEHASH, settlement)));
    }

    function _hashMarkDefault(MarkDefault calldata mark) private view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(MARK_DEFAULT_TYPEHASH, mark)));
    }
}
