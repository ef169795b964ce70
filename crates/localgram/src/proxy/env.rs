//! What `localgram env` prints: the environment that points an unmodified client at the proxy
//! and makes it trust the CA, as `export` lines for a POSIX shell.

use std::net::SocketAddr;
use std::path::Path;

/// Quotes a value for a POSIX shell.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// The lines for a proxy at `proxy`, the CA certificate at `cert` and the bundle (system roots
/// plus the CA) at `bundle`.
///
/// - `HTTPS_PROXY`/`HTTP_PROXY` and their lowercase forms: curl reads only `http_proxy` in
///   lowercase, Python, Ruby, Go and Node 24 read either.
/// - `NO_PROXY`: loopback goes direct (localgram's control API and media host).
/// - `SSL_CERT_FILE` (OpenSSL: Python's ssl, Ruby, curl; Go on Linux), `REQUESTS_CA_BUNDLE`
///   (requests ignores the former) and `CURL_CA_BUNDLE` replace the trust store, so they get
///   the bundle and other hosts keep working through the tunnel.
/// - `NODE_EXTRA_CA_CERTS` adds to Node's roots, so it gets the CA alone.
/// - `NODE_USE_ENV_PROXY=1`: Node 24+ then routes `fetch` and `https` through `HTTPS_PROXY`.
///   Node 20 and 22 ignore it (their `fetch` takes no proxy from the environment).
pub fn lines(proxy: SocketAddr, cert: &Path, bundle: &Path) -> String {
    let url = format!("http://{proxy}");
    let cert = quote(&cert.display().to_string());
    let bundle = quote(&bundle.display().to_string());
    let no_proxy = "localhost,127.0.0.1,::1";
    let mut out = String::new();
    out.push_str(&format!(
        "# localgram: the proxy at {proxy} answers Meta's hosts; trust its CA.\n"
    ));
    for (name, value) in [
        ("HTTPS_PROXY", url.as_str()),
        ("https_proxy", url.as_str()),
        ("HTTP_PROXY", url.as_str()),
        ("http_proxy", url.as_str()),
        ("NO_PROXY", no_proxy),
        ("no_proxy", no_proxy),
    ] {
        out.push_str(&format!("export {name}={value}\n"));
    }
    for (name, value) in [
        ("SSL_CERT_FILE", &bundle),
        ("REQUESTS_CA_BUNDLE", &bundle),
        ("CURL_CA_BUNDLE", &bundle),
        ("NODE_EXTRA_CA_CERTS", &cert),
    ] {
        out.push_str(&format!("export {name}={value}\n"));
    }
    out.push_str("export NODE_USE_ENV_PROXY=1\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_every_variable_as_an_export_line() {
        let text = lines(
            "127.0.0.1:4180".parse().unwrap(),
            Path::new("/ca dir/ca-cert.pem"),
            Path::new("/ca dir/ca-bundle.pem"),
        );
        let exports: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            exports,
            [
                "export HTTPS_PROXY=http://127.0.0.1:4180",
                "export https_proxy=http://127.0.0.1:4180",
                "export HTTP_PROXY=http://127.0.0.1:4180",
                "export http_proxy=http://127.0.0.1:4180",
                "export NO_PROXY=localhost,127.0.0.1,::1",
                "export no_proxy=localhost,127.0.0.1,::1",
                "export SSL_CERT_FILE='/ca dir/ca-bundle.pem'",
                "export REQUESTS_CA_BUNDLE='/ca dir/ca-bundle.pem'",
                "export CURL_CA_BUNDLE='/ca dir/ca-bundle.pem'",
                "export NODE_EXTRA_CA_CERTS='/ca dir/ca-cert.pem'",
                "export NODE_USE_ENV_PROXY=1",
            ]
        );
        assert_eq!(quote("it's"), r"'it'\''s'");
    }
}
