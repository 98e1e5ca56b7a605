// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";

/**
 * @title GovernorCodeStorage
 * @dev OpenZeppelin's {GovernorStorage} interface (proposals enumerable on chain, and
 * `queue`, `execute`, `cancel` by id), storing each proposal's details as the code of a
 * data contract (the SSTORE2 pattern) instead of one storage word per 32 bytes: about
 * 200 gas per byte instead of 690, and read back with one EXTCODECOPY instead of a cold
 * SLOAD per word. Integrity needs no trust in the copy: `queue`, `execute` and `cancel`
 * re-hash what they read into the proposal id, which must exist.
 *
 * Limit: a contract's code holds at most 24,576 bytes (EIP-170), so a proposal's packed
 * actions (56 bytes per action plus its calldata, plus 37) must fit in that: about 70
 * `record` calls, or one `recordEpoch` with a few headlines many times over. A larger
 * proposal reverts with {GovernorProposalDataNotStored}.
 */
abstract contract GovernorCodeStorage is Governor {
    uint256[] private _proposalIds;
    /**
     * @dev Data contract per proposal. Its code is a STOP byte, then the details packed
     * without ABI padding: `uint32 count`, `bytes32 descriptionHash`, then per action
     * `address target`, `uint256 value`, `uint32 length`, `length` bytes of calldata.
     */
    mapping(uint256 proposalId => address) private _proposalData;

    /// @dev Creating the data contract failed (out of gas, or details too large for one contract's code).
    error GovernorProposalDataNotStored();

    function _propose(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        string memory description,
        address proposer
    ) internal virtual override returns (uint256 proposalId) {
        proposalId = super._propose(targets, values, calldatas, description, proposer);
        _proposalIds.push(proposalId);
        _proposalData[proposalId] = _store(_encode(targets, values, calldatas, keccak256(bytes(description))));
    }

    /// @notice Queues a proposal by id; see {Governor-queue}.
    function queue(uint256 proposalId) public virtual {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash) = proposalDetails(proposalId);
        queue(targets, values, calldatas, descriptionHash);
    }

    /// @notice Executes a proposal by id; see {Governor-execute}.
    function execute(uint256 proposalId) public payable virtual {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash) = proposalDetails(proposalId);
        execute(targets, values, calldatas, descriptionHash);
    }

    /// @notice Cancels a proposal by id; see {Governor-cancel}.
    function cancel(uint256 proposalId) public virtual {
        (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash) = proposalDetails(proposalId);
        cancel(targets, values, calldatas, descriptionHash);
    }

    /// @notice How many proposals were made.
    function proposalCount() public view virtual returns (uint256) {
        return _proposalIds.length;
    }

    /// @notice The actions and description hash of `proposalId`.
    function proposalDetails(
        uint256 proposalId
    )
        public
        view
        virtual
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
    {
        address data = _proposalData[proposalId];
        if (data == address(0)) revert GovernorNonexistentProposal(proposalId);
        return _decode(_load(data));
    }

    /// @notice The `index`-th proposal (0-based) with its actions and description hash.
    function proposalDetailsAt(
        uint256 index
    )
        public
        view
        virtual
        returns (uint256 proposalId, address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
    {
        proposalId = _proposalIds[index];
        (targets, values, calldatas, descriptionHash) = proposalDetails(proposalId);
    }

    function _encode(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) private pure returns (bytes memory data) {
        uint256 count = targets.length;
        uint256 size = 36;
        for (uint256 i = 0; i < count; ++i) size += 56 + calldatas[i].length;
        data = new bytes(size);
        uint256 cursor;
        assembly ("memory-safe") {
            cursor := add(data, 0x20)
            mstore(cursor, shl(224, count))
            mstore(add(cursor, 4), descriptionHash)
        }
        cursor += 36;
        for (uint256 i = 0; i < count; ++i) {
            address target = targets[i];
            uint256 value = values[i];
            bytes memory action = calldatas[i];
            // each word written covers the bytes before the next field; the last one may
            // write zeros past `data`, into free memory
            assembly ("memory-safe") {
                mstore(cursor, shl(96, target))
                mstore(add(cursor, 20), value)
                mstore(add(cursor, 52), shl(224, mload(action)))
                mcopy(add(cursor, 56), add(action, 0x20), mload(action))
            }
            cursor += 56 + action.length;
        }
    }

    function _decode(
        bytes memory data
    )
        private
        pure
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas, bytes32 descriptionHash)
    {
        uint256 count;
        uint256 cursor;
        assembly ("memory-safe") {
            cursor := add(data, 0x20)
            count := shr(224, mload(cursor))
            descriptionHash := mload(add(cursor, 4))
        }
        cursor += 36;
        targets = new address[](count);
        values = new uint256[](count);
        calldatas = new bytes[](count);
        for (uint256 i = 0; i < count; ++i) {
            address target;
            uint256 value;
            uint256 length;
            assembly ("memory-safe") {
                target := shr(96, mload(cursor))
                value := mload(add(cursor, 20))
                length := shr(224, mload(add(cursor, 52)))
            }
            bytes memory action = new bytes(length);
            assembly ("memory-safe") {
                mcopy(add(action, 0x20), add(cursor, 56), length)
            }
            cursor += 56 + length;
            (targets[i], values[i], calldatas[i]) = (target, value, action);
        }
    }

    /// @dev Deploys `data` as the code of a new contract, behind a STOP byte so that it cannot run.
    function _store(bytes memory data) private returns (address pointer) {
        // PUSH4 size, DUP1, PUSH1 14, PUSH1 0, CODECOPY, PUSH1 0, RETURN: returns the 14+ bytes after itself
        bytes memory init = abi.encodePacked(hex"63", uint32(data.length + 1), hex"80600e6000396000f300", data);
        assembly ("memory-safe") {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        if (pointer == address(0)) revert GovernorProposalDataNotStored();
    }

    function _load(address pointer) private view returns (bytes memory data) {
        uint256 size = pointer.code.length - 1;
        data = new bytes(size);
        assembly ("memory-safe") {
            extcodecopy(pointer, add(data, 0x20), 1, size)
        }
    }
}
