//! Which connections a [`Cut`] aborts, and after how many bytes: drawn
//! from the seed and the connection's index alone, so a run repeats.

use super::{Cut, CutWhen};

impl Cut {
    /// The byte count after which connection `index` (in accept order,
    /// from 0) is cut, or `None` when it is left alone.
    pub fn draw(&self, index: u64) -> Option<u64> {
        let mut state = self.seed ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let chosen = match self.when {
            CutWhen::FirstConnections(count) => index < count,
            CutWhen::Probability(probability) => {
                // 53 random bits as a fraction in [0, 1).
                let fraction = (splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64;
                fraction < probability
            }
        };
        if !chosen {
            return None;
        }
        let (low, high) = (*self.bytes.start(), *self.bytes.end());
        if high <= low {
            return Some(low);
        }
        let span = high - low;
        let offset = match span.checked_add(1) {
            Some(count) => splitmix64(&mut state) % count,
            None => splitmix64(&mut state),
        };
        Some(low + offset)
    }
}

/// SplitMix64 (Steele, Lea and Flood, 2014): one step of the generator.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
