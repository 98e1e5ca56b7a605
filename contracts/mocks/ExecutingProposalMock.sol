// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IExecutingProposal} from "../governance/IExecutingProposal.sol";

/**
 * @dev Test double for {MeshGovernor}'s execution context: lets registry tests set the
 * "executing proposal" directly instead of passing a whole vote for every case.
 */
contract ExecutingProposalMock is IExecutingProposal {
    uint256 public executingProposalId;

    function setExecutingProposalId(uint256 proposalId) external {
        executingProposalId = proposalId;
    }
}
