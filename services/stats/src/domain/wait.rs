//! Waiting times from a need's opening to its first assignment: the median and the 90th
//! percentile of a period's needs, by linear interpolation between the nearest ranks (as
//! PostgreSQL's `percentile_cont`).

use super::figures::Totals;

/// The `q`-quantile (0–1) of `sorted` values, rounded to whole seconds; `None` when empty.
pub fn percentile(sorted: &[i64], q: f64) -> Option<i64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    let low = sorted[below] as f64;
    let high = sorted[above.min(last)] as f64;
    Some((low + (high - low) * (position - below as f64)).round() as i64)
}

/// Writes a period's sample (seconds each need waited, sorted) into its row.
pub fn summarise(sorted: &[i64], into: &mut Totals) {
    into.needs_assigned = i64::try_from(sorted.len()).unwrap_or(i64::MAX);
    into.wait_median_secs = percentile(sorted, 0.5);
    into.wait_p90_secs = percentile(sorted, 0.9);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_between_ranks() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.9), Some(7));
        assert_eq!(percentile(&[10, 20], 0.5), Some(15));
        assert_eq!(percentile(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), Some(9));
        assert_eq!(percentile(&[0, 100, 200, 300, 400], 0.5), Some(200));
    }
}
