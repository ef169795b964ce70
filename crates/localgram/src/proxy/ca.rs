//! The local certificate authority: created once, kept on disk so a user trusts it once, and
//! the leaf certificates it signs for Meta's hosts, made on demand and cached in memory.
//!
//! Validity dates use the real clock, not the virtual one: TLS clients check certificates
//! against their own (real) time, whatever localgram's clock says (docs/decisions.md).

use parking_lot::Mutex;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

/// The CA certificate, PEM (what users trust; `localgram ca` prints it).
pub const CERT_FILE: &str = "ca-cert.pem";
/// The CA's private key, PKCS#8 PEM, readable by its owner only.
pub const KEY_FILE: &str = "ca-key.pem";
/// The system's trusted roots plus the CA, for variables that replace the trust store
/// (`SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`, `CURL_CA_BUNDLE`); written by `localgram env`.
pub const BUNDLE_FILE: &str = "ca-bundle.pem";

/// The CA's subject. Fixed, so the issuer of a leaf can be rebuilt from the stored key alone:
/// an issuer is its name, its key identifier (from the key) and its key usages.
const CA_NAME: &str = "localgram local CA (development only)";
const CA_ORG: &str = "localgram";
/// Ten years: trusted once, not again every year.
const CA_VALID_DAYS: i64 = 3650;
/// Leaves live in memory for one run; 397 days is the longest any client accepts.
const LEAF_VALID_DAYS: i64 = 397;

#[derive(Debug, thiserror::Error)]
pub enum CaError {
    #[error("cannot use the CA directory {dir}: {source}")]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("the CA in {dir} is unreadable ({reason}); remove {cert} and {key} to make a new one")]
    Corrupt {
        dir: PathBuf,
        reason: String,
        cert: &'static str,
        key: &'static str,
    },
    #[error("cannot make a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("cannot use a certificate: {0}")]
    Tls(#[from] rustls::Error),
}

/// Where the CA lives when `--ca-dir` is not given: `DATA/ca` with `--data`, else a stable
/// per-user place (`$XDG_DATA_HOME/localgram/ca`, else `~/.local/share/localgram/ca`), so an
/// ephemeral run reuses the CA the user already trusts.
pub fn default_dir(data_dir: Option<&Path>) -> PathBuf {
    if let Some(data) = data_dir {
        return data.join("ca");
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|home| PathBuf::from(home).join(".local/share"))
        })
        .unwrap_or_else(|| std::env::temp_dir().join("localgram-user"));
    base.join("localgram").join("ca")
}

/// A loaded CA that signs leaves, with the leaves made so far.
pub struct Authority {
    dir: PathBuf,
    cert_pem: String,
    cert_der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
    leaves: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").field("dir", &self.dir).finish()
    }
}

fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_NAME);
    name.push(DnType::OrganizationName, CA_ORG);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

