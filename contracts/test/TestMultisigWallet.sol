// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title TestMultisigWallet
/// @notice A minimal m-of-n ERC-1271 wallet for tests: a core enterprise's maker-checker approval.
/// A signature is the concatenation of 65-byte owner signatures over the digest, owners in
/// ascending address order (so one owner cannot count twice). Test tooling only; not deployed.
contract TestMultisigWallet is IERC1271 {
    bytes4 private constant _MAGIC_VALUE = IERC1271.isValidSignature.selector;
    uint256 private constant _SIGNATURE_LENGTH = 65;

    mapping(address owner => bool) private _isOwner;
    uint256 public immutable threshold;

    constructor(address[] memory owners, uint256 threshold_) {
        for (uint256 i = 0; i < owners.length; ++i) {
            _isOwner[owners[i]] = true;
        }
        threshold = threshold_;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != threshold * _SIGNATURE_LENGTH) return bytes4(0);
        address previous = address(0);
        for (uint256 i = 0; i < threshold; ++i) {
            bytes calldata part = signature[i * _SIGNATURE_LENGTH:(i + 1) * _SIGNATURE_LENGTH];
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, part);
            if (err != ECDSA.RecoverError.NoError || !_isOwner[signer] || signer <= previous) return bytes4(0);
            previous = signer;
        }
        return _MAGIC_VALUE;
    }
}
