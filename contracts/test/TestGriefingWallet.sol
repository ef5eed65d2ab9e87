// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title TestGriefingWallet
/// @notice A hostile ERC-1271 wallet for tests: it approves its owner's signatures, but writes state
/// while doing so. A plain `eth_call` lets it (so a naive off-chain check passes); inside the
/// contracts' STATICCALL the write halts the frame and burns every unit of gas it was given.
/// Test tooling only; not deployed.
contract TestGriefingWallet {
    address private immutable _owner;
    uint256 public checks;

    constructor(address owner) {
        _owner = owner;
    }

    /// @notice ERC-1271's `isValidSignature`, but not `view`.
    function isValidSignature(bytes32 hash, bytes calldata signature) external returns (bytes4) {
        ++checks;
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        return err == ECDSA.RecoverError.NoError && signer == _owner ? bytes4(0x1626ba7e) : bytes4(0);
    }
}
