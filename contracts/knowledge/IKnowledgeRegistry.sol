// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IKnowledgeRegistry
 * @notice Typed, governance-ratified records of what the Synod mesh learned or
 * suffered. The content lives on IPFS; the registry keeps its CID, its kind, its
 * place in a lineage and the proposal that ratified it.
 *
 * Record ids are `kind << 40 | sequence`, the sequence counting from 1 within each
 * kind, so the records of one kind can be paged without a separate index. Id 0
 * means "no record".
 *
 * Knowledge epochs: one proposal ratifies a whole epoch of records at once through
 * the root of a Merkle tree over them ({recordEpoch}). Such a record is identified
 * on chain by its epoch and leaf hash and proven with a Merkle proof ({verifyRecord},
 * {isRatified}); it gets a stored record (and a kind-sequence id) only if the proposal
 * names it one by one (a headline) or someone promotes it with its proof
 * ({promoteRecord}). The tree is OpenZeppelin's `StandardMerkleTree` with the leaf
 * encoding `["uint64","uint8","uint16","uint32","bytes","bytes"]` (see {RecordLeaf}).
 */
interface IKnowledgeRegistry {
    /// @notice What a record describes. Wire values are the enum's indexes.
    enum Kind {
        Model,
        Incident,
        ChaosReport,
        MapekSnapshot,
        Directive
    }

    /// @notice What governance submits for one record.
    struct RecordInput {
        /// @dev a {Kind} index; kept as uint8 so an unknown kind gets its own error.
        uint8 kind;
        /// @dev version of the off-chain schema the content follows.
        uint16 schemaVersion;
        /// @dev an earlier record this one builds on (parent model, the incident it resolves), or 0.
        /// `(255 << 40) | k` names the k-th record (1-based) written earlier by the same
        /// proposal, whose id the proposer cannot know in advance; the stored ref is that id.
        uint48 ref;
        /// @dev FL round or MAPE-K epoch the record belongs to.
        uint32 round;
        /// @dev binary CIDv1 whose multihash digest is 32 bytes (sha2-256, blake3, ...).
        bytes cid;
    }

    /// @notice A stored record as the reads return it.
    struct Record {
        uint48 id;
        Kind kind;
        uint16 schemaVersion;
        uint48 ref;
        uint32 round;
        /// @dev the proposal whose execution wrote this record.
        uint256 proposalId;
        uint40 recordedAt;
        /// @dev 0 while the record stands.
        uint40 revokedAt;
        bytes cid;
    }

    /// @notice One leaf of an epoch's Merkle tree: a record as the epoch ratified it.
    struct RecordLeaf {
        /// @dev the epoch whose root holds the leaf (epochs are numbered from 1).
        uint64 epoch;
        /// @dev a {Kind} index.
        uint8 kind;
        uint16 schemaVersion;
        /// @dev FL round or MAPE-K epoch the record belongs to.
        uint32 round;
        /// @dev binary CIDv1 of the record's content.
        bytes cid;
        /// @dev binary CID of the earlier record this one builds on (a model's parent), or empty.
        bytes refCid;
    }

    /// @notice A ratified epoch as the reads return it.
    struct Epoch {
        uint64 epoch;
        /// @dev root of the `StandardMerkleTree` over the epoch's records.
        bytes32 root;
        /// @dev the proposal whose execution ratified the epoch.
        uint256 proposalId;
        uint40 recordedAt;
        /// @dev records per kind, in {Kind} order.
        uint32[5] counts;
        /// @dev binary CIDv1 of the epoch manifest (every record of the epoch) on IPFS.
        bytes manifestCid;
    }

    /**
     * @dev Emitted for every record written. `cid` is the binary CIDv1.
     */
    event RecordAdded(
        uint48 indexed id,
        Kind indexed kind,
        uint256 indexed proposalId,
        uint48 ref,
        uint32 round,
        uint16 schemaVersion,
        bytes cid
    );

    /**
     * @dev Emitted when governance revokes a record; `supersededBy` is the record
     * replacing it, or 0 for a plain revocation.
     */
    event RecordRevoked(uint48 indexed id, uint256 indexed proposalId, uint48 indexed supersededBy);

    /// @dev Emitted when governance ratifies an epoch's Merkle root.
    event EpochRecorded(uint64 indexed epoch, uint256 indexed proposalId, bytes32 root, bytes manifestCid, uint32[5] counts);

    /**
     * @dev Emitted when a record ratified by an epoch root is promoted to a stored
     * record `id`; {RecordAdded} is emitted for it too.
     */
    event RecordPromoted(uint64 indexed epoch, bytes32 indexed leaf, uint48 indexed id);

    /// @dev The caller is not the governance executor (the timelock).
    error RegistryUnauthorized(address caller);

    /// @dev A write happened outside a governor proposal's execution.
    error RegistryOutsideProposal();

    /// @dev `kind` is not a {Kind}.
    error RegistryUnknownKind(uint8 kind);

    /// @dev The CID is empty.
    error RegistryEmptyCid();

    /// @dev The bytes are not a CIDv1 with a 32-byte multihash digest.
    error RegistryMalformedCid(bytes cid);

    /// @dev No record has this id.
    error RegistryUnknownRecord(uint48 id);

    /// @dev The record is already revoked.
    error RegistryAlreadyRevoked(uint48 id);

