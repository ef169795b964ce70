//! Optional mTLS on webhook deliveries (7.15, ref 004 L2446-2495): Meta presents a client
//! certificate whose common name is `client.webhooks.fbclientcerts.com`, and verifies the
//! callback's own certificate ("we are always verifying the certificate from your HTTPS
//! server", 004 L2466). localgram cannot hold DigiCert's chain, so its client certificate is
//! signed by a localgram webhook CA made for the run; a receiver downloads that CA from the
//! control API and trusts it as it would trust DigiCert's root. An `https` callback is
//! verified against the certificates the control API was given (`trust_pem`): localgram ships
//! no public roots (docs/decisions.md).

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};

/// The common name of Meta's webhook client certificate (004 L2463, L2470).
pub const CLIENT_COMMON_NAME: &str = "client.webhooks.fbclientcerts.com";
const CA_NAME: &str = "localgram webhooks client CA (development only)";

/// The client certificate and the CA that signed it, made once per run. Validity is rcgen's
/// default span (1975 to 4096): no clock is read.
pub struct ClientCertificate {
    /// What a receiver trusts (PEM).
    pub ca_pem: String,
    /// The leaf, the CA and the leaf's key, PEM, as `reqwest::Identity` reads them.
    identity_pem: String,
}

impl ClientCertificate {
    pub fn generate() -> Result<ClientCertificate, rcgen::Error> {
        let mut ca = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, CA_NAME);
        name.push(DnType::OrganizationName, "localgram");
        ca.distinguished_name = name;
        ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate()?;
        let ca_cert = ca.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca, ca_key);
        let mut leaf = CertificateParams::default();
        let mut subject = DistinguishedName::new();
        subject.push(DnType::CommonName, CLIENT_COMMON_NAME);
        leaf.distinguished_name = subject;
        leaf.is_ca = IsCa::ExplicitNoCa;
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        leaf.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate()?;
        let leaf_cert = leaf.signed_by(&leaf_key, &issuer)?;
        Ok(ClientCertificate {
            ca_pem: ca_cert.pem(),
            identity_pem: format!(
                "{}{}{}",
                leaf_cert.pem(),
                ca_cert.pem(),
                leaf_key.serialize_pem()
            ),
        })
    }
}

/// How deliveries and verification requests speak TLS.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TlsSettings {
    /// Present the client certificate (mTLS enabled on the subscription, 004 L2452).
    pub client_certificate: bool,
    /// PEM certificates an `https` callback's chain may end in.
    pub trusted_pem: Vec<String>,
}

/// The HTTP client for callbacks: no redirects (Meta follows none), Meta's user agent, the
/// trusted roots and, when enabled, the client certificate.
pub fn client(
    settings: &TlsSettings,
    certificate: Option<&ClientCertificate>,
) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("facebookexternalua");
    for pem in &settings.trusted_pem {
        let certificates = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
            .map_err(|e| format!("trust_pem is not PEM certificates: {e}"))?;
        if certificates.is_empty() {
            return Err("trust_pem holds no certificate".into());
        }
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    if let Some(certificate) = certificate.filter(|_| settings.client_certificate) {
        let identity = reqwest::Identity::from_pem(certificate.identity_pem.as_bytes())
            .map_err(|e| format!("the client certificate cannot be used: {e}"))?;
        builder = builder.identity(identity);
    }
    builder
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_certificate_names_metas_common_name_and_chains_to_the_ca() {
        let made = ClientCertificate::generate().unwrap();
        assert!(made.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(made.identity_pem.matches("BEGIN CERTIFICATE").count(), 2);
        let settings = TlsSettings {
            client_certificate: true,
            trusted_pem: vec![made.ca_pem.clone()],
        };
        assert!(client(&settings, Some(&made)).is_ok());
        let bad = TlsSettings {
            client_certificate: false,
            trusted_pem: vec!["not pem".into()],
        };
        assert!(client(&bad, None).is_err());
    }
}
