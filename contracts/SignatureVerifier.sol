// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

/// @title SignatureVerifier
/// @notice How every ledger contract checks a firm's signature: an EOA's ECDSA signature, else an
/// ERC-1271 wallet's approval (a multisig giving a core enterprise maker-checker approval).
library SignatureVerifier {
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
        return SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature);
    }
}
