// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IKnowledgeRegistry} from "../../knowledge/IKnowledgeRegistry.sol";

/**
 * @title GovernorProposalTypes
 * @dev Two kinds of proposal, after Agora's proposal types and optimistic module:
 *
 * - **Routine**: every action writes knowledge to the bound {IKnowledgeRegistry}
 *   (target the registry, value 0, selector `recordEpoch`, `record` or `recordBatch`).
 *   It needs no quorum and passes unless vetoed: Against votes reaching
 *   {vetoThreshold} at the snapshot defeat it.
 * - **FullVote**: everything else (policy changes, bans, `revoke`, `supersede`, other
 *   targets, value, empty calldata), and every proposal while no registry is bound.
 *   Counted exactly as {GovernorCountingSimple} counts.
 *
 * The type is derived from the actions when the proposal is made and stored with it;
 * the proposer cannot choose it. The standard interfaces (`propose`, `castVote*`,
 * `state`, `proposalVotes`) are unchanged, so an OpenZeppelin-ABI client still works.
 *
 * The veto threshold is checkpointed like {GovernorVotesQuorumFraction}'s numerator,
 * so changing it does not change the outcome of proposals already made.
 */
abstract contract GovernorProposalTypes is GovernorCountingSimple, GovernorVotes {
    using Checkpoints for Checkpoints.Trace208;

    /// @notice How a proposal is decided; see the contract documentation.
    enum ProposalType {
        FullVote,
        Routine
    }

    uint256 private constant _BPS = 10_000;

    /// @dev The only account that may bind the registry, once: the deployer.
    address private immutable _binder;

    IKnowledgeRegistry private _knowledgeRegistry;

    Checkpoints.Trace208 private _vetoThresholdBpsHistory;

    /// @dev Only routine proposals are written; FullVote is the default.
    mapping(uint256 proposalId => ProposalType) private _proposalTypes;

    /// @dev The knowledge registry whose writes make a proposal routine was bound.
    event KnowledgeRegistryBound(address registry);

    /// @dev The veto threshold changed (basis points of the supply).
    event VetoThresholdSet(uint256 oldBps, uint256 newBps);

    /// @dev A veto threshold must be between 1 and 10,000 basis points.
    error GovernorInvalidVetoThreshold(uint256 bps);

    /// @dev Only the deployer binds the registry, and only once.
    error GovernorUnauthorizedBinder(address caller);

    /// @dev The registry is bound already.
    error GovernorKnowledgeRegistryBound(address registry);

    /// @dev The registry is not written by this governor's executor (its `governance()` differs).
    error GovernorInvalidKnowledgeRegistry(address registry);

    /// @param vetoThresholdBps_ Against votes, in basis points of the supply at the snapshot, that veto a routine proposal.
    constructor(uint256 vetoThresholdBps_) {
        _binder = msg.sender;
        _setVetoThreshold(vetoThresholdBps_);
    }

    /// @notice The registry whose writes make a proposal routine, or 0 while none is bound.
    function knowledgeRegistry() public view returns (address) {
        return address(_knowledgeRegistry);
    }

    /**
     * @notice Binds the knowledge registry. Once, by the deployer, before it gives up
     * its keys; the registry must be written by this governor's executor (the timelock).
     */
    function bindKnowledgeRegistry(address registry) external {
        if (msg.sender != _binder) revert GovernorUnauthorizedBinder(msg.sender);
        if (address(_knowledgeRegistry) != address(0)) revert GovernorKnowledgeRegistryBound(address(_knowledgeRegistry));
        if (IKnowledgeRegistry(registry).governance() != _executor()) revert GovernorInvalidKnowledgeRegistry(registry);
        _knowledgeRegistry = IKnowledgeRegistry(registry);
        emit KnowledgeRegistryBound(registry);
    }

    /**
     * @notice The type a proposal with these actions gets: Routine iff a registry is
     * bound and every action is a knowledge write to it with value 0.
     */
    function actionsType(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas
    ) public view returns (ProposalType) {
        address registry = address(_knowledgeRegistry);
        uint256 count = targets.length;
        if (registry == address(0) || count == 0 || values.length != count || calldatas.length != count) {
            return ProposalType.FullVote;
        }
        for (uint256 i = 0; i < count; ++i) {
            if (targets[i] != registry || values[i] != 0 || !_isKnowledgeWrite(calldatas[i])) return ProposalType.FullVote;
        }
        return ProposalType.Routine;
    }

    /// @notice The type of `proposalId`, fixed when it was proposed (FullVote for an unknown id).
    function proposalType(uint256 proposalId) public view returns (ProposalType) {
        return _proposalTypes[proposalId];
    }

    /// @notice The current veto threshold, in basis points of the supply.
    function vetoThresholdBps() public view returns (uint256) {
        return _vetoThresholdBpsHistory.latest();
    }

    /**
     * @notice Against votes that veto a routine proposal whose snapshot is `timepoint`:
     * the supply then times the threshold then, in basis points, rounded up (so a
     * veto never takes zero votes).
     */
    function vetoThreshold(uint256 timepoint) public view returns (uint256) {
        uint256 bps = _vetoThresholdBpsHistory.upperLookupRecent(SafeCast.toUint48(timepoint));
        return (token().getPastTotalSupply(timepoint) * bps + _BPS - 1) / _BPS;
    }

    /// @notice Changes {vetoThresholdBps} (1..10,000). Only through governance.
    function setVetoThreshold(uint256 bps) external onlyGovernance {
        _setVetoThreshold(bps);
    }

    /// @notice Whether `proposalId` is routine and its Against votes reach {vetoThreshold} at its snapshot.
    function proposalVetoed(uint256 proposalId) public view returns (bool) {
        if (_proposalTypes[proposalId] != ProposalType.Routine) return false;
        (uint256 againstVotes, , ) = proposalVotes(proposalId);
        return againstVotes >= vetoThreshold(proposalSnapshot(proposalId));
    }

    /// @dev Routine: no quorum is needed.
    function _quorumReached(
        uint256 proposalId
    ) internal view virtual override(Governor, GovernorCountingSimple) returns (bool) {
        return _proposalTypes[proposalId] == ProposalType.Routine || super._quorumReached(proposalId);
    }

    /// @dev Routine: succeeds unless vetoed.
    function _voteSucceeded(
        uint256 proposalId
    ) internal view virtual override(Governor, GovernorCountingSimple) returns (bool) {
        if (_proposalTypes[proposalId] == ProposalType.Routine) return !proposalVetoed(proposalId);
        return super._voteSucceeded(proposalId);
    }

    /// @dev Stores the type derived from the actions.
    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        if (actionsType(targets, values, calldatas) == ProposalType.Routine) {
            _proposalTypes[proposalId] = ProposalType.Routine;
        }
    }

    function _setVetoThreshold(uint256 bps) internal {
        if (bps == 0 || bps > _BPS) revert GovernorInvalidVetoThreshold(bps);
        emit VetoThresholdSet(_vetoThresholdBpsHistory.latest(), bps);
        _vetoThresholdBpsHistory.push(clock(), uint208(bps));
    }

    /// @dev A call to one of the registry's knowledge writes (not `revoke` or `supersede`).
    function _isKnowledgeWrite(bytes memory data) private pure returns (bool) {
        if (data.length < 4) return false;
        bytes4 selector = bytes4(data);
        return
            selector == IKnowledgeRegistry.recordEpoch.selector ||
            selector == IKnowledgeRegistry.record.selector ||
            selector == IKnowledgeRegistry.recordBatch.selector;
    }
}
