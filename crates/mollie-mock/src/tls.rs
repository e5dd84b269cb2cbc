//! HTTPS with a self-signed certificate made at start-up, for clients that refuse plain
//! `http` (Mollie's Node.js client does).

use std::io;
use std::sync::Arc;

use rcgen::{CertificateParams, DnType, KeyPair};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

/// The names the certificate is valid for: what a client on the same machine dials.
pub(crate) const SUBJECT_ALT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A fresh certificate and the acceptor that serves it.
pub(crate) struct SelfSigned {
    pub acceptor: TlsAcceptor,
    /// The certificate in PEM, for clients to trust (it is its own issuer).
    pub certificate_pem: String,
}

/// Makes a new key pair (ECDSA P-256) and a certificate for [`SUBJECT_ALT_NAMES`], and a
/// rustls server on the `ring` provider that offers HTTP/1.1 (the only protocol served).
pub(crate) fn self_signed() -> io::Result<SelfSigned> {
    let key = KeyPair::generate().map_err(io::Error::other)?;
    let mut params = CertificateParams::new(SUBJECT_ALT_NAMES.map(str::to_owned).to_vec())
        .map_err(io::Error::other)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "mollie-mock (self-signed)");
    let cert = params.self_signed(&key).map_err(io::Error::other)?;
    // PEM by rcgen (its `pem` feature): LF line endings, CRLF when built for Windows.
    let certificate_pem = cert.pem();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    // An explicit provider: the process-wide default may be unset, or be another one.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key_der)
        .map_err(io::Error::other)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(SelfSigned {
        acceptor: TlsAcceptor::from(Arc::new(config)),
        certificate_pem,
    })
}

#[cfg(test)]
mod tests {
    use rustls::pki_types::pem::{PemObject, SectionKind};
    use rustls::pki_types::{CertificateDer, ServerName};
    use rustls::{ClientConfig, RootCertStore};
    use tokio_rustls::TlsConnector;

    use super::*;

    /// The PEM holds one section, the certificate (no key), and a client that trusts it alone
    /// completes a handshake with the acceptor under every name, sees that very certificate
    /// and gets HTTP/1.1.
    #[tokio::test]
    async fn clients_trusting_the_pem_reach_every_subject_alt_name() {
        let served = self_signed().expect("a certificate");
        let pem = served.certificate_pem.as_bytes();
        let sections: Vec<(SectionKind, Vec<u8>)> = PemObject::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .expect("valid PEM");
        assert_eq!(sections.len(), 1, "{}", served.certificate_pem);
        assert_eq!(sections[0].0, SectionKind::Certificate);
        let certificate = CertificateDer::from_pem_slice(pem).expect("a certificate");
        assert_eq!(certificate.as_ref(), sections[0].1);

        let mut roots = RootCertStore::empty();
        roots.add(certificate.clone()).expect("a valid root");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        let connector = TlsConnector::from(Arc::new(config));

        for name in SUBJECT_ALT_NAMES {
            let (client_io, server_io) = tokio::io::duplex(16 * 1024);
            let server_name = ServerName::try_from(name).expect("a name").to_owned();
            let (server, client) = tokio::join!(
                served.acceptor.accept(server_io),
                connector.connect(server_name, client_io)
            );
            server.expect("the server's handshake");
            let client = client.unwrap_or_else(|e| panic!("{name}: {e}"));
            let (_, connection) = client.get_ref();
            assert_eq!(
                connection.peer_certificates(),
                Some(std::slice::from_ref(&certificate)),
                "{name}"
            );
            assert_eq!(connection.alpn_protocol(), Some(&b"http/1.1"[..]), "{name}");
        }
    }
}
