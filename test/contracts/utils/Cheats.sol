// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @dev The few Foundry cheatcodes our Solidity tests use, which Hardhat's EDR test
 * runner implements. Declared here because the npm "forge-std" package is an old,
 * unofficial copy that does not compile with current tooling.
 */
interface Vm {
    function prank(address sender) external;
    function expectRevert(bytes calldata revertData) external;
    function assume(bool condition) external pure;
}

abstract contract CheatsTest {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function assertTrue(bool condition, string memory message) internal pure {
        require(condition, message);
    }
}
