//! Distances between an office's districts. Offices think in districts and their neighbours,
//! not in kilometres ("the next district over is fine, across the river is not"), so distance is
//! the number of hops between neighbouring districts. All pairs are computed once when the map is
//! built, so a distance during ranking is one table lookup.

use std::collections::VecDeque;

use crate::types::DistrictId;

/// Hop distances between an office's districts `0..count`, built by breadth-first search from
/// each district over the neighbour pairs. Unreachable pairs are `u8::MAX`; longer real paths
/// saturate at `u8::MAX - 1`. Memory is `count²` bytes, meant for the tens (at most a few
/// hundred) districts or estates one office covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DistrictMap {
    count: u16,
    hops: Vec<u8>,
}

impl DistrictMap {
    pub const UNREACHABLE: u8 = u8::MAX;

    /// `pairs` are neighbouring districts, in either order; pairs naming a district outside
    /// `0..count` are ignored.
    pub fn from_neighbours(count: u16, pairs: &[(DistrictId, DistrictId)]) -> Self {
        let n = usize::from(count);
        let mut neighbours = vec![Vec::new(); n];
        for &(a, b) in pairs {
            let (a, b) = (usize::from(a.0), usize::from(b.0));
            if a < n && b < n && a != b {
                neighbours[a].push(b);
                neighbours[b].push(a);
            }
        }
        let mut hops = vec![Self::UNREACHABLE; n * n];
        let mut queue = VecDeque::with_capacity(n);
        for from in 0..n {
            let row = &mut hops[from * n..(from + 1) * n];
            row[from] = 0;
            queue.push_back(from);
            while let Some(at) = queue.pop_front() {
                let next = row[at].saturating_add(1).min(Self::UNREACHABLE - 1);
                for &to in &neighbours[at] {
                    if row[to] == Self::UNREACHABLE {
                        row[to] = next;
                        queue.push_back(to);
                    }
                }
            }
        }
        Self { count, hops }
    }

    /// Hops from `a` to `b`: 0 for the same district (even one the map does not know),
    /// [`Self::UNREACHABLE`] when there is no path or either is unknown.
    pub fn distance(&self, a: DistrictId, b: DistrictId) -> u8 {
        if a == b {
            return 0;
        }
        let n = usize::from(self.count);
        let (a, b) = (usize::from(a.0), usize::from(b.0));
        if a >= n || b >= n {
            return Self::UNREACHABLE;
        }
        self.hops[a * n + b]
    }

    /// How many districts the map knows.
    pub fn count(&self) -> u16 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: u16) -> DistrictId {
        DistrictId(id)
    }

    #[test]
    fn a_chain_counts_hops_both_ways() {
        let map = DistrictMap::from_neighbours(
            5,
            &[(d(0), d(1)), (d(2), d(1)), (d(2), d(3)), (d(3), d(4))],
        );
        assert_eq!(map.distance(d(0), d(0)), 0);
        assert_eq!(map.distance(d(0), d(1)), 1);
        assert_eq!(map.distance(d(0), d(4)), 4);
        assert_eq!(map.distance(d(4), d(0)), 4);
        assert_eq!(map.distance(d(3), d(1)), 2);
    }

    #[test]
    fn a_grid_takes_the_shortest_way() {
        // 0 1 2
        // 3 4 5
        let map = DistrictMap::from_neighbours(
            6,
            &[
                (d(0), d(1)),
                (d(1), d(2)),
                (d(3), d(4)),
                (d(4), d(5)),
                (d(0), d(3)),
                (d(1), d(4)),
                (d(2), d(5)),
            ],
        );
        assert_eq!(map.distance(d(0), d(5)), 3);
        assert_eq!(map.distance(d(3), d(2)), 3);
        assert_eq!(map.distance(d(1), d(3)), 2);
    }

    #[test]
    fn islands_and_unknown_districts_are_unreachable() {
        let map = DistrictMap::from_neighbours(4, &[(d(0), d(1)), (d(2), d(3)), (d(1), d(9))]);
        assert_eq!(map.distance(d(0), d(2)), DistrictMap::UNREACHABLE);
        assert_eq!(map.distance(d(3), d(2)), 1);
        assert_eq!(map.distance(d(1), d(9)), DistrictMap::UNREACHABLE);
        assert_eq!(map.distance(d(9), d(9)), 0);
        assert_eq!(
            DistrictMap::default().distance(d(0), d(1)),
            DistrictMap::UNREACHABLE
        );
    }

    #[test]
    fn very_long_paths_saturate_below_unreachable() {
        let pairs: Vec<_> = (0..299).map(|i| (d(i), d(i + 1))).collect();
        let map = DistrictMap::from_neighbours(300, &pairs);
        assert_eq!(map.distance(d(0), d(100)), 100);
        assert_eq!(map.distance(d(0), d(299)), DistrictMap::UNREACHABLE - 1);
    }
}
