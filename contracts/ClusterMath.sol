// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Cluster assignment of docs/clusters.md
/// @notice Members sorted by ring id are cut into k contiguous, balanced arcs. Everything here works on the
///         member's position in the sorted ring, so the contract answers "which cluster" in O(1).
library ClusterMath {
    /// @notice k = max(1, floor((2n + t) / (2t))): n / t rounded half up, at least one; no clusters for n = 0.
    function clusterCount(uint256 n, uint256 t) internal pure returns (uint32) {
        if (n == 0) return 0;
        uint256 k = (2 * n + t) / (2 * t);
        return k == 0 ? 1 : uint32(k);
    }

    /// @notice Cluster of the member at sorted index i: the first r = n mod k clusters have q + 1 members, the rest q.
    function clusterOfIndex(uint256 i, uint256 n, uint256 k) internal pure returns (uint32) {
        uint256 q = n / k;
        uint256 r = n % k;
        uint256 big = r * (q + 1);
        if (i < big) return uint32(i / (q + 1));
        return uint32(r + (i - big) / q);
    }

    /// @notice Sorted-index range [first, first + size) of cluster c.
    function clusterRange(uint256 c, uint256 n, uint256 k) internal pure returns (uint256 first, uint256 size) {
        uint256 q = n / k;
        uint256 r = n % k;
        if (c < r) return (c * (q + 1), q + 1);
        return (r * (q + 1) + (c - r) * q, q);
    }
}
