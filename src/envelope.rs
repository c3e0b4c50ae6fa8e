//! A curve kept at a resolution that adapts as it grows: the minimum and maximum of each run
//! of consecutive values, in a bounded number of buckets.

/// The minimum and maximum of a curve over consecutive buckets of steps.
///
/// Values are pushed one step at a time. Each bucket covers `width` steps; when `capacity`
/// buckets are full, neighbours are merged in pairs and the width doubles. Memory is therefore
/// bounded by `capacity` whatever the length of the run, and drawing a bucket as a vertical
/// stroke from its minimum to its maximum shows everything a plot of every value would show at
/// that resolution.
///
/// ```
/// let mut envelope = ils::Envelope::new(4);
/// for v in [5.0, 3.0, 4.0, 1.0, 2.0, 0.0] {
///     envelope.push(v);
/// }
/// // Four buckets of one step filled up and merged into two of two steps.
/// assert_eq!(envelope.width(), 2);
/// let buckets: Vec<_> = envelope.buckets().collect();
/// assert_eq!(buckets, [(0, 3.0, 5.0), (2, 1.0, 4.0), (4, 0.0, 2.0)]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Envelope {
    capacity: usize,
    width: u64,
    /// Full buckets as `(min, max)`.
    full: Vec<(f64, f64)>,
    /// The bucket being filled, with how many values it holds.
    pending: Option<(f64, f64, u64)>,
    len: u64,
}

impl Envelope {
    /// An empty envelope of at most `capacity` buckets (rounded up to an even number, at
    /// least 2).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(2).next_multiple_of(2);
        Self {
            capacity,
            width: 1,
            full: Vec::with_capacity(capacity),
            pending: None,
            len: 0,
        }
    }

    /// An envelope of all of `values`.
    pub fn from_values(values: &[f64], capacity: usize) -> Self {
        let mut envelope = Self::new(capacity);
        values.iter().for_each(|&v| envelope.push(v));
        envelope
    }

    /// Appends the value of the next step.
    pub fn push(&mut self, value: f64) {
        let (min, max, count) = match self.pending {
            Some((min, max, count)) => (min.min(value), max.max(value), count + 1),
            None => (value, value, 1),
        };
        self.len += 1;
        if count < self.width {
            self.pending = Some((min, max, count));
            return;
        }
        self.pending = None;
        self.full.push((min, max));
        if self.full.len() == self.capacity {
            for i in 0..self.capacity / 2 {
                let (a, b) = (self.full[2 * i], self.full[2 * i + 1]);
                self.full[i] = (a.0.min(b.0), a.1.max(b.1));
            }
            self.full.truncate(self.capacity / 2);
            self.width *= 2;
        }
    }

    /// How many values have been pushed.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no value has been pushed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many steps each bucket covers now.
    pub fn width(&self) -> u64 {
        self.width
    }

    /// The last value's bucket bounds, if any value has been pushed.
    pub fn last(&self) -> Option<(f64, f64)> {
        match self.pending {
            Some((min, max, _)) => Some((min, max)),
            None => self.full.last().copied(),
        }
    }

    /// The buckets in order as `(first step, min, max)`, the last one possibly partly filled.
    pub fn buckets(&self) -> impl Iterator<Item = (u64, f64, f64)> + '_ {
        let pending = self.pending.map(|(min, max, _)| (min, max));
        self.full
            .iter()
            .copied()
            .chain(pending)
            .enumerate()
            .map(|(i, (min, max))| (i as u64 * self.width, min, max))
    }

    /// The smallest and largest value pushed, or `None` if empty.
    pub fn range(&self) -> Option<(f64, f64)> {
        self.buckets()
            .map(|(_, min, max)| (min, max))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
    }

    /// The buckets merged further into `columns` equal spans of the steps `0..span`, as
    /// `(first step, min, max)`, skipping empty spans: what a plot `columns` pixels wide can
    /// show. The cost depends on the capacity, not on the number of steps.
    pub fn columns(&self, columns: usize, span: u64) -> Vec<(u64, f64, f64)> {
        let columns = columns.max(1) as u64;
        let span = span.max(1);
        let mut out: Vec<(u64, f64, f64)> = Vec::with_capacity(columns as usize);
        let mut current: Option<(u64, u64, f64, f64)> = None; // (column, first step, min, max)
        // Buckets past the span (a longer previous run drawn on a shorter axis) are left out.
        for (step, min, max) in self.buckets().take_while(|&(step, _, _)| step <= span) {
            let column = (u128::from(step) * u128::from(columns) / u128::from(span)) as u64;
            current = match current {
                Some((c, first, lo, hi)) if c == column => {
                    Some((c, first, lo.min(min), hi.max(max)))
                }
                Some((_, first, lo, hi)) => {
                    out.push((first, lo, hi));
                    Some((column, step, min, max))
                }
                None => Some((column, step, min, max)),
            };
        }
        out.extend(current.map(|(_, first, lo, hi)| (first, lo, hi)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_and_extremes_survive() {
        let mut envelope = Envelope::new(64);
        let n = 1_000_003u64;
        for i in 0..n {
            // A slow decay with one spike and one dip that must stay visible.
            let v = match i {
                500_000 => 10.0,
                700_001 => -10.0,
                _ => 1.0 / (1.0 + i as f64),
            };
            envelope.push(v);
        }
        assert_eq!(envelope.len(), n);
        let buckets: Vec<_> = envelope.buckets().collect();
        assert!(buckets.len() <= 64, "{} buckets", buckets.len());
        // The width doubles each time 64 buckets fill, at 64 w values: it reached 2^14 at
        // 64 * 2^13 = 524,288 values and would reach 2^15 only at 1,048,576.
        assert_eq!(envelope.width(), 1 << 14);
        assert_eq!(envelope.range(), Some((-10.0, 10.0)));
        let spike = buckets.iter().find(|b| b.2 == 10.0).expect("spike kept");
        assert!(spike.0 <= 500_000 && 500_000 < spike.0 + envelope.width());
        assert_eq!(buckets[0], (0, 1.0 / (1.0 + 16383.0), 1.0));
    }

    #[test]
    fn columns_merge_buckets_by_pixel() {
        let envelope = Envelope::from_values(&[4.0, 1.0, 3.0, 2.0, 8.0, 0.5], 100);
        // Six steps in three columns of two steps each.
        assert_eq!(
            envelope.columns(3, 6),
            [(0, 1.0, 4.0), (2, 2.0, 3.0), (4, 0.5, 8.0)]
        );
        // More columns than steps: every step is its own column.
        assert_eq!(envelope.columns(600, 6).len(), 6);
        // A shorter span than the curve: the steps beyond it are left out.
        assert_eq!(
            envelope.columns(2, 2),
            [(0, 4.0, 4.0), (1, 1.0, 1.0), (2, 3.0, 3.0)]
        );
    }

    #[test]
    fn empty_envelope() {
        let envelope = Envelope::new(10);
        assert!(envelope.is_empty());
        assert_eq!(envelope.range(), None);
        assert!(envelope.columns(10, 10).is_empty());
    }
}
