// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {IExecutingProposal} from "../governance/IExecutingProposal.sol";
import {IKnowledgeRegistry} from "./IKnowledgeRegistry.sol";

/**
 * @title KnowledgeRegistry
 * @notice See {IKnowledgeRegistry}. Written only by the DAO's timelock while a
 * {MeshGovernor} proposal executes; read by anyone.
 * @dev Storage is packed to two slots per record (digest + one metadata word); the
 * ratifying proposal id is stored once per proposal and referenced by index, and all
 * counters share one word. Bulky content stays on IPFS, and every field is repeated
 * in the {RecordAdded} event for indexers. An epoch takes three slots (root, manifest
 * digest, one word for the rest, counts included) whatever its number of records; a promoted
 * leaf takes one more slot beside its record, so it cannot be promoted twice.
 */
contract KnowledgeRegistry is IKnowledgeRegistry {
    uint256 private constant _KIND_COUNT = 5;
    uint256 private constant _SEQUENCE_BITS = 40;
    uint256 private constant _COUNT_MASK = (1 << 40) - 1;
    /// @dev Bit offset of the proposal counter in `_counters`, after the five kind counters.
    uint256 private constant _PROPOSALS_SHIFT = 200;
    /// @dev Bit offset of the last proposal's tag (its id's low 24 bits) in `_counters`.
    uint256 private constant _TAG_SHIFT = 232;
    uint256 private constant _DIGEST_LENGTH = 32;
    /// @dev version byte + codec varint + hash-function varint + digest-length byte.
    uint256 private constant _MAX_PREFIX_LENGTH = 6;
    uint256 private constant _MIN_PREFIX_LENGTH = 4;
    /// @dev The kind byte of a `ref` that names a record of the executing proposal by position.
    uint256 private constant _SAME_PROPOSAL = 0xff;

    /// @dev Two storage slots. `cidPrefix` holds the CID bytes before the digest,
    /// left-aligned; its length is recovered by parsing its varints.
    struct StoredRecord {
        bytes32 digest;
        bytes6 cidPrefix;
        uint16 schemaVersion;
        uint48 ref;
        uint32 round;
        uint40 recordedAt;
        uint40 revokedAt;
        /// @dev 1-based key into `_proposals`.
        uint32 proposalIndex;
    }

    /// @dev Three storage slots. The manifest CID is split like a record's.
    struct StoredEpoch {
        bytes32 root;
        bytes32 manifestDigest;
        bytes6 manifestPrefix;
        uint40 recordedAt;
        /// @dev 1-based key into `_proposals`: the ratifying proposal.
        uint32 proposalIndex;
        /// @dev Records per kind, 24 bits each in {Kind} order: a fourth slot saved per epoch
        /// (a static array would start a slot of its own).
        uint120 counts;
    }

    address private immutable _governance;
    IExecutingProposal private immutable _governor;

    mapping(uint48 id => StoredRecord) private _records;
    /// @dev One word: records written per kind (40 bits each; a kind's sequence numbers
    /// are 1..count), the number of proposals that wrote records (32 bits), and the low
    /// 24 bits of the last such proposal's id, which spares a storage read when a new
    /// proposal starts writing.
    uint256 private _counters;
    /// @dev The proposals that wrote or revoked records, by 1-based index.
    mapping(uint32 index => uint256 proposalId) private _proposals;
    mapping(uint64 epoch => StoredEpoch) private _epochs;
    uint256 private _epochCount;
    /// @dev The record each promoted leaf became.
    mapping(bytes32 leaf => uint48 id) private _promoted;

    /**
     * @param governance_ the executor allowed to write (the DAO's timelock).
     * @param governor the governor whose executing proposal is recorded as ratifier.
     */
    constructor(address governance_, IExecutingProposal governor) {
        _governance = governance_;
        _governor = governor;
    }

    /// @inheritdoc IKnowledgeRegistry
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IKnowledgeRegistry
    function record(RecordInput calldata input) external returns (uint48 id) {
        (uint256 proposalId, uint256 counters) = _checkWriter();
        (id, counters) = _write(input, input.ref, proposalId, counters);
        _counters = counters;
    }

    /// @inheritdoc IKnowledgeRegistry
    function recordBatch(RecordInput[] calldata inputs) external returns (uint48[] memory ids) {
        if (inputs.length == 0) revert RegistryEmptyBatch();
        (uint256 proposalId, uint256 counters) = _checkWriter();
        ids = new uint48[](inputs.length);
        for (uint256 i = 0; i < inputs.length; ++i) {
            (ids[i], counters) = _write(inputs[i], inputs[i].ref, proposalId, counters);
        }
        _counters = counters;
    }

    /// @inheritdoc IKnowledgeRegistry
    function revoke(uint48 id) external {
        (uint256 proposalId, uint256 counters) = _checkWriter();
        _counters = counters;
        _revoke(id, proposalId, 0);
    }

    /**
     * @inheritdoc IKnowledgeRegistry
     * @dev `replacement.ref` is ignored: the replacement always refers to `id`.
     */
    function supersede(uint48 id, RecordInput calldata replacement) external returns (uint48 newId) {
        (uint256 proposalId, uint256 counters) = _checkWriter();
        if (!exists(id)) revert RegistryUnknownRecord(id);
        if (replacement.kind != _kindOf(id)) revert RegistryKindMismatch(id, replacement.kind);
        (newId, counters) = _write(replacement, id, proposalId, counters);
        _counters = counters;
        _revoke(id, proposalId, newId);
    }

    /// @inheritdoc IKnowledgeRegistry
    function recordEpoch(uint64 epoch, bytes32 root, bytes calldata manifestCid, uint32[5] calldata counts) external {
        (uint256 proposalId, uint256 counters) = _checkWriter();
        if (epoch == 0) revert RegistryUnknownEpoch(epoch);
        if (root == 0) revert RegistryEmptyRoot();
        StoredEpoch storage stored = _epochs[epoch];
        if (stored.root != 0) revert RegistryEpochExists(epoch);
        (bytes6 prefix, bytes32 digest) = _parseCid(manifestCid);
        _counters = counters;
        _epochs[epoch] = StoredEpoch({
            root: root,
            manifestDigest: digest,
            manifestPrefix: prefix,
            recordedAt: uint40(block.timestamp),
            proposalIndex: uint32(counters >> _PROPOSALS_SHIFT),
            counts: _packCounts(counts)
        });
        ++_epochCount;
        emit EpochRecorded(epoch, proposalId, root, manifestCid, counts);
    }

    /// @inheritdoc IKnowledgeRegistry
    function promoteRecord(RecordLeaf calldata leaf, bytes32[] calldata proof) external returns (uint48 id) {
        bytes32 leafHash_ = _leafHash(leaf);
        StoredEpoch storage epoch = _epochs[leaf.epoch];
        bytes32 root = epoch.root;
        if (root == 0) revert RegistryUnknownEpoch(leaf.epoch);
        if (!MerkleProof.verifyCalldata(proof, root, leafHash_)) revert RegistryInvalidProof(leaf.epoch, leafHash_);
        id = _promoted[leafHash_];
        if (id != 0) revert RegistryAlreadyPromoted(leafHash_, id);
        if (leaf.kind == uint8(Kind.Model)) _checkNewerModel(leaf.round);
        uint32 proposalIndex = epoch.proposalIndex;
        uint256 counters;
        (id, counters) = _writePromoted(leaf, proposalIndex, _counters);
        _counters = counters;
        _promoted[leafHash_] = id;
        emit RecordAdded(id, Kind(leaf.kind), _proposals[proposalIndex], 0, leaf.round, leaf.schemaVersion, leaf.cid);
        emit RecordPromoted(leaf.epoch, leafHash_, id);
    }

    /// @inheritdoc IKnowledgeRegistry
    function getEpoch(uint64 epoch) external view returns (Epoch memory) {
        StoredEpoch storage stored = _epochs[epoch];
        if (stored.root == 0) revert RegistryUnknownEpoch(epoch);
        return
            Epoch({
                epoch: epoch,
                root: stored.root,
                proposalId: _proposals[stored.proposalIndex],
                recordedAt: stored.recordedAt,
                counts: _unpackCounts(stored.counts),
                manifestCid: _joinCid(stored.manifestPrefix, stored.manifestDigest)
            });
    }

    /// @inheritdoc IKnowledgeRegistry
    function epochRoot(uint64 epoch) external view returns (bytes32) {
        return _epochs[epoch].root;
    }

    /// @inheritdoc IKnowledgeRegistry
    function epochCount() external view returns (uint256) {
        return _epochCount;
    }

    /// @inheritdoc IKnowledgeRegistry
    function leafHash(RecordLeaf calldata leaf) external pure returns (bytes32) {
        return _leafHash(leaf);
    }

    /// @inheritdoc IKnowledgeRegistry
    function verifyRecord(RecordLeaf calldata leaf, bytes32[] calldata proof) external view returns (bool) {
        return _verify(_epochs[leaf.epoch].root, _leafHash(leaf), proof);
    }

    /// @inheritdoc IKnowledgeRegistry
    function isRatified(uint64 epoch, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        return _verify(_epochs[epoch].root, leaf, proof);
    }

    /// @inheritdoc IKnowledgeRegistry
    function getRecord(uint48 id) public view returns (Record memory) {
        if (!exists(id)) revert RegistryUnknownRecord(id);
        return _load(id);
    }

    /// @inheritdoc IKnowledgeRegistry
    function exists(uint48 id) public view returns (bool) {
        return _records[id].recordedAt != 0;
    }

    /// @inheritdoc IKnowledgeRegistry
    function recordCount(Kind kind) external view returns (uint256) {
        return _countOf(_counters, uint8(kind));
    }

    /// @inheritdoc IKnowledgeRegistry
    function recordsOfKind(Kind kind, uint256 offset, uint256 limit) external view returns (Record[] memory page) {
        uint256 count = _countOf(_counters, uint8(kind));
        if (offset >= count) return page;
        uint256 size = count - offset < limit ? count - offset : limit;
        page = new Record[](size);
        for (uint256 i = 0; i < size; ++i) {
            page[i] = _load(_idOf(uint8(kind), offset + i + 1));
        }
    }

    /// @inheritdoc IKnowledgeRegistry
    function latestModel() external view returns (bool found, Record memory model) {
        uint48 id = _latestModelId();
        if (id != 0) return (true, _load(id));
    }

    /// @dev The newest model record that is not revoked, or 0.
    function _latestModelId() private view returns (uint48) {
        uint8 kind = uint8(Kind.Model);
        for (uint256 sequence = _countOf(_counters, kind); sequence > 0; --sequence) {
            uint48 id = _idOf(kind, sequence);
            if (_records[id].revokedAt == 0) return id;
        }
        return 0;
    }

    /// @dev Anyone may promote, so a promoted model must not roll {latestModel} back.
    function _checkNewerModel(uint32 round) private view {
        uint48 latest = _latestModelId();
        if (latest == 0) return;
        uint32 latestRound = _records[latest].round;
        if (round <= latestRound) revert RegistryStaleModel(round, latestRound);
    }

    /**
     * @dev Only the timelock, and only inside a governor execution: the proposal id
     * stored with each record comes from the governor, not from the caller.
     * @return proposalId the executing proposal.
     * @return counters `_counters`, with the proposal counted if it is new; the
     * caller stores it back.
     */
    function _checkWriter() private returns (uint256 proposalId, uint256 counters) {
        if (msg.sender != _governance) revert RegistryUnauthorized(msg.sender);
        proposalId = _governor.executingProposalId();
        if (proposalId == 0) revert RegistryOutsideProposal();
        counters = _counters;
        uint32 proposals = uint32(counters >> _PROPOSALS_SHIFT);
        uint256 tag = proposalId & 0xffffff;
        // A proposal makes one record call per record, so consecutive calls usually
        // share it; a differing tag proves a new proposal without reading storage.
        if (proposals == 0 || (counters >> _TAG_SHIFT) != tag || _proposals[proposals] != proposalId) {
            _proposals[++proposals] = proposalId;
            counters =
                (counters & ((1 << _PROPOSALS_SHIFT) - 1)) |
                (uint256(proposals) << _PROPOSALS_SHIFT) |
                (tag << _TAG_SHIFT);
        }
    }

    /// @dev Writes `input` for the executing proposal and notes it for same-proposal references.
    /// @return id the new record's id.
    /// @return counters `counters` with the kind's count incremented.
    function _write(
        RecordInput calldata input,
        uint48 ref,
        uint256 proposalId,
        uint256 counters
    ) private returns (uint48 id, uint256) {
        uint8 kind = input.kind;
        if (kind >= _KIND_COUNT) revert RegistryUnknownKind(kind);
        (bytes6 prefix, bytes32 digest) = _parseCid(input.cid);
        if (ref >> _SEQUENCE_BITS == _SAME_PROPOSAL) ref = _writtenByProposal(proposalId, ref);
        else if (ref != 0 && !exists(ref)) revert RegistryUnknownRecord(ref);

        counters += 1 << (kind * _SEQUENCE_BITS);
        id = _idOf(kind, _countOf(counters, kind));
        _noteWritten(proposalId, id);
        // One struct literal per caller (here and in `_writePromoted`): built from
        // function parameters instead, the optimizer no longer merges the packed
        // second slot into one SSTORE (about 1,800 gas more a record).
        _records[id] = StoredRecord({
            digest: digest,
            cidPrefix: prefix,
            schemaVersion: input.schemaVersion,
            ref: ref,
            round: input.round,
            recordedAt: uint40(block.timestamp),
            revokedAt: 0,
            proposalIndex: uint32(counters >> _PROPOSALS_SHIFT)
        });
        _emitRecordAdded(id, input, ref, proposalId);
        return (id, counters);
    }

    /// @dev Writes a promoted leaf as a record of the epoch's proposal `proposalIndex`, with no `ref`.
    /// @return id the new record's id.
    /// @return counters `counters` with the kind's count incremented.
    function _writePromoted(
        RecordLeaf calldata leaf,
        uint32 proposalIndex,
        uint256 counters
    ) private returns (uint48 id, uint256) {
        uint8 kind = leaf.kind;
        if (kind >= _KIND_COUNT) revert RegistryUnknownKind(kind);
        (bytes6 prefix, bytes32 digest) = _parseCid(leaf.cid);
        counters += 1 << (kind * _SEQUENCE_BITS);
        id = _idOf(kind, _countOf(counters, kind));
        _records[id] = StoredRecord({
            digest: digest,
            cidPrefix: prefix,
            schemaVersion: leaf.schemaVersion,
            ref: 0,
            round: leaf.round,
            recordedAt: uint40(block.timestamp),
            revokedAt: 0,
            proposalIndex: proposalIndex
        });
        return (id, counters);
    }

    /// @dev `StandardMerkleTree`'s leaf: the double keccak of the ABI-encoded values.
    function _leafHash(RecordLeaf calldata leaf) private pure returns (bytes32) {
        return
            keccak256(
                bytes.concat(
                    keccak256(abi.encode(leaf.epoch, leaf.kind, leaf.schemaVersion, leaf.round, leaf.cid, leaf.refCid))
                )
            );
    }

    /// @dev False for an epoch without a root, whatever the proof.
    function _verify(bytes32 root, bytes32 leaf, bytes32[] calldata proof) private pure returns (bool) {
        return root != 0 && MerkleProof.verifyCalldata(proof, root, leaf);
    }

    /**
     * @dev Records written by the executing proposal, in order, kept in transient
     * storage (EIP-1153): a proposal executes in one transaction, so the list lives
     * exactly as long as it is needed, for about 300 gas a record. Keyed by proposal
     * id, so two proposals executed in one transaction do not mix.
     */
    function _noteWritten(uint256 proposalId, uint48 id) private {
        bytes32 countSlot = _transientSlot(proposalId, 0);
        uint256 count;
        assembly ("memory-safe") {
            count := add(tload(countSlot), 1)
            tstore(countSlot, count)
        }
        bytes32 slot = _transientSlot(proposalId, count);
        assembly ("memory-safe") {
            tstore(slot, id)
        }
    }

    /// @dev The id of the k-th record the proposal wrote, for `ref = (255 << 40) | k`.
    function _writtenByProposal(uint256 proposalId, uint48 ref) private view returns (uint48 id) {
        uint256 k = ref & _COUNT_MASK;
        bytes32 countSlot = _transientSlot(proposalId, 0);
        uint256 count;
        assembly ("memory-safe") {
            count := tload(countSlot)
        }
        if (k == 0 || k > count) revert RegistryUnknownRecord(ref);
        bytes32 slot = _transientSlot(proposalId, k);
        assembly ("memory-safe") {
            id := tload(slot)
        }
    }

    function _transientSlot(uint256 proposalId, uint256 index) private pure returns (bytes32 slot) {
        assembly ("memory-safe") {
            mstore(0x00, proposalId)
            mstore(0x20, index)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev Separate to keep `_write` within the stack limit.
    function _emitRecordAdded(uint48 id, RecordInput calldata input, uint48 ref, uint256 proposalId) private {
        emit RecordAdded(id, Kind(input.kind), proposalId, ref, input.round, input.schemaVersion, input.cid);
    }

    function _revoke(uint48 id, uint256 proposalId, uint48 supersededBy) private {
        StoredRecord storage stored = _records[id];
        if (stored.recordedAt == 0) revert RegistryUnknownRecord(id);
        if (stored.revokedAt != 0) revert RegistryAlreadyRevoked(id);
        stored.revokedAt = uint40(block.timestamp);
        emit RecordRevoked(id, proposalId, supersededBy);
    }

    function _load(uint48 id) private view returns (Record memory) {
        StoredRecord memory stored = _records[id];
        return
            Record({
                id: id,
                kind: Kind(_kindOf(id)),
                schemaVersion: stored.schemaVersion,
                ref: stored.ref,
                round: stored.round,
                proposalId: _proposals[stored.proposalIndex],
                recordedAt: stored.recordedAt,
                revokedAt: stored.revokedAt,
                cid: _joinCid(stored.cidPrefix, stored.digest)
            });
    }

    function _idOf(uint8 kind, uint256 sequence) private pure returns (uint48) {
        return uint48((uint256(kind) << _SEQUENCE_BITS) | sequence);
    }

    function _countOf(uint256 counters, uint8 kind) private pure returns (uint256) {
        return (counters >> (uint256(kind) * _SEQUENCE_BITS)) & _COUNT_MASK;
    }

    function _kindOf(uint48 id) private pure returns (uint8) {
        return uint8(id >> _SEQUENCE_BITS);
    }

    /**
     * @dev Accepts a binary CIDv1 (`0x01`, codec varint, multihash code varint,
     * digest length 32, digest) of at most 38 bytes and splits it.
     */
    function _parseCid(bytes calldata cid) private pure returns (bytes6 prefix, bytes32 digest) {
        uint256 length = cid.length;
        if (length == 0) revert RegistryEmptyCid();
        if (
            length < _MIN_PREFIX_LENGTH + _DIGEST_LENGTH ||
            length > _MAX_PREFIX_LENGTH + _DIGEST_LENGTH ||
            cid[0] != 0x01
        ) revert RegistryMalformedCid(cid);
        uint256 prefixLength = _prefixLength(bytes6(cid[:_MAX_PREFIX_LENGTH]));
        if (prefixLength == 0 || prefixLength + _DIGEST_LENGTH != length) revert RegistryMalformedCid(cid);
        prefix = bytes6(cid[:prefixLength]);
        digest = bytes32(cid[prefixLength:]);
    }

    /**
     * @dev Length of the CID prefix at the start of `head` (version byte, two
     * varints, the digest-length byte), or 0 if it is not a valid prefix for a
     * 32-byte digest within 6 bytes.
     */
    function _prefixLength(bytes6 head) private pure returns (uint256) {
        uint256 i = 1;
        for (uint256 varints = 0; varints < 2; ++varints) {
            // a varint ends at the first byte without the continuation bit
            while (i < _MAX_PREFIX_LENGTH && uint8(head[i]) & 0x80 != 0) ++i;
            ++i;
        }
        if (i >= _MAX_PREFIX_LENGTH || uint8(head[i]) != _DIGEST_LENGTH) return 0;
        return i + 1;
    }

    function _joinCid(bytes6 prefix, bytes32 digest) private pure returns (bytes memory) {
        uint256 prefixLength = _prefixLength(prefix);
        bytes memory cid = abi.encodePacked(prefix, digest);
        // drop the zero padding between the prefix and the digest
        for (uint256 i = 0; i < _DIGEST_LENGTH; ++i) {
            cid[prefixLength + i] = cid[_MAX_PREFIX_LENGTH + i];
        }
        assembly ("memory-safe") {
            mstore(cid, add(prefixLength, _DIGEST_LENGTH))
        }
        return cid;
    }

    function _packCounts(uint32[5] calldata counts) private pure returns (uint120 packed) {
        for (uint256 kind = 0; kind < _KIND_COUNT; ++kind) {
            uint32 count = counts[kind];
            if (count > type(uint24).max) revert RegistryEpochTooLarge(uint8(kind), count);
            packed |= uint120(count) << uint120(kind * 24);
        }
    }

    function _unpackCounts(uint120 packed) private pure returns (uint32[5] memory counts) {
        for (uint256 kind = 0; kind < _KIND_COUNT; ++kind) {
            counts[kind] = uint32((packed >> (kind * 24)) & type(uint24).max);
        }
    }
}
