//! Signing a body as Meta signs event notifications: HMAC over the exact bytes sent, keyed with
//! the app secret, in `X-Hub-Signature-256: sha256=<hex>` (ref 004 L2366-2373) and the legacy
//! `X-Hub-Signature: sha1=<hex>` the sample app checks (004 L2232-2236).

use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;

pub const SHA256_HEADER: &str = "X-Hub-Signature-256";
pub const SHA1_HEADER: &str = "X-Hub-Signature";

/// `sha256=<hex HMAC-SHA256(secret, body)>`.
pub fn sha256(secret: &str, body: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => String::from("sha256="),
    }
}

/// `sha1=<hex HMAC-SHA1(secret, body)>`.
pub fn sha1(secret: &str, body: &[u8]) -> String {
    match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            format!("sha1={}", hex::encode(mac.finalize().into_bytes()))
        }
        Err(_) => String::from("sha1="),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_known_hmac_vectors() {
        // RFC 4231 test case 2 and its SHA-1 counterpart (RFC 2202 test case 2).
        assert_eq!(
            sha256("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            sha1("Jefe", b"what do ya want for nothing?"),
            "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
