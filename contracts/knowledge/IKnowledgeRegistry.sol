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
}
