// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IMeshPolicy
 * @notice The mesh's operating policy as named, bounded numbers and a list of banned
 * nodes. Governance sets them; the Synod coordinator reads them and runs by them
 * (FL strategy and its parameters, participants, round deadline, MAPE-K thresholds).
 *
 * Names are short ASCII strings in a bytes32 (`"fl.minParticipants"`). Each value
 * carries its unit in its name's documentation (README); fractions are in basis
 * points or thousandths so that everything is an integer.
 */
interface IMeshPolicy {
    /// @notice One parameter with its inclusive bounds.
    struct Parameter {
        bytes32 name;
        uint256 value;
        uint256 min;
        uint256 max;
    }

    /// @dev A parameter was created with bounds and a first value.
    event ParameterDefined(bytes32 indexed name, uint256 min, uint256 max, uint256 value);

    /// @dev A parameter's value changed.
    event ParameterSet(bytes32 indexed name, uint256 oldValue, uint256 newValue);

    /// @dev A node key was banned from the mesh (excluded from FL, not accepted by the coordinator).
    event NodeBanned(address indexed node);

    /// @dev A node key's ban was lifted.
    event NodeUnbanned(address indexed node);

    /// @dev The caller is not the governance executor (the timelock).
    error PolicyUnauthorized(address caller);

    /// @dev No parameter has this name.
    error PolicyUnknownParameter(bytes32 name);

    /// @dev A parameter with this name exists already.
    error PolicyParameterExists(bytes32 name);

    /// @dev `value` lies outside `[min, max]`.
    error PolicyValueOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    /// @dev `min` is above `max`, or the name is empty.
    error PolicyInvalidDefinition(bytes32 name, uint256 min, uint256 max);

    /// @dev Parallel arrays differ in length.
    error PolicyLengthMismatch();

    /// @dev The zero address cannot be banned.
    error PolicyInvalidNode(address node);

    /// @dev The node is already banned.
    error PolicyNodeAlreadyBanned(address node);

    /// @dev The node is not banned.
    error PolicyNodeNotBanned(address node);

    /// @notice Creates a parameter. Only governance.
    function defineParameter(bytes32 name, uint256 min, uint256 max, uint256 value) external;

    /// @notice Sets a parameter within its bounds. Only governance.
    function setParameter(bytes32 name, uint256 value) external;

    /// @notice Sets several parameters at once, all or none. Only governance.
    function setParameters(bytes32[] calldata names, uint256[] calldata values) external;

    /// @notice Bans a node key. Only governance.
    function banNode(address node) external;

    /// @notice Lifts a node key's ban. Only governance.
    function unbanNode(address node) external;

    /// @notice A parameter's value; reverts with {PolicyUnknownParameter} if undefined.
    function getParameter(bytes32 name) external view returns (uint256);

    /// @notice Every parameter with bounds, in definition order (one call for the coordinator).
    function parameters() external view returns (Parameter[] memory);

    /// @notice Whether `node` is banned.
    function isBanned(address node) external view returns (bool);

    /// @notice All banned node keys.
    function bannedNodes() external view returns (address[] memory);

    /// @notice The executor allowed to write (the timelock).
    function governance() external view returns (address);
}
