// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";
import {IMeshPolicy} from "./IMeshPolicy.sol";

/**
 * @title MeshPolicy
 * @notice See {IMeshPolicy}. Written only by the DAO's timelock.
 */
contract MeshPolicy is IMeshPolicy {
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @dev `defined` tells an unset name from a parameter whose value is 0.
    struct Bounds {
        uint128 min;
        uint128 max;
        bool defined;
    }

    address private immutable _governance;

    bytes32[] private _names;
    mapping(bytes32 name => uint256) private _values;
    mapping(bytes32 name => Bounds) private _bounds;
    EnumerableSet.AddressSet private _banned;

    modifier onlyGovernance() {
        _checkGovernance();
        _;
    }

    /**
     * @param governance_ the executor allowed to write (the DAO's timelock).
     * @param names the parameters defined at deployment, with their
     * @param mins lower bounds,
     * @param maxs upper bounds,
     * @param values and first values (parallel arrays).
     */
    constructor(
        address governance_,
        bytes32[] memory names,
        uint256[] memory mins,
        uint256[] memory maxs,
        uint256[] memory values
    ) {
        if (names.length != mins.length || names.length != maxs.length || names.length != values.length) {
            revert PolicyLengthMismatch();
        }
        _governance = governance_;
        for (uint256 i = 0; i < names.length; ++i) {
            _defineParameter(names[i], mins[i], maxs[i], values[i]);
        }
    }

    /// @inheritdoc IMeshPolicy
    function governance() external view returns (address) {
        return _governance;
    }

    /// @inheritdoc IMeshPolicy
    function defineParameter(bytes32 name, uint256 min, uint256 max, uint256 value) external onlyGovernance {
        _defineParameter(name, min, max, value);
    }

    /// @inheritdoc IMeshPolicy
    function setParameter(bytes32 name, uint256 value) external onlyGovernance {
        _setParameter(name, value);
    }

    /// @inheritdoc IMeshPolicy
    function setParameters(bytes32[] calldata names, uint256[] calldata values) external onlyGovernance {
        if (names.length != values.length) revert PolicyLengthMismatch();
        for (uint256 i = 0; i < names.length; ++i) {
            _setParameter(names[i], values[i]);
        }
    }

    /// @inheritdoc IMeshPolicy
    function banNode(address node) external onlyGovernance {
        if (node == address(0)) revert PolicyInvalidNode(node);
        if (!_banned.add(node)) revert PolicyNodeAlreadyBanned(node);
        emit NodeBanned(node);
    }

    /// @inheritdoc IMeshPolicy
    function unbanNode(address node) external onlyGovernance {
        if (!_banned.remove(node)) revert PolicyNodeNotBanned(node);
        emit NodeUnbanned(node);
    }

    /// @inheritdoc IMeshPolicy
    function getParameter(bytes32 name) external view returns (uint256) {
        if (!_bounds[name].defined) revert PolicyUnknownParameter(name);
        return _values[name];
    }

    /// @inheritdoc IMeshPolicy
    function parameters() external view returns (Parameter[] memory all) {
        all = new Parameter[](_names.length);
        for (uint256 i = 0; i < _names.length; ++i) {
            bytes32 name = _names[i];
            Bounds memory bounds = _bounds[name];
            all[i] = Parameter({name: name, value: _values[name], min: bounds.min, max: bounds.max});
        }
    }

    /// @inheritdoc IMeshPolicy
    function isBanned(address node) external view returns (bool) {
        return _banned.contains(node);
    }

    /// @inheritdoc IMeshPolicy
    function bannedNodes() external view returns (address[] memory) {
        return _banned.values();
    }

    function _checkGovernance() private view {
        if (msg.sender != _governance) revert PolicyUnauthorized(msg.sender);
    }

    function _defineParameter(bytes32 name, uint256 min, uint256 max, uint256 value) private {
        if (name == bytes32(0) || min > max || max > type(uint128).max) {
            revert PolicyInvalidDefinition(name, min, max);
        }
        if (_bounds[name].defined) revert PolicyParameterExists(name);
        if (value < min || value > max) revert PolicyValueOutOfBounds(name, value, min, max);
        _bounds[name] = Bounds({min: uint128(min), max: uint128(max), defined: true});
        _names.push(name);
        _values[name] = value;
        emit ParameterDefined(name, min, max, value);
    }

    function _setParameter(bytes32 name, uint256 value) private {
        Bounds memory bounds = _bounds[name];
        if (!bounds.defined) revert PolicyUnknownParameter(name);
        if (value < bounds.min || value > bounds.max) {
            revert PolicyValueOutOfBounds(name, value, bounds.min, bounds.max);
        }
        uint256 oldValue = _values[name];
        _values[name] = value;
        emit ParameterSet(name, oldValue, value);
    }
}
