// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MeshPolicy} from "../../../contracts/policy/MeshPolicy.sol";
import {IMeshPolicy} from "../../../contracts/policy/IMeshPolicy.sol";
import {CheatsTest} from "../utils/Cheats.sol";

contract MeshPolicyFuzzTest is CheatsTest {
    MeshPolicy private policy;

    function setUp() public {
        policy = new MeshPolicy(address(this), new bytes32[](0), new uint256[](0), new uint256[](0), new uint256[](0));
    }

    /// @dev A value is stored if and only if it lies within the parameter's bounds.
    function testFuzz_boundsAreEnforced(uint128 min, uint128 max, uint256 value) public {
        vm.assume(min <= max);
        bytes32 name = "fuzzed";
        policy.defineParameter(name, min, max, min);
        if (value < min || value > max) {
            vm.expectRevert(abi.encodeWithSelector(IMeshPolicy.PolicyValueOutOfBounds.selector, name, value, min, max));
            policy.setParameter(name, value);
            assertTrue(policy.getParameter(name) == min, "unchanged");
        } else {
            policy.setParameter(name, value);
            assertTrue(policy.getParameter(name) == value, "stored");
        }
    }

    function testFuzz_onlyGovernanceBans(address caller, address node) public {
        vm.assume(caller != address(this));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IMeshPolicy.PolicyUnauthorized.selector, caller));
        policy.banNode(node);
    }
}
