//! Ids shaped like Meta's, one shape per kind of object.
//!
//! Every object gets a number `n` from one global counter; its id is the kind's prefix followed
//! by an affine permutation of `n` over the kind's free digits. The permutation is a bijection,
//! so ids never repeat within a kind, they look scattered like Meta's, and the same seed and
//! the same sequence of creations give the same ids (`--seed`).

/// What an id names. The shapes follow the reference's samples (ref 001 inventory §1.6,
/// 000 inventory §1.3, 002-004 inventory §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    /// A Meta app (`990602627938098`, 15 digits).
    App,
    /// An Instagram professional account, the IG User (`17841405309211844`).
    IgUser,
    /// The app-scoped id Instagram Login's `/me` answers with (`90010177253934`).
    IgAppScopedUser,
    /// An Instagram user who is not an app's account: a commenter, a customer.
    Person,
    /// An Instagram-scoped id of a person as seen by one account (`526...`).
    Igsid,
    /// A Facebook user (the person behind a Facebook Login token).
    FacebookUser,
    /// A Facebook Page (`134895793791914`).
    Page,
    /// A published IG Media (`17895695668004550`).
    Media,
    /// An IG Container (`17889615691921648`).
    Container,
    /// An IG Comment (`17870913679156914`).
    Comment,
    /// An IG Hashtag (`17843857450040591`).
    Hashtag,
    /// Anything else numeric a later area needs (events, flows, ...).
    Other,
}

struct Shape {
    prefix: &'static str,
    free_digits: u32,
}

impl IdKind {
    fn shape(self) -> Shape {
        let (prefix, free_digits) = match self {
            IdKind::App => ("9", 14),
            IdKind::IgUser => ("178414", 11),
            IdKind::IgAppScopedUser => ("9001", 10),
            IdKind::Person => ("178415", 11),
            IdKind::Igsid => ("52", 14),
            IdKind::FacebookUser => ("10", 15),
            IdKind::Page => ("13", 13),
            IdKind::Media => ("179", 14),
            IdKind::Container => ("178", 14),
            IdKind::Comment => ("180", 14),
            IdKind::Hashtag => ("1784", 13),
            IdKind::Other => ("181", 14),
        };
        Shape {
            prefix,
            free_digits,
        }
    }

    /// Total length of this kind's ids.
    pub fn id_len(self) -> usize {
        let shape = self.shape();
        shape.prefix.len() + shape.free_digits as usize
    }
}

/// Mints ids from a seed and a counter value. The seed can be replaced while the minter is
/// shared (a snapshot import brings the seed it was taken with).
#[derive(Debug)]
pub struct IdMinter {
    seed: std::sync::atomic::AtomicU64,
}

impl Clone for IdMinter {
    fn clone(&self) -> Self {
        IdMinter::new(self.seed())
    }
}

impl PartialEq for IdMinter {
    fn eq(&self, other: &Self) -> bool {
        self.seed() == other.seed()
    }
}

impl Eq for IdMinter {}

impl IdMinter {
    pub fn new(seed: u64) -> Self {
        IdMinter {
            seed: std::sync::atomic::AtomicU64::new(seed),
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Mints from `seed` from now on.
    pub fn set_seed(&self, seed: u64) {
        self.seed.store(seed, std::sync::atomic::Ordering::Release);
    }

    /// The id of the `n`-th object of `kind`. Distinct `n` give distinct ids for one kind.
    pub fn mint(&self, kind: IdKind, n: u64) -> String {
        let shape = kind.shape();
        let modulus = 10u64.pow(shape.free_digits);
        let (a, b) = self.coefficients(kind, modulus);
        // a is coprime with 10^k, so n -> a*n + b (mod 10^k) is a permutation.
        let value = (mul_mod(a, n % modulus, modulus) + b) % modulus;
        format!(
            "{}{:0width$}",
            shape.prefix,
            value,
            width = shape.free_digits as usize
        )
    }

    fn coefficients(&self, kind: IdKind, modulus: u64) -> (u64, u64) {
        let mixed = splitmix64(self.seed() ^ splitmix64(kind as u64 + 1));
        let mut a = (mixed % modulus) | 1;
        if a.is_multiple_of(5) {
            a = (a + 2) % modulus;
        }
        let b = splitmix64(mixed) % modulus;
        (a, b)
    }
}

fn mul_mod(a: u64, b: u64, m: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(m)) as u64
}

/// A fast, well-mixed 64-bit hash step (Steele, Lea and Flood's SplitMix64).
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Whether `text` could be a Graph object id: 1 to 25 ASCII digits.
pub fn looks_like_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 25 {
        return false;
    }
    // Eight bytes at a time (every request's path is asked, some paths twice).
    let mut chunks = bytes.chunks_exact(8);
    chunks.by_ref().all(|chunk| {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        eight_digits(u64::from_le_bytes(word))
    }) && chunks.remainder().iter().all(u8::is_ascii_digit)
}

