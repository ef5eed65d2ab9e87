// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title TestGasBurnerWallet
/// @notice An ERC-1271 wallet that burns all the gas it is given: `isValidSignature` writes
/// storage in a loop (under the static call signature checkers make, the first write already
/// halts and consumes the call's gas). One of its trades sinks a whole `recordTrades` batch by
/// leaving too little gas for the other items. Test tooling only; not deployed.
contract TestGasBurnerWallet {
    mapping(uint256 slot => uint256) private _sink;

    /// @notice The ERC-1271 entry point (selector 0x1626ba7e); never returns normally.
    function isValidSignature(bytes32 hash, bytes calldata) external returns (bytes4) {
        for (uint256 i = 0; gasleft() > 0; ++i) {
            _sink[i] = uint256(hash);
        }
        return this.isValidSignature.selector;
    }
}
