// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {MeshGovernor} from "../../../../contracts/governance/MeshGovernor.sol";
import {MeshToken} from "../../../../contracts/governance/MeshToken.sol";
import {CheatsTest} from "../../utils/Cheats.sol";

/// @dev Whatever a proposal holds comes back from the code it is stored in, byte for byte.
contract GovernorCodeStorageFuzzTest is CheatsTest {
    MeshGovernor private governor;

    function setUp() public {
        MeshToken token = new MeshToken(address(this), 1_000_000 ether);
        TimelockController timelock = new TimelockController(30, new address[](0), new address[](0), address(this));
        governor = new MeshGovernor(token, timelock, 1, 120, 0, 10, 30, 600, 1000);
    }

    /// @param raw arbitrary calldata for one of the actions (any length, 0 included).
    function testFuzz_detailsRoundTrip(uint8 length, uint256 seed, bytes calldata raw, string calldata description) public {
        uint256 count = uint256(length) % 6 + 1;
        address[] memory targets = new address[](count);
        uint256[] memory values = new uint256[](count);
        bytes[] memory calldatas = new bytes[](count);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 word = keccak256(abi.encode(seed, i));
            targets[i] = address(uint160(uint256(word)));
            values[i] = uint256(word) % 3 == 0 ? 0 : uint256(keccak256(abi.encode(word)));
            calldatas[i] = i == seed % count ? raw : _bytes(word, uint256(word >> 64) % 300);
        }
        uint256 proposalId = governor.propose(targets, values, calldatas, description);

        (address[] memory t, uint256[] memory v, bytes[] memory c, bytes32 descriptionHash) = governor.proposalDetails(proposalId);
        assertTrue(t.length == count && v.length == count && c.length == count, "lengths");
        for (uint256 i = 0; i < count; ++i) {
            assertTrue(t[i] == targets[i], "target");
            assertTrue(v[i] == values[i], "value");
            assertTrue(keccak256(c[i]) == keccak256(calldatas[i]), "calldata");
        }
        assertTrue(descriptionHash == keccak256(bytes(description)), "description hash");
        assertTrue(governor.proposalCount() == 1, "count");
        (uint256 id, , , bytes[] memory again, ) = governor.proposalDetailsAt(0);
        assertTrue(id == proposalId && keccak256(abi.encode(again)) == keccak256(abi.encode(calldatas)), "by index");
        assertTrue(governor.hashProposal(t, v, c, descriptionHash) == proposalId, "hashes back to the proposal");
    }

    function _bytes(bytes32 word, uint256 length) private pure returns (bytes memory data) {
        data = new bytes(length);
        for (uint256 i = 0; i < length; ++i) data[i] = word[i % 32];
    }
}
