// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title Roles
/// @notice The role bits of {IFirmRegistry}; a firm may hold several.
library Roles {
    uint8 internal constant SUPPLIER = 1;
    uint8 internal constant CORE = 2;
    uint8 internal constant BANK = 4;
    uint8 internal constant ORACLE = 8;
    uint8 internal constant ALL = SUPPLIER | CORE | BANK | ORACLE;
    /// @dev Firms that buy and sell goods: the parties of a trade.
    uint8 internal constant TRADER = SUPPLIER | CORE;
}
