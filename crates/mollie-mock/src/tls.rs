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
    let certificate_pem = pem("CERTIFICATE", cert.der());
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

/// PEM (RFC 7468): base64 of `der` in lines of 64 between BEGIN and END lines.
fn pem(label: &str, der: &[u8]) -> String {
    let encoded = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in encoded.as_bytes().chunks(64) {
        // Base64 is ASCII, so every chunk is valid UTF-8.
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded, "{plain:?}");
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn pem_wraps_at_64_columns() {
        let text = pem("CERTIFICATE", &[0u8; 100]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.first(), Some(&"-----BEGIN CERTIFICATE-----"));
        assert_eq!(lines.last(), Some(&"-----END CERTIFICATE-----"));
        // 100 bytes are 136 characters of base64: 64 + 64 + 8.
        let widths: Vec<usize> = lines[1..lines.len() - 1].iter().map(|l| l.len()).collect();
        assert_eq!(widths, [64, 64, 8]);
        assert!(text.ends_with("-----\n"));
    }

    #[test]
    fn pem_round_trips_every_length() {
        for len in 0..200u8 {
            let der: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37) ^ len).collect();
            assert_eq!(decode_for_test(&pem("X", &der)), Some(der), "{len}");
        }
    }

    /// An independent decoder, to check the encoder against.
    fn decode_for_test(pem: &str) -> Option<Vec<u8>> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let value = |c: u8| {
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
                .iter()
                .position(|&a| a == c)
                .map(|p| p as u32)
        };
        let mut out = Vec::new();
        for chunk in body.as_bytes().chunks(4) {
            let mut n = 0u32;
            let mut pad = 0;
            for &c in chunk {
                n <<= 6;
                if c == b'=' {
                    pad += 1;
                } else {
                    n |= value(c)?;
                }
            }
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..3 - pad]);
        }
        Some(out)
    }
}
