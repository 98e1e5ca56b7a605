// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {KnowledgeRegistry} from "../../../contracts/knowledge/KnowledgeRegistry.sol";
import {IKnowledgeRegistry} from "../../../contracts/knowledge/IKnowledgeRegistry.sol";
import {ExecutingProposalMock} from "../../../contracts/mocks/ExecutingProposalMock.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {CheatsTest} from "../utils/Cheats.sol";

/// @dev Fuzz tests; this contract is the registry's governance.
contract KnowledgeRegistryFuzzTest is CheatsTest {
    KnowledgeRegistry private registry;

    function setUp() public {
        ExecutingProposalMock governor = new ExecutingProposalMock();
        governor.setExecutingProposalId(42);
        registry = new KnowledgeRegistry(address(this), governor);
    }

    /// @dev Every CIDv1 shape the registry accepts comes back byte-for-byte.
    function testFuzz_cidRoundTrip(bytes32 digest, uint8 shape, uint16 schemaVersion, uint32 round, uint8 kind) public {
        bytes[4] memory prefixes = [
            bytes(hex"01551220"), // raw, sha2-256
            bytes(hex"01701220"), // dag-pb, sha2-256
            bytes(hex"01a9021220"), // dag-json, sha2-256
            bytes(hex"01551e20") // raw, blake3
        ];
        bytes memory cid = abi.encodePacked(prefixes[shape % 4], digest);
        uint48 id = registry.record(
            IKnowledgeRegistry.RecordInput({kind: kind % 5, schemaVersion: schemaVersion, ref: 0, round: round, cid: cid})
        );
        IKnowledgeRegistry.Record memory stored = registry.getRecord(id);
        assertTrue(keccak256(stored.cid) == keccak256(cid), "cid round trip");
        assertTrue(stored.schemaVersion == schemaVersion && stored.round == round, "fields round trip");
        assertTrue(stored.proposalId == 42, "ratifying proposal");
    }

    /// @dev Bytes that do not start like a CIDv1 are refused with their own error.
    function testFuzz_rejectsNonCid(bytes calldata junk) public {
        vm.assume(junk.length > 0 && junk[0] != 0x01);
        vm.expectRevert(abi.encodeWithSelector(IKnowledgeRegistry.RegistryMalformedCid.selector, junk));
        registry.record(IKnowledgeRegistry.RecordInput({kind: 0, schemaVersion: 1, ref: 0, round: 0, cid: junk}));
    }

    function testFuzz_rejectsUnknownKind(uint8 kind) public {
        vm.assume(kind >= 5);
        vm.expectRevert(abi.encodeWithSelector(IKnowledgeRegistry.RegistryUnknownKind.selector, kind));
        registry.record(
            IKnowledgeRegistry.RecordInput({kind: kind, schemaVersion: 1, ref: 0, round: 0, cid: abi.encodePacked(hex"01551220", bytes32(0))})
        );
    }

    function testFuzz_rejectsStrangers(address caller) public {
        vm.assume(caller != address(this));
        vm.prank(caller);
        vm.expectRevert(abi.encodeWithSelector(IKnowledgeRegistry.RegistryUnauthorized.selector, caller));
        registry.record(
            IKnowledgeRegistry.RecordInput({kind: 0, schemaVersion: 1, ref: 0, round: 0, cid: abi.encodePacked(hex"01551220", bytes32(0))})
        );
    }
}

