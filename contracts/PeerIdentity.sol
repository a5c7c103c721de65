// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title The PeerId ⇄ address link of a secp256k1 node key, computed on chain
/// @notice The node registers its uncompressed public key (64 bytes x‖y). From it follow both of its names:
///         the Ethereum address (last 20 bytes of keccak256(x‖y)) and the libp2p PeerId, the identity multihash of
///         the protobuf PublicKey{Type: Secp256k1, Data: compressed key}. The ring id is sha256 of the PeerId bytes.
library PeerIdentity {
    /// @dev identity multihash (0x00), length 37 (0x25), protobuf field 1 varint 2 = Secp256k1 (0x08 0x02),
    ///      field 2 length-delimited 33 bytes (0x12 0x21).
    bytes6 internal constant PEER_ID_PREFIX = 0x002508021221;

    function addressOf(bytes calldata publicKey) internal pure returns (address) {
        return address(uint160(uint256(keccak256(publicKey))));
    }

    /// @notice x coordinate and y parity of a 64-byte uncompressed key (without the 0x04 prefix).
    function split(bytes calldata publicKey) internal pure returns (bytes32 x, bool oddY) {
        x = bytes32(publicKey[0:32]);
        oddY = uint8(publicKey[63]) & 1 == 1;
    }

    /// @notice The 39 PeerId bytes: prefix ‖ (0x02 | 0x03 for odd y) ‖ x.
    function peerId(bytes32 x, bool oddY) internal pure returns (bytes memory) {
        return abi.encodePacked(PEER_ID_PREFIX, oddY ? bytes1(0x03) : bytes1(0x02), x);
    }

    function ringId(bytes32 x, bool oddY) internal pure returns (bytes32) {
        return sha256(peerId(x, oddY));
    }
}