    /// @dev A replacement must be of the same kind as the record it supersedes.
    error RegistryKindMismatch(uint48 id, uint8 kind);

    /// @dev A batch must hold at least one record.
    error RegistryEmptyBatch();

    /// @dev The epoch already has a root: an epoch is ratified once.
    error RegistryEpochExists(uint64 epoch);

    /// @dev No ratified epoch has this number. Epochs are numbered from 1: {recordEpoch}
    /// refuses epoch 0 with this error too.
    error RegistryUnknownEpoch(uint64 epoch);

    /// @dev An epoch's root cannot be zero.
    error RegistryEmptyRoot();

    /// @dev An epoch holds at most 16,777,215 (2^24 - 1) records of one kind.
    error RegistryEpochTooLarge(uint8 kind, uint32 count);

    /// @dev The proof does not lead from `leaf` to the root of a ratified `epoch`.
    error RegistryInvalidProof(uint64 epoch, bytes32 leaf);

    /// @dev The leaf was promoted already, to the record `id`.
    error RegistryAlreadyPromoted(bytes32 leaf, uint48 id);

    /// @dev A promoted model must be of a later round than {latestModel}, so that nobody
    /// can roll the latest model back by promoting an older one.
    error RegistryStaleModel(uint32 round, uint32 latestRound);

    /**
     * @notice Writes one record. Only the timelock, only while a proposal executes.
     * @return id the new record's id.
     */
    function record(RecordInput calldata input) external returns (uint48 id);

    /**
     * @notice Writes several records in one call, in order (a record may refer to
     * one written earlier by the same proposal, see {RecordInput-ref}).
     * @return ids the new records' ids.
     */
    function recordBatch(RecordInput[] calldata inputs) external returns (uint48[] memory ids);

    /// @notice Revokes a record. Revocation is final.
    function revoke(uint48 id) external;

    /**
     * @notice Revokes `id` and writes `replacement` (same kind) referring to it.
     * @return newId the replacement's id.
     */
    function supersede(uint48 id, RecordInput calldata replacement) external returns (uint48 newId);

    /// @notice The record `id`; reverts with {RegistryUnknownRecord} if there is none.
    function getRecord(uint48 id) external view returns (Record memory);

    /// @notice Whether `id` names a record.
    function exists(uint48 id) external view returns (bool);

    /// @notice How many records of `kind` exist (revoked ones included).
    function recordCount(Kind kind) external view returns (uint256);

    /// @notice The records of `kind` with sequence numbers `offset + 1 ..`, at most `limit`.
    function recordsOfKind(Kind kind, uint256 offset, uint256 limit) external view returns (Record[] memory);

    /// @notice The newest model record that is not revoked; `found` is false if none.
    function latestModel() external view returns (bool found, Record memory model);

    /// @notice The executor allowed to write (the timelock).
    function governance() external view returns (address);

    /**
     * @notice Ratifies every record of `epoch` at once: `root` is the root of the
     * `StandardMerkleTree` over the epoch's {RecordLeaf}s, listed in the manifest
     * `manifestCid`. Only the timelock, only while a proposal executes.
     * @param counts records per kind, in {Kind} order.
     */
    function recordEpoch(uint64 epoch, bytes32 root, bytes calldata manifestCid, uint32[5] calldata counts) external;

    /// @notice The ratified epoch `epoch`; reverts with {RegistryUnknownEpoch} if it has no root.
    function getEpoch(uint64 epoch) external view returns (Epoch memory);

    /// @notice The root ratified for `epoch`, or 0 if none is.
    function epochRoot(uint64 epoch) external view returns (bytes32);

    /// @notice How many epochs have been ratified.
    function epochCount() external view returns (uint256);

    /**
     * @notice The leaf hash of `leaf` in its epoch's tree, as `StandardMerkleTree`
     * computes it: `keccak256(bytes.concat(keccak256(abi.encode(epoch, kind, schemaVersion, round, cid, refCid))))`.
     */
    function leafHash(RecordLeaf calldata leaf) external pure returns (bytes32);

    /// @notice Whether `proof` proves `leaf` under the root ratified for `leaf.epoch`.
    function verifyRecord(RecordLeaf calldata leaf, bytes32[] calldata proof) external view returns (bool);

    /**
     * @notice Whether `proof` proves the leaf hash `leaf` under the root ratified for `epoch`.
     * @dev `leaf` is taken as given: an inner node of the tree (or the root, with an
     * empty proof) passes too. A contract that accepts records from others should call
     * {verifyRecord}, which hashes the record itself.
     */
    function isRatified(uint64 epoch, bytes32 leaf, bytes32[] calldata proof) external view returns (bool);

    /**
     * @notice Writes a record that an epoch root already ratified as a stored record,
     * for what needs one on chain (for example {latestModel}). Anyone may call it with
     * the proof; each leaf is promoted once. The stored record's proposal is the
     * epoch's, and its `ref` is 0 (the lineage is `leaf.refCid`). A Model must be of a
     * later round than {latestModel} ({RegistryStaleModel}): promotion moves the latest
     * model forward, never back.
     * @return id the new record's id.
     */
    function promoteRecord(RecordLeaf calldata leaf, bytes32[] calldata proof) external returns (uint48 id);
}
