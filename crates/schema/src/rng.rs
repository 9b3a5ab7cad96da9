//! The one portable random stream every generator draws from: SplitMix64, counter-based.
//!
//! SplitMix64 (Steele, Lea, Flood 2014) uses only wrapping 64-bit integer arithmetic, so its
//! output is the same on 64-bit hosts and on wasm32 (unlike `rand`'s `SmallRng`, whose algorithm
//! depends on the pointer width). A stream can start from a plain seed ([`Rng::new`]) or be keyed
//! by (seed, stream, row) ([`Rng::for_row`]), so a row can be produced without producing the rows
//! before it. Floats come from integer bits and are combined with `+`, `*` and `/` only, which
//! IEEE 754 makes exact everywhere; nothing here calls `ln`, `exp` or `cos`, whose libm results
//! may differ between targets.
//!
//! The generators were written separately and derive some values differently (two normal
//! approximations); both derivations are kept as named methods, because changing either would
//! change every file its generator has ever written.

/// The golden-ratio increment of SplitMix64.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// A SplitMix64 stream.
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

/// The SplitMix64 finaliser: a bijective mix of all 64 bits.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The high 64 bits of the 128-bit product `a × b`, exactly.
///
/// A `u128` multiply is one instruction on 64-bit hosts but a library call on wasm32, and this
/// runs several times per row. Every `n` the generators draw below fits in 32 bits, where two
/// products suffice: `⌊a·b / 2⁶⁴⌋ = ⌊(a_hi·b + ⌊a_lo·b / 2³²⌋) / 2³²⌋`, and the sum cannot
/// overflow. LLVM recognises the four-product form below as a 128-bit multiply and turns it
/// back into the library call, so the common case must not go through it.
#[inline]
pub fn mul_high(a: u64, b: u64) -> u64 {
    if b >> 32 == 0 {
        let (a_lo, a_hi) = (a & 0xFFFF_FFFF, a >> 32);
        return (a_hi * b + ((a_lo * b) >> 32)) >> 32;
    }
    let (a_lo, a_hi) = (a & 0xFFFF_FFFF, a >> 32);
    let (b_lo, b_hi) = (b & 0xFFFF_FFFF, b >> 32);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let cross = (lo_lo >> 32) + (hi_lo & 0xFFFF_FFFF) + lo_hi;
    a_hi * b_hi + (hi_lo >> 32) + (cross >> 32)
}

/// Derives an independent seed for a sub-task (a fold, a forest chunk) from a base seed.
pub fn derive_seed(base: u64, stream: u64) -> u64 {
    Rng::new(base ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)).next_u64()
}

