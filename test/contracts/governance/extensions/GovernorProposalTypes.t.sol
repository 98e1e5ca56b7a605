// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {MeshGovernor} from "../../../../contracts/governance/MeshGovernor.sol";
import {MeshToken} from "../../../../contracts/governance/MeshToken.sol";
import {GovernorProposalTypes} from "../../../../contracts/governance/extensions/GovernorProposalTypes.sol";
import {KnowledgeRegistry} from "../../../../contracts/knowledge/KnowledgeRegistry.sol";
import {IKnowledgeRegistry} from "../../../../contracts/knowledge/IKnowledgeRegistry.sol";
import {IMeshPolicy} from "../../../../contracts/policy/IMeshPolicy.sol";
import {CheatsTest} from "../../utils/Cheats.sol";

/**
 * @dev Fuzz tests of the proposal type: any mix of calls is Routine iff every call is
 * a knowledge write (recordEpoch, record, recordBatch) to the bound registry with value 0,
 * and `propose` stores exactly what {actionsType} says. This contract deploys the DAO,
 * so it is the governor's binder.
 */
contract GovernorProposalTypesFuzzTest is CheatsTest {
    MeshGovernor private governor;
    KnowledgeRegistry private registry;
    address private policy = address(0x9011C7);

    /// @dev Everything a call can be: the three knowledge writes, then what is never routine.
    bytes4[8] private selectors = [
        IKnowledgeRegistry.recordEpoch.selector,
        IKnowledgeRegistry.record.selector,
        IKnowledgeRegistry.recordBatch.selector,
        IKnowledgeRegistry.revoke.selector,
        IKnowledgeRegistry.supersede.selector,
        IKnowledgeRegistry.promoteRecord.selector,
        IMeshPolicy.setParameter.selector,
        IMeshPolicy.banNode.selector
    ];

    function setUp() public {
        MeshToken token = new MeshToken(address(this), 1_000_000 ether);
        TimelockController timelock = new TimelockController(30, new address[](0), new address[](0), address(this));
        governor = new MeshGovernor(token, timelock, 1, 120, 0, 10, 30, 600, 1000);
        registry = new KnowledgeRegistry(address(timelock), governor);
        governor.bindKnowledgeRegistry(address(registry));
    }

    /// @dev Any mix of up to four calls: a hash of `seed` and the index chooses each call's
    /// target, selector, value and calldata shape.
    function testFuzz_routineIffEveryCallIsAKnowledgeWrite(uint8 length, uint256 seed) public {
        uint256 count = uint256(length) % 5;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _actions(count);
        bool routine = count > 0;
        for (uint256 i = 0; i < count; ++i) {
            routine = _pick(uint256(keccak256(abi.encode(seed, i))), i, targets, values, calldatas) && routine;
        }
        _check(targets, values, calldatas, routine);
    }

    /// @dev Mostly-routine mixes: every call a knowledge write, then maybe one spoiled in one way.
    function testFuzz_oneNonKnowledgeCallMakesAFullVote(uint8 length, uint256 seed, uint8 spoilAt, uint8 how) public {
        uint256 count = uint256(length) % 8 + 1;
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _actions(count);
        for (uint256 i = 0; i < count; ++i) {
            targets[i] = address(registry);
            calldatas[i] = abi.encodePacked(selectors[uint256(keccak256(abi.encode(seed, i))) % 3], seed);
        }
        bool routine = true;
        if (how % 6 != 0) {
            uint256 at = spoilAt % count;
            routine = false;
            if (how % 6 == 1) targets[at] = policy;
            else if (how % 6 == 2) values[at] = seed | 1;
            else if (how % 6 == 3) calldatas[at] = "";
            else if (how % 6 == 4) calldatas[at] = abi.encodePacked(selectors[3 + (seed % 5)], seed);
            else calldatas[at] = abi.encodePacked(bytes3(selectors[seed % 3])); // a selector cut short
        }
        _check(targets, values, calldatas, routine);
    }

    /// @dev Arbitrary bytes as calldata: routine exactly when they start with a knowledge write's selector.
    function testFuzz_arbitraryCalldata(bytes calldata data) public {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _actions(1);
        targets[0] = address(registry);
        calldatas[0] = data;
        bytes4 selector = data.length >= 4 ? bytes4(data[:4]) : bytes4(0);
        bool routine = data.length >= 4 &&
            (selector == selectors[0] || selector == selectors[1] || selector == selectors[2]);
        _check(targets, values, calldatas, routine);
    }

    function test_mismatchedOrEmptyActionsAreNeverRoutine() public view {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) = _actions(2);
        for (uint256 i = 0; i < 2; ++i) {
            targets[i] = address(registry);
            calldatas[i] = abi.encodePacked(selectors[1]);
        }
        assertTrue(governor.actionsType(targets, values, calldatas) == GovernorProposalTypes.ProposalType.Routine, "control");
        assertTrue(
            governor.actionsType(targets, new uint256[](1), calldatas) == GovernorProposalTypes.ProposalType.FullVote,
            "values length"
        );
        assertTrue(
            governor.actionsType(targets, values, new bytes[](3)) == GovernorProposalTypes.ProposalType.FullVote,
            "calldatas length"
        );
        assertTrue(
            governor.actionsType(new address[](0), new uint256[](0), new bytes[](0)) ==
                GovernorProposalTypes.ProposalType.FullVote,
            "no actions"
        );
    }

    function _actions(
        uint256 count
    ) private pure returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas) {
        targets = new address[](count);
        values = new uint256[](count);
        calldatas = new bytes[](count);
    }

    /// @return routine whether the call picked is a knowledge write to the registry with value 0.
    function _pick(
        uint256 pick,
        uint256 i,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas
    ) private view returns (bool routine) {
        // mostly the registry, mostly value 0, half the calls a knowledge write, so
        // that all-routine mixes are common and one odd call decides
        uint256 target = pick % 8;
        targets[i] = target < 6 ? address(registry) : target == 6 ? policy : address(uint160(pick >> 96));
        values[i] = (pick >> 3) % 8 == 0 ? (pick >> 128) | 1 : 0;
        uint256 shape = (pick >> 6) % 16;
        bytes4 selector = shape < 8 ? selectors[shape % 3] : shape < 13 ? selectors[shape - 5] : bytes4(uint32(pick >> 32));
        if (shape == 15) calldatas[i] = "";
        else if (shape == 14) calldatas[i] = abi.encodePacked(bytes2(selector));
        else calldatas[i] = abi.encodePacked(selector, pick);
        bool knowledgeWrite = calldatas[i].length >= 4 &&
            (selector == selectors[0] || selector == selectors[1] || selector == selectors[2]);
        return targets[i] == address(registry) && values[i] == 0 && knowledgeWrite;
    }

    /// @dev The view and the type `propose` stores both agree with the expectation.
    function _check(address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bool routine) private {
        GovernorProposalTypes.ProposalType expected = routine
            ? GovernorProposalTypes.ProposalType.Routine
            : GovernorProposalTypes.ProposalType.FullVote;
        assertTrue(governor.actionsType(targets, values, calldatas) == expected, "actionsType");
        if (targets.length == 0) return;
        uint256 proposalId = governor.propose(targets, values, calldatas, "fuzz");
        assertTrue(governor.proposalType(proposalId) == expected, "stored type");
    }
}