/// Whether all eight bytes of `word` are ASCII digits: each byte's high nibble is 3, and
/// adding 6 to its low nibble does not carry into the high one (the low nibble is 0 to 9).
fn eight_digits(word: u64) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    (word & HIGH) | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH) >> 4)
        == 0x3333_3333_3333_3333
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    proptest::proptest! {
        #[test]
        fn an_id_is_up_to_25_ascii_digits(text in "[0-9]{0,30}|[0-9/:.a ]{0,30}|\\PC{0,30}") {
            let naive = !text.is_empty()
                && text.len() <= 25
                && text.bytes().all(|b| b.is_ascii_digit());
            proptest::prop_assert_eq!(looks_like_id(&text), naive);
        }
    }

    #[test]
    fn every_byte_decides_whether_a_text_is_an_id() {
        for len in 1..=25 {
            let digits = "7".repeat(len);
            assert!(looks_like_id(&digits));
            for at in 0..len {
                for b in [b'/', b':', b'0' - 1, b'9' + 1, 0, 0x80, 0xff, b'a'] {
                    let mut bytes = digits.clone().into_bytes();
                    bytes[at] = b;
                    let text = String::from_utf8_lossy(&bytes);
                    assert!(!looks_like_id(&text), "{text:?}");
                }
            }
        }
        assert!(!looks_like_id(&"1".repeat(26)));
        assert!(!looks_like_id(""));
    }

    #[test]
    fn ids_have_their_kinds_shape() {
        let minter = IdMinter::new(7);
        let ig = minter.mint(IdKind::IgUser, 1);
        assert_eq!(ig.len(), 17);
        assert!(ig.starts_with("178414"));
        assert_eq!(minter.mint(IdKind::Page, 2).len(), 15);
        assert_eq!(minter.mint(IdKind::App, 3).len(), 15);
        assert_eq!(minter.mint(IdKind::Media, 4).len(), 17);
        assert_eq!(minter.mint(IdKind::IgAppScopedUser, 5).len(), 14);
        for kind in [IdKind::App, IdKind::IgUser, IdKind::Media, IdKind::Comment] {
            assert!(looks_like_id(&minter.mint(kind, 9)));
            assert_eq!(minter.mint(kind, 9).len(), kind.id_len());
        }
    }

    #[test]
    fn same_seed_same_ids_other_seed_other_ids() {
        let a = IdMinter::new(42);
        let b = IdMinter::new(42);
        let c = IdMinter::new(43);
        assert_eq!(a.mint(IdKind::Media, 10), b.mint(IdKind::Media, 10));
        assert_ne!(a.mint(IdKind::Media, 10), c.mint(IdKind::Media, 10));
    }

    #[test]
    fn ids_never_repeat_within_a_kind() {
        let minter = IdMinter::new(1);
        let ids: HashSet<_> = (0..50_000)
            .map(|n| minter.mint(IdKind::Comment, n))
            .collect();
        assert_eq!(ids.len(), 50_000);
    }

    #[test]
    fn recognises_ids() {
        assert!(looks_like_id("17841405309211844"));
        assert!(!looks_like_id("me"));
        assert!(!looks_like_id(""));
        assert!(!looks_like_id("12a"));
    }
}