impl Rng {
    /// The plain SplitMix64 stream whose state starts at `seed` (the published reference
    /// seeding: `Rng::new(0)` gives `0xE220_A839_7B1D_CDAF` first).
    #[inline]
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    /// The stream of row `row` of stream `stream` (a table, or a per-entity trait like ability).
    #[inline]
    pub fn for_row(seed: u64, stream: u64, row: u64) -> Rng {
        let key = mix(seed ^ mix(stream.wrapping_mul(GOLDEN).wrapping_add(0x1234_5678)));
        Rng {
            state: mix(key ^ row.wrapping_mul(0xD1B5_4A32_D192_ED03)),
        }
    }

    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A number in `0..n` (0 when `n` is 0), by Lemire's multiply-shift; the bias is below
    /// 2^-32 for our sizes and there is no platform-dependent `usize` arithmetic.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        mul_high(self.next_u64(), n)
    }

    /// An index into a slice of length `len` (0 when `len` is 0).
    #[inline]
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A number in `lo..=hi` (either order).
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = hi.abs_diff(lo) + 1;
        lo.min(hi) + self.below(span) as i64
    }

    /// A float in `[0, 1)` with 53 random bits; the conversion is exact on every target.
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A float in `[lo, hi)`.
    #[inline]
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// True with probability `p`, by a float draw.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// True with probability `p`/1000, by an integer draw.
    #[inline]
    pub fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    /// An approximately standard normal number: the Irwin–Hall sum of four uniforms, centred
    /// and scaled to unit variance (bounded to ±3.46, which suits marks and abilities).
    #[inline]
    pub fn normal4(&mut self) -> f64 {
        let sum = self.unit() + self.unit() + self.unit() + self.unit();
        (sum - 2.0) * 1.732_050_807_568_877_2
    }

    /// An approximately standard normal number: the Irwin–Hall sum of twelve uniforms minus 6
    /// (unit variance without scaling, bounded to ±6; the occupancy generator's noise).
    #[inline]
    pub fn normal12(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.unit();
        }
        sum - 6.0
    }

    /// One of `items`, uniformly. `items` are embedded lists, never empty.
    pub fn pick_ref<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        debug_assert!(!items.is_empty(), "pick from an empty list");
        let idx = self.index(items.len());
        &items[idx.min(items.len().saturating_sub(1))]
    }

    /// A copy of one of `items`, uniformly.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *self.pick_ref(items)
    }

    /// An index drawn with the given integer weights.
    #[inline]
    pub fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut roll = self.below(total);
        for (idx, &w) in weights.iter().enumerate() {
            if roll < u64::from(w) {
                return idx;
            }
            roll -= u64::from(w);
        }
        weights.len().saturating_sub(1)
    }

    /// A Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_stream() {
        // Reference values of SplitMix64 seeded with 0 (from the published C implementation).
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn streams_are_fixed_forever() {
        // These values pin the stream: changing them changes every generated file.
        let mut rng = Rng::for_row(42, 7, 3);
        let first = [rng.next_u64(), rng.next_u64()];
        let again = Rng::for_row(42, 7, 3).next_u64();
        assert_eq!(first[0], again);
        assert_ne!(Rng::for_row(42, 7, 4).next_u64(), first[0]);
        assert_ne!(Rng::for_row(42, 8, 3).next_u64(), first[0]);
        assert_eq!(
            first,
            [1_351_337_548_120_798_658, 18_011_349_275_781_404_678]
        );
    }

    #[test]
    fn every_derivation_is_pinned() {
        // One pinned draw per derivation, from the three streams this type replaced (the UMS
        // generator, the ETL sample, the occupancy generator): a change here changes files.
        // Values computed with the three original implementations before they were merged.
        let mut ums = Rng::for_row(42, 5, 17);
        assert_eq!(ums.below(1000), 664);
        assert_eq!(ums.range(-3, 9), 7);
        assert_eq!(ums.unit().to_bits(), 0x3feb_dc99_afe3_b200);
        assert_eq!(ums.normal4().to_bits(), 0x3fc4_d865_baea_27b1);
        assert_eq!(ums.weighted(&[3, 0, 5, 1]), 3);
        assert_eq!(ums.pick(&[10, 20, 30]), 20);

        let mut occupancy = Rng::new(42);
        let mut order: Vec<u32> = (0..8).collect();
        occupancy.shuffle(&mut order);
        assert_eq!(order, [4, 3, 2, 0, 7, 6, 1, 5]);
        assert_eq!(
            occupancy.uniform(0.7, 1.85).to_bits(),
            0x3ff9_ee7f_138d_002b
        );
        assert_eq!(occupancy.index(13), 4);
        assert_eq!(occupancy.normal12().to_bits(), 0xbfdc_57aa_f810_8c20);
        assert_eq!(derive_seed(42, 3), 5_632_914_758_302_621_589);

        let mut sample = Rng::new(7 ^ 0x5EED_CAFE_F00D_0001);
        assert_eq!(sample.range(450, 990), 613);
        assert!(!sample.per_mille(30));
        assert_eq!(sample.pick(&["M", "F", "GEN"]), "M");
        assert_eq!(sample.below(1000), 730);
    }

    #[test]
    fn mul_high_equals_the_u128_product() {
        let mut rng = Rng::for_row(9, 9, 9);
        let edges = [0, 1, 2, 0xFFFF_FFFF, 0x1_0000_0000, u64::MAX - 1, u64::MAX];
        let mut pairs: Vec<(u64, u64)> = edges
            .iter()
            .flat_map(|&a| edges.iter().map(move |&b| (a, b)))
            .collect();
        pairs.extend((0..10_000).map(|_| (rng.next_u64(), rng.next_u64())));
        // The 32-bit fast path, at every width of `b`.
        pairs.extend((0..10_000).map(|i| (rng.next_u64(), rng.next_u64() >> (32 + i % 32))));
        for (a, b) in pairs {
            assert_eq!(
                mul_high(a, b),
                ((u128::from(a) * u128::from(b)) >> 64) as u64,
                "{a} × {b}"
            );
        }
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut rng = Rng::for_row(1, 2, 3);
        for _ in 0..10_000 {
            assert!(rng.below(7) < 7);
            assert!((-3..=3).contains(&rng.range(-3, 3)));
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            assert!((-3.47..=3.47).contains(&rng.normal4()));
            assert!((-6.0..=6.0).contains(&rng.normal12()));
            assert!(rng.weighted(&[0, 5, 0, 1]) % 2 == 1);
            assert!((2.0..3.0).contains(&rng.uniform(2.0, 3.0)));
        }
        assert_eq!(rng.below(0), 0);
        let mut rng = Rng::new(7);
        for n in [1u64, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(rng.below(n) < n);
            }
        }
        let mut items: Vec<u32> = (0..50).collect();
        rng.shuffle(&mut items);
        items.sort_unstable();
        assert_eq!(items, (0..50).collect::<Vec<_>>());
    }
}
