// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title SignatureVerifier
/// @notice How every ledger contract checks a firm's signature: an EOA's ECDSA signature, else an
/// ERC-1271 wallet's approval (a multisig giving a core enterprise maker-checker approval).
library SignatureVerifier {
    /// @notice The gas an ERC-1271 wallet's `isValidSignature` may spend. OpenZeppelin's
    /// `SignatureChecker` forwards all the gas there is: a wallet that burns it (one that writes
    /// state inside the STATICCALL, say) would sink a whole `recordTrades` batch of other firms'
    /// trades. With a cap, such a wallet's item fails alone. 100,000 is ~10 times what an m-of-n
    /// multisig of a few owners spends (an ecrecover is 3,000 gas). The API simulates the check
    /// through the same code and the same cap, so an off-chain check and the chain agree.
    uint256 internal constant ERC1271_GAS_STIPEND = 100_000;

    /// @dev {SignatureChecker-isValidSignatureNowCalldata} semantics, with ECDSA tried first: for an
    /// EOA that saves a cold account access (2,600 gas) per signature (SignatureChecker asks for the
    /// signer's code size first), and a contract's address is never the recovered key of a signature.
    function isValidCalldata(address signer, bytes32 digest, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return isValidERC1271Calldata(signer, digest, signature);
    }

    /// @dev True when `signer` is a contract whose `isValidSignature(digest, signature)` returns the
    /// ERC-1271 magic value within {ERC1271_GAS_STIPEND} gas. A revert, running out of gas, a short
    /// or malformed answer: not valid. (What a wallet can return is bounded by the gas it has.)
    function isValidERC1271Calldata(address signer, bytes32 digest, bytes calldata signature)
        internal
        view
        returns (bool)
    {
        if (signer.code.length == 0) return false;
        (bool success, bytes memory answer) = signer.staticcall{gas: ERC1271_GAS_STIPEND}(
            abi.encodeCall(IERC1271.isValidSignature, (digest, signature))
        );
        return success && answer.length >= 32
            && abi.decode(answer, (bytes32)) == bytes32(IERC1271.isValidSignature.selector);
    }
}