impl Authority {
    /// Loads the CA from `dir`, or creates it there (the key readable by its owner only).
    pub fn load_or_create(dir: &Path) -> Result<Authority, CaError> {
        let io = |source| CaError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let cert_path = dir.join(CERT_FILE);
        let key_path = dir.join(KEY_FILE);
        if !key_path.exists() {
            match create(dir) {
                Ok(()) => {}
                // Another localgram created it at the same moment: use theirs.
                Err(CaError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(error),
            }
        }
        // The key is written before the certificate; give a concurrent creator time to finish.
        let mut waited = 0;
        while !cert_path.exists() && waited < 40 {
            std::thread::sleep(std::time::Duration::from_millis(50));
            waited += 1;
        }
        let key_pem = std::fs::read_to_string(&key_path).map_err(io)?;
        let cert_pem = std::fs::read_to_string(&cert_path).map_err(io)?;
        Self::from_pem(dir, &cert_pem, &key_pem)
    }

    fn from_pem(dir: &Path, cert_pem: &str, key_pem: &str) -> Result<Authority, CaError> {
        let corrupt = |reason: String| CaError::Corrupt {
            dir: dir.to_path_buf(),
            reason,
            cert: CERT_FILE,
            key: KEY_FILE,
        };
        let key = KeyPair::from_pem(key_pem).map_err(|e| corrupt(format!("key: {e}")))?;
        let cert_der = first_certificate(cert_pem).ok_or_else(|| corrupt("certificate".into()))?;
        // The stored certificate must belong to the stored key, or leaves would not chain.
        let public = key.public_key_raw();
        if !cert_der.as_ref().windows(public.len()).any(|w| w == public) {
            return Err(corrupt("the certificate is not the key's".into()));
        }
        Ok(Authority {
            dir: dir.to_path_buf(),
            cert_pem: cert_pem.to_string(),
            cert_der,
            issuer: Issuer::new(ca_params(), key),
            leaves: Mutex::new(HashMap::new()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn cert_path(&self) -> PathBuf {
        self.dir.join(CERT_FILE)
    }

    /// The CA certificate in PEM, as users add it to their trust stores.
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert_der
    }

    /// The leaf for `names` (the first is the cache key), made once per run.
    pub fn leaf(&self, names: &[&str]) -> Result<Arc<CertifiedKey>, CaError> {
        let key = names.join(",");
        if let Some(found) = self.leaves.lock().get(&key) {
            return Ok(found.clone());
        }
        let made = Arc::new(self.sign_leaf(names)?);
        // Two handshakes may make the same leaf at once; either is valid, keep the first.
        Ok(self.leaves.lock().entry(key).or_insert(made).clone())
    }

    fn sign_leaf(&self, names: &[&str]) -> Result<CertifiedKey, CaError> {
        let mut params = CertificateParams::default();
        let mut subject = DistinguishedName::new();
        subject.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("localhost"),
        );
        subject.push(DnType::OrganizationName, CA_ORG);
        params.distinguished_name = subject;
        params.subject_alt_names = names
            .iter()
            .map(|name| match name.parse::<std::net::IpAddr>() {
                Ok(ip) => Ok(SanType::IpAddress(ip)),
                Err(_) => Ok(SanType::DnsName((*name).try_into()?)),
            })
            .collect::<Result<_, rcgen::Error>>()?;
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(LEAF_VALID_DAYS);
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        // Strict verifiers (Python 3.13's VERIFY_X509_STRICT) want the authority key id.
        params.use_authority_key_identifier_extension = true;
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signer = rustls::crypto::ring::sign::any_supported_type(&private)?;
        Ok(CertifiedKey::new(
            vec![cert.der().clone(), self.cert_der.clone()],
            signer,
        ))
    }

    /// Writes the system's trusted roots followed by the CA to `ca-bundle.pem` and returns its
    /// path: for the variables that replace a client's trust store instead of adding to it.
    pub fn write_bundle(&self) -> Result<PathBuf, CaError> {
        let mut bundle = String::new();
        if let Some(system) = system_roots() {
            bundle.push_str(&system);
            if !bundle.ends_with('\n') {
                bundle.push('\n');
            }
        }
        bundle.push_str(&self.cert_pem);
        let path = self.dir.join(BUNDLE_FILE);
        write_atomically(&path, bundle.as_bytes(), false).map_err(|source| CaError::Io {
            dir: self.dir.clone(),
            source,
        })?;
        Ok(path)
    }
}

/// The system's CA bundle (Debian, Fedora, Alpine, macOS with Homebrew's OpenSSL), if any.
fn system_roots() -> Option<String> {
    const CANDIDATES: &[&str] = &[
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ];
    CANDIDATES
        .iter()
        .find_map(|path| std::fs::read_to_string(path).ok())
}

fn first_certificate(pem: &str) -> Option<CertificateDer<'static>> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem.as_bytes()).next()?.ok()
}

/// Creates a new CA in `dir`. The key is created with `create_new`, so two processes racing
/// to create it cannot both win.
fn create(dir: &Path) -> Result<(), CaError> {
    let io = |source| CaError::Io {
        dir: dir.to_path_buf(),
        source,
    };
    let key = KeyPair::generate()?;
    let mut params = ca_params();
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(CA_VALID_DAYS);
    let cert = params.self_signed(&key)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(dir.join(KEY_FILE)).map_err(io)?;
    file.write_all(key.serialize_pem().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(io)?;
    write_atomically(&dir.join(CERT_FILE), cert.pem().as_bytes(), true).map_err(io)?;
    Ok(())
}

/// Writes through a temporary file and a rename, so readers never see half a file.
fn write_atomically(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir)?;
    temp.write_all(bytes)?;
    if sync {
        temp.as_file().sync_all()?;
    }
    temp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_and_reloads_the_same_ca() {
        let dir = tempfile::tempdir().unwrap();
        let first = Authority::load_or_create(dir.path()).unwrap();
        let second = Authority::load_or_create(dir.path()).unwrap();
        assert_eq!(first.cert_pem(), second.cert_pem());
        assert!(first.cert_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn leaves_are_cached_per_name_and_chain_to_the_ca() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Authority::load_or_create(dir.path()).unwrap();
        let a = ca.leaf(&["graph.instagram.com"]).unwrap();
        let b = ca.leaf(&["graph.instagram.com"]).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.cert.len(), 2);
        assert_eq!(&a.cert[1], ca.cert_der());
        let ip = ca.leaf(&["localhost", "127.0.0.1"]).unwrap();
        assert!(!Arc::ptr_eq(&a, &ip));
    }

    #[test]
    fn a_mismatched_certificate_is_refused_with_the_files_to_remove() {
        let dir = tempfile::tempdir().unwrap();
        let ca = Authority::load_or_create(dir.path()).unwrap();
        let other = tempfile::tempdir().unwrap();
        let _ = Authority::load_or_create(other.path()).unwrap();
        std::fs::copy(other.path().join(KEY_FILE), dir.path().join(KEY_FILE)).unwrap();
        let error = Authority::load_or_create(dir.path())
            .unwrap_err()
            .to_string();
        assert!(error.contains("not the key's"), "{error}");
        assert!(
            error.contains(CERT_FILE) && error.contains(KEY_FILE),
            "{error}"
        );
        drop(ca);
    }

    #[test]
    fn default_dir_is_inside_the_data_directory() {
        assert_eq!(
            default_dir(Some(Path::new("/srv/lg"))),
            PathBuf::from("/srv/lg/ca")
        );
    }
}