/// @dev Epoch proofs for any record: a two-leaf tree built as StandardMerkleTree builds it.
contract KnowledgeEpochFuzzTest is CheatsTest {
    KnowledgeRegistry private registry;

    function setUp() public {
        ExecutingProposalMock governor = new ExecutingProposalMock();
        governor.setExecutingProposalId(42);
        registry = new KnowledgeRegistry(address(this), governor);
    }

    function testFuzz_onlyTheRatifiedRecordVerifies(
        IKnowledgeRegistry.RecordLeaf memory leaf,
        bytes32 sibling,
        uint8 field,
        uint256 change
    ) public {
        leaf.epoch = leaf.epoch == 0 ? 1 : leaf.epoch;
        bytes32 hash = keccak256(
            bytes.concat(keccak256(abi.encode(leaf.epoch, leaf.kind, leaf.schemaVersion, leaf.round, leaf.cid, leaf.refCid)))
        );
        assertTrue(registry.leafHash(leaf) == hash, "StandardMerkleTree leaf hash");
        registry.recordEpoch(leaf.epoch, Hashes.commutativeKeccak256(hash, sibling), abi.encodePacked(hex"01551220", sibling), [uint32(1), 0, 0, 0, 0]);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = sibling;
        assertTrue(registry.verifyRecord(leaf, proof), "the ratified record verifies");
        assertTrue(registry.isRatified(leaf.epoch, hash, proof), "its leaf hash verifies");

        // one field changed, whatever the change
        change = change == 0 ? 1 : change;
        field %= 6;
        if (field == 0) leaf.epoch = leaf.epoch == type(uint64).max ? leaf.epoch - 1 : leaf.epoch + 1; // an epoch without a root
        else if (field == 1) leaf.kind ^= uint8(change | 1);
        else if (field == 2) leaf.schemaVersion ^= uint16(change | 1);
        else if (field == 3) leaf.round ^= uint32(change | 1);
        else if (field == 4) leaf.cid = abi.encodePacked(leaf.cid, bytes1(uint8(change)));
        else leaf.refCid = leaf.refCid.length > 0 ? new bytes(0) : abi.encodePacked(change);
        assertTrue(!registry.verifyRecord(leaf, proof), "a changed record does not verify");
    }
}

/// @dev Drives the registry as governance (and as a stranger) with random calls.
contract RegistryHandler {
    KnowledgeRegistry public immutable registry;
    Stranger public immutable stranger;
    uint256[5] public written;
    uint48[] public revoked;
    uint48[] private _live;
    bool public strangerSucceeded;

    constructor() {
        ExecutingProposalMock governor = new ExecutingProposalMock();
        governor.setExecutingProposalId(7);
        registry = new KnowledgeRegistry(address(this), governor);
        stranger = new Stranger(registry);
    }

    function record(uint8 kind, bytes32 digest, bool linkToPrevious) external {
        kind %= 5;
        uint48 ref = linkToPrevious && _live.length > 0 ? _live[_live.length - 1] : 0;
        uint48 id = registry.record(
            IKnowledgeRegistry.RecordInput({kind: kind, schemaVersion: 1, ref: ref, round: 1, cid: abi.encodePacked(hex"01551220", digest)})
        );
        ++written[kind];
        _live.push(id);
    }

    function revoke(uint256 seed) external {
        if (_live.length == 0) return;
        uint256 index = seed % _live.length;
        uint48 id = _live[index];
        registry.revoke(id);
        revoked.push(id);
        _live[index] = _live[_live.length - 1];
        _live.pop();
    }

    function strangerWrites(bytes32 digest, uint256 seed) external {
        if (stranger.tryWrite(digest, _live.length > 0 ? _live[seed % _live.length] : 0)) strangerSucceeded = true;
    }

    function revokedCount() external view returns (uint256) {
        return revoked.length;
    }
}

contract Stranger {
    KnowledgeRegistry private immutable _registry;

    constructor(KnowledgeRegistry registry) {
        _registry = registry;
    }

    function tryWrite(bytes32 digest, uint48 id) external returns (bool succeeded) {
        try _registry.record(
            IKnowledgeRegistry.RecordInput({kind: 0, schemaVersion: 1, ref: 0, round: 1, cid: abi.encodePacked(hex"01551220", digest)})
        ) {
            succeeded = true;
        } catch {}
        if (id != 0) {
            try _registry.revoke(id) {
                succeeded = true;
            } catch {}
        }
    }
}

/// @dev Invariants: records only accumulate, revocation is final, strangers change nothing.
contract KnowledgeRegistryInvariantTest is CheatsTest {
    RegistryHandler private handler;

    function setUp() public {
        handler = new RegistryHandler();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_recordsOnlyAccumulate() public view {
        KnowledgeRegistry registry = handler.registry();
        for (uint8 kind = 0; kind < 5; ++kind) {
            assertTrue(registry.recordCount(IKnowledgeRegistry.Kind(kind)) == handler.written(kind), "count matches writes");
        }
    }

    function invariant_revokedStaysRevoked() public view {
        KnowledgeRegistry registry = handler.registry();
        uint256 count = handler.revokedCount();
        for (uint256 i = 0; i < count; ++i) {
            assertTrue(registry.getRecord(handler.revoked(i)).revokedAt != 0, "revoked stays revoked");
        }
    }

    function invariant_strangersChangeNothing() public view {
        assertTrue(!handler.strangerSucceeded(), "only governance writes");
    }
}
