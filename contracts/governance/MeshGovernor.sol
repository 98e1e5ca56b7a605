// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {GovernorCountingSimple} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorPreventLateQuorum} from "@openzeppelin/contracts/governance/extensions/GovernorPreventLateQuorum.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {GovernorStorage} from "@openzeppelin/contracts/governance/extensions/GovernorStorage.sol";
import {GovernorTimelockControl} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {GovernorVotesQuorumFraction} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {IExecutingProposal} from "./IExecutingProposal.sol";
import {GovernorProposalTypes} from "./extensions/GovernorProposalTypes.sol";

/**
 * @title MeshGovernor
 * @notice The Synod DAO: holders of {MeshToken} ratify knowledge records and change
 * the mesh policy. Executed proposals run through a {TimelockController}.
 * @dev A concrete composition of OpenZeppelin modules:
 * - Settings: voting delay, period and proposal threshold, changeable by governance;
 * - CountingSimple: For / Against / Abstain, quorum counts For + Abstain;
 * - Votes + QuorumFraction: voting power from the token's checkpoints (timestamp
 *   clock, so every duration is in seconds);
 * - TimelockControl: execution delay, the timelock holds the authority;
 * - PreventLateQuorum: a quorum reached at the last moment extends the vote;
 * - Storage: proposals enumerable on chain, so the dApp needs no indexer;
 * - ProposalTypes (ours): a proposal that only writes knowledge to the bound
 *   registry is routine (passes unless vetoed, no quorum, no late-quorum extension);
 *   everything else is a full vote as above.
 *
 * One addition: a proposal that succeeded but was not queued within the grace period
 * becomes `Expired` and can no longer be queued, so a forgotten vote cannot be
 * executed months later against a mesh that has moved on (the role Compound's
 * timelock grace period plays). Queued proposals do not expire.
 */
contract MeshGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorStorage,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl,
    GovernorPreventLateQuorum,
    GovernorProposalTypes,
    IExecutingProposal
{
    /// @dev Transient: set only while a proposal's operations run; see {executingProposalId}.
    uint256 private transient _executingProposalId;

    uint48 private _gracePeriod;

    /// @dev The grace period for queueing a succeeded proposal changed.
    event GracePeriodSet(uint48 oldGracePeriod, uint48 newGracePeriod);

    /// @dev A grace period of 0 would expire every proposal the moment its vote ends.
    error GovernorInvalidGracePeriod(uint48 gracePeriod);

    /**
     * @param token the votes token ({MeshToken}).
     * @param timelock_ the timelock that executes proposals and holds authority.
     * @param votingDelay_ seconds between proposing and voting.
     * @param votingPeriod_ seconds a vote lasts.
     * @param proposalThreshold_ votes needed to propose.
     * @param quorumPercent percent of the total supply (at the snapshot) needed for quorum.
     * @param lateQuorumExtension_ seconds a vote is extended when quorum is reached late.
     * @param gracePeriod_ seconds after the vote ends during which a succeeded proposal may be queued.
     * @param vetoThresholdBps_ Against votes, in basis points of the supply, that veto a routine proposal.
     */
    constructor(
        IVotes token,
        TimelockController timelock_,
        uint48 votingDelay_,
        uint32 votingPeriod_,
        uint256 proposalThreshold_,
        uint256 quorumPercent,
        uint48 lateQuorumExtension_,
        uint48 gracePeriod_,
        uint256 vetoThresholdBps_
    )
        Governor("Synod MeshGovernor")
        GovernorSettings(votingDelay_, votingPeriod_, proposalThreshold_)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock_)
        GovernorPreventLateQuorum(lateQuorumExtension_)
        GovernorProposalTypes(vetoThresholdBps_)
    {
        _setGracePeriod(gracePeriod_);
    }

    /// @notice Seconds after the vote ends during which a succeeded proposal may be queued.
    function gracePeriod() public view returns (uint48) {
        return _gracePeriod;
    }

    /// @notice Changes {gracePeriod}. Only through governance.
    function setGracePeriod(uint48 newGracePeriod) external onlyGovernance {
        _setGracePeriod(newGracePeriod);
    }

    /// @inheritdoc IExecutingProposal
    function executingProposalId() external view returns (uint256) {
        return _executingProposalId;
    }

    // The overrides below only resolve which parent runs; none changes behaviour
    // except `_tallyUpdated`, where two modules meet.

    function votingDelay() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingDelay();
    }

    function votingPeriod() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.votingPeriod();
    }

    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    /// @dev Adds `Expired` for a succeeded proposal left unqueued past {gracePeriod}.
    function state(uint256 proposalId) public view override(Governor, GovernorTimelockControl) returns (ProposalState) {
        ProposalState current = super.state(proposalId);
        if (current == ProposalState.Succeeded && clock() > proposalDeadline(proposalId) + _gracePeriod) {
            return ProposalState.Expired;
        }
        return current;
    }

    function proposalNeedsQueuing(
        uint256 proposalId
    ) public view override(Governor, GovernorTimelockControl) returns (bool) {
        return super.proposalNeedsQueuing(proposalId);
    }

    function proposalDeadline(
        uint256 proposalId
    ) public view override(Governor, GovernorPreventLateQuorum) returns (uint256) {
        return super.proposalDeadline(proposalId);
    }

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal override(Governor, GovernorStorage, GovernorProposalTypes) returns (uint256) {
        return super._propose(targets, values, calldatas, description, proposer);
    }

    function _quorumReached(
        uint256 proposalId
    ) internal view override(Governor, GovernorCountingSimple, GovernorProposalTypes) returns (bool) {
        return super._quorumReached(proposalId);
    }

    function _voteSucceeded(
        uint256 proposalId
    ) internal view override(Governor, GovernorCountingSimple, GovernorProposalTypes) returns (bool) {
        return super._voteSucceeded(proposalId);
    }

    /**
     * @dev A routine proposal counts its quorum as reached from the start, so the
     * late-quorum extension would fire on its first vote: it gets none.
     */
    function _tallyUpdated(uint256 proposalId) internal override(Governor, GovernorPreventLateQuorum) {
        if (proposalType(proposalId) == ProposalType.FullVote) super._tallyUpdated(proposalId);
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    /// @dev Exposes the proposal id to the contracts its operations call; see {executingProposalId}.
    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        _executingProposalId = proposalId;
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
        _executingProposalId = 0;
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _setGracePeriod(uint48 newGracePeriod) internal {
        if (newGracePeriod == 0) revert GovernorInvalidGracePeriod(newGracePeriod);
        emit GracePeriodSet(_gracePeriod, newGracePeriod);
        _gracePeriod = newGracePeriod;
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
