// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title TradeEventEmitter
/// @notice Bench tooling only (bench/indexer.py): emits {ITradeLedger-TradeRecorded}-shaped events
/// in bulk, so the indexer's throughput can be measured on a million events without signing a
/// million trades. Never deployed as part of the ledger.
contract TradeEventEmitter {
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

    /// @notice Emits `count` distinct trades among `firms` firms, numbered from `first`.
    function emitTrades(uint256 first, uint256 count, address[] calldata firms) external {
        uint64 issuedAt = uint64(block.timestamp) - 30 days;
        for (uint256 i = first; i < first + count; ++i) {
            address seller = firms[i % firms.length];
            address buyer = firms[(i * 7 + 1) % firms.length];
            emit TradeRecorded(
                keccak256(abi.encode("trade", i)),
                seller,
                buyer,
                2,
                keccak256(abi.encode("document", i)),
                uint128(100_000 + (i % 9_000) * 100),
                156,
                issuedAt,
                issuedAt + 60 days,
                bytes32(0),
                keccak256(abi.encode("invoice", i))
            );
        }
    }
}
