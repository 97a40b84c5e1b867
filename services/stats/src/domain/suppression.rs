//! Statistical disclosure control: which cells of a table must not be shown.
//!
//! Primary suppression hides a cell by its own value (a count of 1–4, hours of fewer than five
//! people: [`Figure::primary`](super::figures::Figure::primary)). Complementary suppression then
//! makes sure no hidden cell can be worked out from the others: a group is cells that add up
//! to a published total (the kinds of help of one office and period against its all-kinds
//! total; the months of a quarter against the quarter; the offices of a region against the
//! region). If exactly one entry of a group — a cell or the total — is hidden, subtracting the
//! rest would reveal it, so the smallest non-zero visible cell of the group is hidden too (the
//! total when no cell is left). Groups share cells, so this repeats until no group has exactly
//! one hidden entry. Zero stays visible: hiding it protects nothing.
//!
//! This is the classic single-equation rule, not an optimal (or multi-equation-proof)
//! protection; README.md says what it does and does not guarantee.

/// Cells that add up to `total` (all indices into the table).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub cells: Vec<usize>,
    pub total: usize,
}

/// Which cells to hide, given each cell's value, the cells hidden by their own value, and the
/// groups of cells adding up to totals. `values` and `primary` have one entry per cell.
pub fn protect(values: &[i64], primary: &[bool], groups: &[Group]) -> Vec<bool> {
    let mut hidden = primary.to_vec();
    loop {
        let mut changed = false;
        for group in groups {
            let hidden_count = group.cells.iter().filter(|&&c| hidden[c]).count()
                + usize::from(hidden[group.total]);
            if hidden_count != 1 {
                continue;
            }
            let smallest = group
                .cells
                .iter()
                .copied()
                .filter(|&c| !hidden[c] && values[c] != 0)
                .min_by_key(|&c| (values[c], c));
            match smallest {
                Some(cell) => {
                    hidden[cell] = true;
                    changed = true;
                }
                // The hidden cell is the only non-zero one: the total equals it.
                None if !hidden[group.total] && values[group.total] != 0 => {
                    hidden[group.total] = true;
                    changed = true;
                }
                None => {}
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn primary(values: &[i64]) -> Vec<bool> {
        values.iter().map(|v| (1..5).contains(v)).collect()
    }

    /// Cells 0..n with the total at n.
    fn row(values: &[i64]) -> (Vec<i64>, Group) {
        let mut all = values.to_vec();
        all.push(values.iter().sum());
        let group = Group {
            cells: (0..values.len()).collect(),
            total: values.len(),
        };
        (all, group)
    }

    #[test]
    fn a_lone_hidden_cell_takes_the_next_smallest_with_it() {
        let (values, group) = row(&[3, 40, 12, 0, 25]);
        let hidden = protect(&values, &primary(&values), &[group]);
        assert_eq!(hidden, [true, false, true, false, false, false]);
    }

    #[test]
    fn nothing_small_nothing_hidden_and_zero_stays_visible() {
        let (values, group) = row(&[0, 40, 12, 0]);
        let hidden = protect(&values, &primary(&values), &[group]);
        assert!(hidden.iter().all(|h| !h));
    }

    #[test]
    fn two_hidden_cells_protect_each_other() {
        let (values, group) = row(&[3, 2, 50]);
        let hidden = protect(&values, &primary(&values), &[group]);
        assert_eq!(hidden, [true, true, false, false]);
    }

    #[test]
    fn a_small_total_is_hidden_and_so_are_its_cells() {
        let (values, group) = row(&[3, 0, 0]);
        let hidden = protect(&values, &primary(&values), &[group]);
        assert_eq!(hidden, [true, false, false, true]);
    }

    #[test]
    fn a_total_equal_to_one_large_hidden_cell_is_hidden() {
        // Cell 0 (57) was hidden to protect something elsewhere; it is the only non-zero cell.
        let values = vec![57, 0, 57];
        let hidden = protect(
            &values,
            &[true, false, false],
            &[Group {
                cells: vec![0, 1],
                total: 2,
            }],
        );
        assert_eq!(hidden, [true, false, true]);
    }

    #[test]
    fn linked_tables_are_protected_in_both_directions() {
        // Two offices × two kinds, with row totals (offices), column totals (kinds) and the
        // grand total:
        //          kind a  kind b | office
        // office 1     3     20   |   23
        // office 2    30     40   |   70
        // ------------------------+------
        // region      33     60   |   93
        let values = vec![3, 20, 23, 30, 40, 70, 33, 60, 93];
        let groups = vec![
            Group {
                cells: vec![0, 1],
                total: 2,
            },
            Group {
                cells: vec![3, 4],
                total: 5,
            },
            Group {
                cells: vec![6, 7],
                total: 8,
            },
            Group {
                cells: vec![0, 3],
                total: 6,
            },
            Group {
                cells: vec![1, 4],
                total: 7,
            },
            Group {
                cells: vec![2, 5],
                total: 8,
            },
        ];
        let hidden = protect(&values, &primary(&values), &groups);
        for group in &groups {
            let n = group.cells.iter().filter(|&&c| hidden[c]).count()
                + usize::from(hidden[group.total]);
            assert_ne!(n, 1, "{group:?} would reveal its hidden entry: {hidden:?}");
        }
        assert!(hidden[0]);
        // The 3 cannot be had as 23 − 20, nor as 33 − 30.
        assert!(hidden[1] || hidden[2]);
        assert!(hidden[3] || hidden[6]);
    }
}
