// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IExecutingProposal
 * @notice Lets a contract called by a governance execution learn which proposal is
 * being executed, so that the proposal id recorded on chain comes from the governor
 * itself rather than from calldata (which cannot contain the id it hashes to).
 */
interface IExecutingProposal {
    /**
     * @notice The id of the proposal whose operations are executing right now, or 0
     * outside an execution.
     */
    function executingProposalId() external view returns (uint256);
}
